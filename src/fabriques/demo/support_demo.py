"""Demo content for issue 19: a listed network (Occitanie), an adviser on the demo applicant's draft with a thread
and a suggested rewording, two published FAQ answers. Built through the domain functions; run once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fabriques.advice import domain as advice
from fabriques.advice.models import Network
from fabriques.demo.people import demo_user
from fabriques.faq import domain as faq
from fabriques.faq.enums import QuestionState, Theme

FAQ = (
    ("Une SCIC peut-elle candidater ?", "Oui : les sociétés coopératives d’intérêt collectif figurent parmi les "
     "formes juridiques éligibles.", Theme.ELIGIBILITY),
    ("Qu’est-ce qui compte comme cofinancement ?", "Toute ressource autre que la subvention demandée : collectivités, "
     "fondations, recettes propres, mécénat. Les apports en nature se valorisent au budget.", Theme.BUDGET),
)


def demo_support(*, call, wave, password: str, users: dict) -> None:
    if Network.objects.filter(name__startswith="Réseau des tiers-lieux d’Occitanie").exists():
        return
    member = demo_user("reseau@demo.fabriques.fr", password, call=call, first_name="Réseau Occitanie")
    network = advice.network_register(by=member, name="Réseau des tiers-lieux d’Occitanie (démo)",
                                      contact_email="reseau@demo.fabriques.fr", regions=["76"], departements=[],
                                      description="Animation régionale des tiers-lieux : relecture des dossiers.")
    Network.objects.filter(pk=network.pk).update(listed=True)  # as the platform's staff would
    applicant, admin = users["porteur"], users["admin"]
    draft = wave.dossiers.filter(owner=applicant).select_related("wave", "track", "organisation").first()
    if draft is not None:
        adviser = demo_user("conseil@demo.fabriques.fr", password, call=call, first_name="Conseillère")
        invitation = advice.adviser_invite(dossier=draft, by=applicant, email=adviser.email,
                                           ends_on=timezone.localdate() + dt.timedelta(days=30))
        invitation = advice.invitation_accept(token=invitation.token, user=adviser)
        criterion = draft.track.criteria.order_by("position").first()
        advice.thread_open(invitation=invitation, criterion=criterion, by=adviser,
                           body="Citez la fréquentation et deux exemples d’usagers qui portent un projet.",
                           suggestion="Le lieu accueille chaque semaine 120 personnes ; deux collectifs d’usagers "
                                      "y animent déjà un atelier de réparation et un café numérique.")
    for public, answer, theme in FAQ:
        question = faq.question_ask(call=call, by=applicant, text=public)
        faq.question_transition(question, QuestionState.PUBLISHED, by=admin, answer=answer, public_question=public,
                                theme=theme)
