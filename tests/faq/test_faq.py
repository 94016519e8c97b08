"""Questions and answers: asked privately, answered privately or published anonymised in a searchable FAQ grouped by
theme and criterion, linked from a criterion's guidance, followed with an e-mail digest through the outbox."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.faq import domain
from fabriques.faq.enums import QuestionState, Theme
from fabriques.faq.models import FaqFollow, Question
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
ASKED = "Bonjour, je suis Camille Dupont (camille@asso.example.org) : une SCIC peut-elle candidater ?"


@pytest.fixture
def asker(make_user):
    user = make_user("camille@asso.example.org")
    user.first_name, user.last_name = "Camille", "Dupont"
    user.save()
    return user


def _publish(question, admin, *, public="Une SCIC peut-elle candidater ?", theme=Theme.ELIGIBILITY, criterion=None):
    return domain.question_transition(question, QuestionState.PUBLISHED, by=admin, answer="Oui, les SCIC sont "
                                      "éligibles.", public_question=public, theme=theme, criterion=criterion)


def test_question_is_private_until_published_anonymised(client, call, asker, admin_user):
    question = domain.question_ask(call=call, by=asker, text=ASKED)
    faq_url = reverse("faq:faq", args=[call.slug])
    assert "SCIC" not in client.get(faq_url).content.decode()
    assert OutgoingEmail.objects.filter(recipients=["admin@example.org"]).exists()

    with pytest.raises(domain.FaqError, match="adresse électronique"):
        _publish(question, admin_user, public=ASKED)
    with pytest.raises(domain.FaqError, match="nom de la personne"):
        _publish(question, admin_user, public="Camille Dupont demande si une SCIC peut candidater.")
    with pytest.raises(domain.FaqError, match="thème"):
        _publish(question, admin_user, theme="")
    _publish(question, admin_user)

    page = client.get(faq_url).content.decode()
    assert "Une SCIC peut-elle candidater ?" in page
    assert "Oui, les SCIC sont éligibles." in page
    assert "Camille" not in page
    assert "camille@asso.example.org" not in page
    assert "Éligibilité et formes juridiques" in page
    to_asker = OutgoingEmail.objects.filter(subject__startswith="[Fabriques] Réponse à votre question").get()
    assert to_asker.recipients == ["camille@asso.example.org"]
    assert AuditEntry.objects.filter(action="faq.question_published", call_id=call.pk).count() == 1


def test_private_answer_stays_out_of_the_faq_and_only_the_team_answers(client, call, asker, admin_user, make_user):
    question = domain.question_ask(call=call, by=asker, text="Quelle est la date de clôture exacte ?")
    client.force_login(asker)  # the view authorises: only the team reaches the answer form
    refused = client.post(reverse("faq:answer", args=[call.slug, question.pk]),
                          {"to": QuestionState.ANSWERED, "answer": "moi"})
    assert refused.status_code == 403
    question.refresh_from_db()
    assert (question.state, question.answer) == (QuestionState.ASKED, "")
    domain.question_transition(question, QuestionState.ANSWERED, by=admin_user, answer="Le 30 juin à midi.")
    assert "Le 30 juin à midi." not in client.get(reverse("faq:faq", args=[call.slug])).content.decode()
    client.force_login(asker)
    assert "Le 30 juin à midi." in client.get(reverse("faq:mine")).content.decode()
    client.force_login(make_user("autre@example.org"))
    assert "Le 30 juin à midi." not in client.get(reverse("faq:mine")).content.decode()


def test_bad_questions_are_refused_with_their_text_kept(client, call, asker):
    client.force_login(asker)
    url = reverse("faq:ask", args=[call.slug])
    response = client.post(url, {"text": "<b>x</b>"})
    assert response.status_code == 400
    assert "trop courte" in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()
    response = client.post(url, {"text": "y" * 2001})
    assert response.status_code == 400
    assert Question.objects.count() == 0
    for n in range(10):
        domain.question_ask(call=call, by=asker, text=f"Question numéro {n} sur l’appel")
    with pytest.raises(domain.FaqError, match="24 heures"):
        domain.question_ask(call=call, by=asker, text="Une onzième question aujourd’hui")


def test_faq_search_groups_and_criterion_guidance(client, call, asker, admin_user, dossier, applicant):
    criterion = dossier.track.criteria.order_by("position").first()
    one = domain.question_ask(call=call, by=asker, text="Question sur les quartiers prioritaires")
    two = domain.question_ask(call=call, by=asker, text="Question sur le cofinancement des communes")
    _publish(one, admin_user, public="Faut-il être dans un QPV ?", theme=Theme.TERRITORY, criterion=criterion)
    _publish(two, admin_user, public="Qu’est-ce qu’un cofinancement ?", theme=Theme.BUDGET)
    url = reverse("faq:faq", args=[call.slug])

    found = client.get(url, {"q": "QPV"}).content.decode()
    assert "Faut-il être dans un QPV ?" in found
    assert "cofinancement ?" not in found
    by_criterion = client.get(url, {"par": "critere"}).content.decode()
    assert f"{criterion.position}. {criterion.title}" in by_criterion
    assert "Questions générales" in by_criterion
    client.force_login(applicant)
    answer_page = client.get(reverse("dossiers:answer", args=[dossier.uuid, criterion.code])).content.decode()
    assert "Questions fréquentes sur ce critère" in answer_page
    assert "Faut-il être dans un QPV ?" in answer_page


def test_digest_lists_new_answers_once_a_day_through_the_outbox(call, asker, admin_user, make_user):
    follower = make_user("suit@example.org")
    domain.faq_follow(call=call, user=follower, follow=True)
    FaqFollow.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    _publish(domain.question_ask(call=call, by=asker, text="Une SCIC peut-elle candidater ?"), admin_user)

    assert domain.faq_digests_send() == 1
    digest = OutgoingEmail.objects.get(recipients=["suit@example.org"])
    assert "1 nouvelle réponse dans la FAQ" in digest.subject
    assert "Q : Une SCIC peut-elle candidater ?" in digest.body
    assert "R : Oui, les SCIC sont éligibles." in digest.body

    _publish(domain.question_ask(call=call, by=asker, text="Un GIP peut-il candidater ?"), admin_user,
             public="Un GIP peut-il candidater ?")
    assert domain.faq_digests_send() == 0  # less than a day since the last digest
    call_command("faq_digest", "--force")
    later = OutgoingEmail.objects.filter(recipients=["suit@example.org"]).order_by("-id").first()
    assert "Un GIP peut-il candidater ?" in later.body
    assert "Q : Une SCIC" not in later.body
    assert domain.faq_digests_send(force=True) == 0


def test_digest_runs_constant_queries(call, asker, admin_user, make_user):
    def followers(n, start):
        for i in range(start, start + n):
            domain.faq_follow(call=call, user=make_user(f"f{i}@example.org"), follow=True)
        FaqFollow.objects.update(created_at=timezone.now() - dt.timedelta(hours=1), last_sent_at=None)

    _publish(domain.question_ask(call=call, by=asker, text="Une SCIC peut-elle candidater ?"), admin_user)
    followers(1, 0)
    with CaptureQueriesContext(connection) as few:
        assert domain.faq_digests_send() == 1
    followers(20, 1)
    with CaptureQueriesContext(connection) as many:
        assert domain.faq_digests_send() == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_team_pages_are_the_admins(client, call, asker, admin_user, make_user):
    question = domain.question_ask(call=call, by=asker, text="Une question pour l’équipe")
    url = reverse("faq:answer", args=[call.slug, question.pk])
    client.force_login(asker)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert "Une question pour l’équipe" in client.get(reverse("faq:team", args=[call.slug])).content.decode()
    response = client.post(url, {"to": "published", "answer": "Réponse", "public_question": "", "theme": ""})
    assert response.status_code == 400
    assert "rédigez la question" in response.content.decode()
    response = client.post(url, {"to": "published", "answer": "Réponse", "public_question": "Question ?",
                                 "theme": "autre"})
    assert response.status_code == 302
    assert Question.objects.get().state == QuestionState.PUBLISHED
