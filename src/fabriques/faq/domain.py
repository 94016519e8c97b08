"""Writes on questions and the FAQ: asking, the team's answer (one transition function), following, digests.

Refusals are `FaqError` (a `DossierError`, in French); changes are audited with the call's id; e-mails go
through the outbox (`mail.domain`), stored in the transaction of the change they report.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.models import CallRole
from fabriques.audit.domain import audit_record
from fabriques.dossiers.domain import DossierError
from fabriques.faq.enums import (
    ANSWER_MAX_LENGTH,
    DIGEST_EVERY_HOURS,
    QUESTION_MAX_LENGTH,
    QUESTION_MIN_LENGTH,
    QUESTION_TRANSITIONS,
    QUESTIONS_PER_DAY,
    QuestionState,
    Theme,
)
from fabriques.faq.models import FaqFollow, Question
from fabriques.mail.domain import Email, email_queue, emails_queue

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+33|0)\s?[1-9](?:[\s.-]?\d{2}){4}")


class FaqError(DossierError):
    """A refused write on questions or the FAQ; the message is for the person."""


def _faq_url(call) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("faq:faq", args=[call.slug])


def question_ask(*, call, by, text: str, criterion=None) -> Question:
    """A signed-in person asks the programme team a question on the call (private until the team publishes it)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) < QUESTION_MIN_LENGTH:
        raise FaqError(f"La question est trop courte : {QUESTION_MIN_LENGTH} caractères au moins.")
    if len(text) > QUESTION_MAX_LENGTH:
        raise FaqError(f"La question compte {len(text)} caractères pour {QUESTION_MAX_LENGTH} au plus : "
                       "raccourcissez-la ; rien n’a été envoyé.")
    if criterion is not None and criterion.call_id != call.pk:
        raise FaqError("Ce critère n’appartient pas à cet appel.")
    since = timezone.now() - dt.timedelta(days=1)
    if Question.objects.filter(asked_by=by, asked_at__gte=since).count() >= QUESTIONS_PER_DAY:
        raise FaqError(f"Vous avez posé {QUESTIONS_PER_DAY} questions en 24 heures : attendez un peu avant "
                       "d’en poser une autre.")
    with transaction.atomic():
        question = Question.objects.create(call=call, asked_by=by, text=text, criterion=criterion)
        audit_record(action="faq.question_ask", obj=question, by=by, call_id=call.pk,
                     after={"criterion": criterion.code if criterion else None})
        team = list(CallRole.objects.filter(call=call, role__in=roles_with("faq.answer")).values_list(
            "user__email", flat=True))
        if team:
            link = settings.SITE_URL.rstrip("/") + reverse("faq:answer", args=[call.slug, question.pk])
            email_queue(to=sorted(set(team)), subject=f"[Fabriques] Nouvelle question sur « {call.short_title} »",
                        body=f"Bonjour,\n\nUne question a été posée sur l’appel :\n{link}\n\nL’équipe Fabriques")
    return question


def _check_public(question: Question, public_question: str, theme: str) -> None:
    if not public_question:
        raise FaqError("Pour publier, rédigez la question telle qu’elle apparaîtra dans la FAQ (anonymisée).")
    if theme not in Theme.values:
        raise FaqError("Pour publier, choisissez le thème de la question.")
    if _EMAIL.search(public_question) or _PHONE.search(public_question):
        raise FaqError("La question publiée contient une adresse électronique ou un numéro de téléphone : "
                       "retirez-les pour l’anonymiser.")
    asker = question.asked_by
    names = [n for n in ((asker.first_name, asker.last_name) if asker else ()) if len(n) > 2]
    if any(n.lower() in public_question.lower() for n in names):
        raise FaqError("La question publiée contient le nom de la personne qui l’a posée : retirez-le.")


