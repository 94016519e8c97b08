"""An instructor's complements in Chromium: ask with the default deadline, the applicant answers (375 px), the
instructor finds « compléments reçus », reads the differences, extends another request, cancels one and classes a
dossier « sans suite »."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers.enums import DossierState
from fabriques.instruction.admissibility import instruction_start
from fabriques.instruction.complements import complements_request
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.models import ComplementRequest
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instructor_asks_applicant_answers_instructor_reads_differences_extends_cancels_and_closes(
    live_server, page, build, communes, occitanie, close_wave, screenshot, axe_check
):
    instructor = occitanie["instructor"]
    answered, extended, cancelled = (build(communes["toulouse"]) for _ in range(3))
    close_wave()
    for dossier in (answered, extended, cancelled):
        instruction_start(dossier=dossier, by=instructor)
    for dossier in (extended, cancelled):
        complements_request(dossier=dossier, sections=[("budget", "Le budget")], message="Budget à revoir.",
                                   due_at=timezone.now() + dt.timedelta(days=5), by=instructor)
    page.on("dialog", lambda dialog: dialog.accept())  # confirm.js asks before irreversible acts
    criterion = answered.track.criteria.order_by("position").first()

    # The instructor asks with the pre-filled deadline, which the date input keeps.
    log_in(page, live_server.url, instructor.email)
    page.goto(f"{live_server.url}/instruction/dossiers/{answered.uuid}/")
    default = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    expect(page.get_by_label("Réponse attendue avant le")).to_have_value(default)
    page.locator(f"input[name=sections][value=\"criterion:{criterion.code}\"]").check(force=True)  # DSFR: label on top
    page.get_by_label("Message au porteur").fill("Précisez les horaires d’ouverture.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande de compléments envoyée au porteur.")).to_be_visible()
    request = ComplementRequest.objects.get(dossier=answered)
    assert timezone.localtime(request.due_at).date().isoformat() == default

    # The applicant completes the criterion and answers, on a phone-sized screen.
    answered.refresh_from_db()
    answer = answered.answers.get(criterion=criterion)
    dossier_domain.answer_save(dossier=answered, criterion=criterion, by=answered.owner,
                               text=answer.text + " Ouvert aussi le samedi matin.", base_version=answer.version)
    log_in(page, live_server.url, answered.owner.email)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/instruction/dossiers/{answered.uuid}/echanges/")
    expect(page.get_by_role("heading", name="Des compléments vous sont demandés")).to_be_visible()
    screenshot("applicant-exchanges-375")
    axe_check("applicant exchanges page")
    page.get_by_label("Votre réponse (facultatif)").fill("Horaires précisés au critère 1.")
    page.get_by_role("button", name="J’ai apporté les compléments").click()
    expect(page.get_by_text("l’instruction reprend avec vos compléments")).to_be_visible()
    screenshot("applicant-answered-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The instructor finds it under « compléments reçus » and reads the differences.
    log_in(page, live_server.url, instructor.email)
    page.goto(f"{live_server.url}/instruction/?complements=received")
    expect(page.get_by_role("link", name=answered.reference)).to_be_visible()
    expect(page.get_by_role("link", name=extended.reference)).to_have_count(0)
    axe_check("dashboard, compléments reçus")
    page.get_by_role("link", name=answered.reference).click()
    page.get_by_role("link", name="Voir les différences entre la version déposée et la version complétée").click()
    expect(page.get_by_role("heading", name=f"Différences après compléments — {answered.reference}")).to_be_visible()
    expect(page.locator("ins").filter(has_text="Ouvert aussi le samedi matin.")).to_be_visible()
    expect(page.get_by_text("[ajouté :").first).to_be_visible()
    screenshot("differences")
    axe_check("differences page")

    # Another request gets more time.
    page.goto(f"{live_server.url}/instruction/dossiers/{extended.uuid}/")
    page.get_by_label("Motif de la prolongation (lu par le porteur)").fill("Pièce attendue de la mairie.")
    page.get_by_role("button", name="Prolonger le délai").click()
    expect(page.get_by_text("Délai prolongé jusqu’au")).to_be_visible()
    axe_check("dossier page after extension")

    # A third one is cancelled, then that dossier is classed « sans suite ».
    page.goto(f"{live_server.url}/instruction/dossiers/{cancelled.uuid}/")
    page.get_by_label("Motif de l’annulation (lu par le porteur)").fill("Budget reçu par courrier.")
    page.get_by_role("button", name="Annuler la demande").click()
    expect(page.get_by_text("Demande de compléments annulée : le porteur en est informé.")).to_be_visible()
    page.get_by_label("Motif du classement sans suite (lu par le porteur)").fill("Le porteur renonce au projet.")
    page.get_by_role("button", name="Classer sans suite").click()
    expect(page.get_by_text("Dossier classé sans suite : le porteur en est informé avec le motif.")).to_be_visible()
    screenshot("closed")
    axe_check("dossier classé sans suite")
    # The applicant reads the reason on the dossier's page, not only in the e-mail.
    log_in(page, live_server.url, cancelled.owner.email)
    page.goto(f"{live_server.url}/dossiers/{cancelled.uuid}/")
    expect(page.locator("#state-reason")).to_contain_text("Le porteur renonce au projet.")
    screenshot("closed-applicant")
    axe_check("dossier classé sans suite, côté porteur")

    for dossier in (answered, extended, cancelled):
        dossier.refresh_from_db()
    request.refresh_from_db()
    assert (answered.state, request.state, request.seen_at is not None) == (
        DossierState.IN_INSTRUCTION, ComplementState.ANSWERED, True)
    extension = ComplementRequest.objects.get(dossier=extended)
    assert timezone.localtime(extension.due_at).date() > timezone.localdate() + dt.timedelta(days=5)
    assert extended.state == DossierState.COMPLEMENTS_REQUESTED
    assert ComplementRequest.objects.get(dossier=cancelled).state == ComplementState.CANCELLED
    assert cancelled.state == DossierState.CLOSED
