"""In real Chromium: an applicant follows the call's FAQ and asks a question; the programme admin publishes it
anonymised; it appears in the FAQ (searchable) and in the e-mail digest."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_question_asked_is_published_anonymised_in_the_faq_and_the_digest(
    live_server, page, call, make_user, admin_user, screenshot, axe_check
):
    base = live_server.url
    applicant = make_user("camille.dupont@asso.example.org")
    log_in(page, base, applicant.email)
    page.goto(base + reverse("calls:detail", args=[call.slug]))
    page.get_by_role("link", name="Lire la foire aux questions").click()
    expect(page.get_by_text("Aucune réponse publiée pour l’instant.")).to_be_visible()
    page.get_by_role("button", name="Suivre la FAQ (récapitulatif par courriel)").click()
    expect(page.get_by_text("Vous recevrez un courriel quand de nouvelles réponses seront publiées.")).to_be_visible()
    page.get_by_role("link", name="Poser une question").click()
    page.get_by_label("Votre question").fill("Bonjour, je suis Camille Dupont : notre SCIC peut-elle candidater ?")
    page.get_by_label("Critère concerné").select_option(index=1)
    axe_check("ask a question")
    page.get_by_role("button", name="Envoyer la question").click()
    expect(page.get_by_text("Question envoyée à l’équipe du programme.")).to_be_visible()

    log_in(page, base, admin_user.email)
    page.goto(base + reverse("faq:team", args=[call.slug]))
    page.get_by_role("link", name="Répondre").click()
    page.get_by_label("Réponse", exact=True).fill("Oui : les SCIC figurent parmi les formes juridiques éligibles.")
    page.get_by_label("Thème").select_option(label="Éligibilité et formes juridiques")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_text("rédigez la question telle qu’elle apparaîtra")).to_be_visible()  # never the raw text
    axe_check("answer form with an error")
    page.get_by_label("Question telle que publiée").fill("Une SCIC peut-elle candidater ?")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_text("Réponse publiée dans la FAQ.")).to_be_visible()

    page.context.clear_cookies()
    page.goto(base + reverse("faq:faq", args=[call.slug]))
    page.get_by_label("Rechercher dans la FAQ").fill("SCIC")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="Une SCIC peut-elle candidater ?")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Camille")
    expect(page.get_by_role("heading", name="Éligibilité et formes juridiques")).to_be_visible()
    screenshot("faq")
    axe_check("faq")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("faq-375")

    call_command("faq_digest", "--force")
    digest = next(m for m in mail.outbox if "nouvelle réponse dans la FAQ" in m.subject)
    assert digest.to == ["camille.dupont@asso.example.org"]
    assert "Q : Une SCIC peut-elle candidater ?" in digest.body
    assert "Camille" not in digest.body