def question_transition(question: Question, to: str, *, by, answer: str = "", public_question: str = "",
                        theme: str = "", criterion=None) -> Question:
    """The only writer of `Question.state`: the team answers privately (asked → answered), publishes anonymised
    (asked/answered → published) or takes it out of the FAQ (published → answered). The asker is e-mailed.
    The caller holds `faq.answer` on the question's call (checked by the view)."""
    before = question.state
    if to not in QUESTION_TRANSITIONS[before]:
        raise FaqError(f"Cette question est « {QuestionState(before).label} » : elle ne peut pas devenir "
                       f"« {QuestionState(to).label} ».")
    answer, public_question = (answer or "").strip(), (public_question or "").strip()
    if not answer:
        raise FaqError("Rédigez la réponse.")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise FaqError(f"La réponse compte {len(answer)} caractères pour {ANSWER_MAX_LENGTH} au plus.")
    if len(public_question) > QUESTION_MAX_LENGTH:
        raise FaqError(f"La question publiée compte {len(public_question)} caractères pour {QUESTION_MAX_LENGTH} "
                       "au plus.")
    if criterion is not None and criterion.call_id != question.call_id:
        raise FaqError("Ce critère n’appartient pas à cet appel.")
    if to == QuestionState.PUBLISHED:
        _check_public(question, public_question, theme)
    now = timezone.now()
    with transaction.atomic():
        updated = Question.objects.filter(pk=question.pk, state=before).update(
            state=to, answer=answer, public_question=public_question, theme=theme or "", criterion=criterion,
            answered_at=now, answered_by=by, published_at=now if to == QuestionState.PUBLISHED else None)
        if not updated:
            raise FaqError("Cette question vient d’être modifiée par quelqu’un d’autre : rechargez la page.")
        question.refresh_from_db()
        audit_record(action=f"faq.question_{to}", obj=question, by=by, call_id=question.call_id,
                     before={"state": before}, after={"state": to, "theme": theme})
        if question.asked_by is not None and before == QuestionState.ASKED and question.asked_by.is_active:
            published = (f"\n\nElle est publiée, anonymisée, dans la FAQ de l’appel :\n{_faq_url(question.call)}"
                         if to == QuestionState.PUBLISHED else "")
            email_queue(to=[question.asked_by.email],
                        subject=f"[Fabriques] Réponse à votre question sur « {question.call.short_title} »",
                        body=(f"Bonjour,\n\nVotre question :\n« {question.text} »\n\nLa réponse de l’équipe du "
                              f"programme :\n{answer}{published}\n\nL’équipe Fabriques"))
    return question


def faq_follow(*, call, user, follow: bool) -> bool:
    """Follow (or stop following) a call's FAQ; returns whether the user follows it now."""
    with transaction.atomic():
        if follow:
            FaqFollow.objects.get_or_create(user=user, call=call)
        else:
            FaqFollow.objects.filter(user=user, call=call).delete()
    return follow


def faq_digests_send(*, now=None, force: bool = False) -> int:
    """Worker / `faq-digest`: each follower whose last digest is older than a day (any, with `force`) and who has
    answers published since gets one e-mail listing them: two reads, one insert, one update whatever the followers."""
    now = now or timezone.now()
    since = Coalesce("last_sent_at", "created_at")
    follows = FaqFollow.objects.filter(user__is_active=True).annotate(since=since).filter(
        call__questions__state=QuestionState.PUBLISHED, call__questions__published_at__gt=F("since"),
        call__questions__published_at__lte=now,
    )
    if not force:
        follows = follows.filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - dt.timedelta(
            hours=DIGEST_EVERY_HOURS)))
    follows = list(follows.select_related("user", "call").distinct())
    if not follows:
        return 0
    oldest = min(f.since for f in follows)
    published: dict[int, list[Question]] = {}
    for question in (Question.objects.filter(call__in={f.call_id for f in follows}, state=QuestionState.PUBLISHED,
                                             published_at__gt=oldest, published_at__lte=now)
                     .select_related("criterion").order_by("published_at", "id")):
        published.setdefault(question.call_id, []).append(question)
    emails, sent = [], []
    for follow in follows:
        news = [q for q in published.get(follow.call_id, []) if q.published_at > follow.since]
        if news:
            emails.append(Email(to=[follow.user.email], subject=_digest_subject(follow.call, len(news)),
                                body=_digest_body(follow.call, news)))
            sent.append(follow.pk)
    with transaction.atomic():
        emails_queue(emails=emails)
        FaqFollow.objects.filter(pk__in=sent).update(last_sent_at=now)
    return len(sent)


def _digest_subject(call, count: int) -> str:
    plural = "s" if count > 1 else ""
    return f"[Fabriques] {count} nouvelle{plural} réponse{plural} dans la FAQ « {call.short_title} »"


def _digest_body(call, questions: list[Question]) -> str:
    blocks = []
    for q in questions:
        where = f" — critère « {q.criterion.title} »" if q.criterion_id else ""
        blocks.append(f"• {q.get_theme_display()}{where} ({timezone.localtime(q.published_at):%d/%m/%Y})\n"
                      f"Q : {q.public_question}\nR : {q.answer}")
    return ("Bonjour,\n\nNouvelles réponses publiées dans la foire aux questions de l’appel :\n\n"
            + "\n\n".join(blocks)
            + f"\n\nToute la FAQ (et pour ne plus la suivre) :\n{_faq_url(call)}\n\nL’équipe Fabriques")
