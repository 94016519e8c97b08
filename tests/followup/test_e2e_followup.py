"""The follow-up in Chromium, end to end: an applied decision → agreement drafted and sent → signed copy uploaded by
the laureate → first tranche due, put to payment and paid → first-year report filled (a negative count refused,
what was typed kept), deposited, changes requested, corrected, accepted → second tranche due → dashboard and open
data show the figures. axe-core on every page; the laureate's pages at 375 px without sideways scrolling."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fabriques.followup import reporting
from fabriques.followup.models import Agreement
from tests.browser import log_in
from tests.followup.conftest import small_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def _fill_report(page, report, **changes):
    values = {"personnes-accueillies": "420", "heures-mediation": "310,5", "personnes-formees": "84",
              "evenements": "22", "emplois-etp": "2,5", "part-ressources-propres": "31", **changes}
    for code, value in values.items():
        page.locator(f"[name=ind-{code}]").fill(value)
    page.locator("[name=ind-gouvernance]").select_option("Collégiale")
    for line in reporting.spending_ensure(report=report):
        page.locator(f"[name=spent-{line.category}]").fill(str(line.budgeted_eur))


def test_from_the_decision_to_the_second_tranche(live_server, page, laureate, agents, applicant, tmp_path,
                                                 screenshot, axe_check):
    call = laureate.wave.call
    admin, instructor = agents["admin"], agents["instructor"]

    # The programme admin drafts the agreement of the applied decision and sends it.
    log_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/suivi/programme/{call.slug}/")
    page.get_by_role("button", name="Préparer les conventions (1 lauréat sans convention)").click()
    expect(page.get_by_text("1 convention préparée.")).to_be_visible()
    agreement = Agreement.objects.get()
    page.get_by_role("link", name=agreement.reference).click()
    axe_check("agreement (draft)")
    page.get_by_role("button", name="Envoyer pour signature").click()
    expect(page.locator("#agreement-state")).to_have_text("Envoyée pour signature")

    # The laureate downloads it and uploads the signed copy; a file of the wrong type is refused first.
    log_in(page, live_server.url, applicant.email)
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(live_server.url + "/suivi/")
    page.get_by_role("link", name=agreement.reference).click()
    _no_sideways_scroll(page)
    axe_check("agreement (laureate)")
    wrong = tmp_path / "convention-signee.pdf"
    wrong.write_bytes(b"<html>pas un PDF</html>")
    page.get_by_label("Fichier").set_input_files(str(wrong))
    page.get_by_role("button", name="Déposer l’exemplaire signé").click()
    expect(page.get_by_text("ne correspond pas à un format accepté")).to_be_visible()
    signed = tmp_path / "convention-signee-scan.pdf"
    signed.write_bytes(small_pdf("Convention signee"))
    page.get_by_label("Fichier").set_input_files(str(signed))
    page.get_by_role("button", name="Déposer l’exemplaire signé").click()
    expect(page.locator("#agreement-state")).to_have_text("Signée")
    expect(page.locator("#tranches")).to_contain_text("Due")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The admin puts it in force (a year and a month ago), sends the first tranche to payment, marks it paid.
    log_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/suivi/conventions/{agreement.uuid}/")
    page.get_by_label("Date d’entrée en vigueur").fill((timezone.localdate() - dt.timedelta(days=395)).isoformat())
    page.get_by_role("button", name="Mettre en vigueur").click()
    expect(page.locator("#agreement-state")).to_have_text("En vigueur")
    page.get_by_role("button", name="Mettre en paiement (tranche 1)").click()
    page.get_by_label("Référence du paiement").fill("DP-2026-0001")
    page.get_by_role("button", name="Marquer payée (tranche 1)").click()
    expect(page.locator("#paid")).to_contain_text("50")
    axe_check("agreement (in force)")

    # The laureate fills the first-year report: a negative count is refused in French, what was typed is kept.
    report = agreement.reports.get(year=1)
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    axe_check("report form")
    _fill_report(page, report, **{"personnes-formees": "-4"})
    page.get_by_role("button", name="Déposer le compte rendu").click()
    expect(page.get_by_text("un décompte ne peut pas être négatif")).to_be_visible()
    expect(page.locator("[name=ind-personnes-accueillies]")).to_have_value("420")
    expect(page.locator("[name=ind-personnes-formees]")).to_have_value("-4")
    page.locator("[name=ind-personnes-formees]").fill("84")
    page.get_by_role("button", name="Déposer le compte rendu").click()
    expect(page.locator("#report-state")).to_have_text("Déposé")
    expect(page.get_by_role("link", name="attestation de dépôt (PDF)")).to_be_visible()
    screenshot("report-deposited")

    # The instructor asks for changes on the indicators.
    log_in(page, live_server.url, instructor.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    page.get_by_label("Remarque : Indicateurs de pilotage").fill("Le nombre de personnes formées paraît bas.")
    page.get_by_role("button", name="Demander des modifications").click()
    expect(page.locator("#report-state")).to_have_text("Modifications demandées")

    # The laureate reads the comment, corrects and deposits again.
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    expect(page.locator("#comments")).to_contain_text("paraît bas")
    page.set_viewport_size({"width": 375, "height": 900})
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("[name=ind-personnes-formees]").fill("140")
    page.get_by_role("button", name="Déposer le compte rendu").click()
    expect(page.locator("#report-state")).to_have_text("Déposé")

    # The instructor accepts: the second tranche becomes due.
    log_in(page, live_server.url, instructor.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    page.get_by_role("button", name="Accepter le compte rendu").click()
    expect(page.locator("#report-state")).to_have_text("Accepté")
    page.get_by_role("link", name="Retour à la convention").click()
    expect(page.locator("#tranches tbody tr").nth(1)).to_contain_text("Due")

    # The dashboard and the open data show the figures.
    page.goto(f"{live_server.url}/suivi/programme/{call.slug}/")
    expect(page.locator("#total-paid")).to_contain_text("50000")
    expect(page.locator("#laureates")).to_contain_text(agreement.reference)
    axe_check("programme dashboard")
    page.goto(f"{live_server.url}/suivi/programme/{call.slug}/indicateurs/")
    expect(page.get_by_text("Personnes formées").first).to_be_visible()
    axe_check("indicators")
    data = page.request.get(f"{live_server.url}/suivi/donnees/{call.slug}/indicateurs.csv").text()
    rows = [r for r in csv.DictReader(io.StringIO(data)) if r["axe"] == "entree"]
    assert {r["indicateur"]: r["total"] for r in rows}["personnes-formees"] == "140"
