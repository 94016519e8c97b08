"""Follow-up pages: typed input kept on refusal, autosave, the signed copy, review, programme dashboard and data."""

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.followup import reporting
from fabriques.followup.enums import AgreementState, ReportState, TrancheState
from tests.followup.conftest import upload
from tests.followup.test_reports import VALUES, spending_as_budgeted

SEED = Path(__file__).resolve().parents[2] / "bench" / "followup_seed.py"


def _seed_module():
    spec = importlib.util.spec_from_file_location("followup_seed", SEED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report_post(report, **changes):
    data = {"version": report.version, "narrative": "Bilan", "action": "save"}
    data |= {f"ind-{k}": v for k, v in VALUES.items()}
    data |= {f"spent-{c}": s for c, (s, _) in spending_as_budgeted(report).items()}
    data |= changes
    return data


@pytest.fixture
def report(agreement_in_force):
    return agreement_in_force.reports.get(year=1)


def test_a_refused_report_shows_the_french_error_and_keeps_what_was_typed(client, applicant, report):
    client.force_login(applicant)
    response = client.post(reverse("followup:report", args=[report.uuid]),
                           _report_post(report, **{"ind-personnes-accueillies": "-12", "narrative": "Mon bilan"}))
    page = response.content.decode()
    assert response.status_code == 400
    assert "un décompte ne peut pas être négatif" in page
    assert 'value="-12"' in page
    assert "Mon bilan" in page
    assert 'value="310,5"' in page


def test_an_overspent_line_without_explanation_is_refused_with_the_typed_amount(client, applicant, report):
    client.force_login(applicant)
    line = max(reporting.spending_ensure(report=report), key=lambda ln: ln.budgeted_eur)
    response = client.post(reverse("followup:report", args=[report.uuid]),
                           _report_post(report, **{f"spent-{line.category}": str(line.budgeted_eur + 999)}))
    assert response.status_code == 400
    assert "expliquez l’écart" in response.content.decode()
    assert f'value="{line.budgeted_eur + 999}"' in response.content.decode()


def test_autosave_answers_with_the_save_status(client, applicant, report):
    client.force_login(applicant)
    response = client.post(reverse("followup:report", args=[report.uuid]), _report_post(report),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Enregistré à" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1


def test_a_signed_copy_of_the_wrong_type_is_refused_on_the_page(client, applicant, agreement, agents):
    from fabriques.followup import domain

    domain.agreement_transition(agreement, AgreementState.SENT, by=agents["admin"])
    client.force_login(applicant)
    response = client.post(reverse("followup:signed-upload", args=[agreement.uuid]),
                           {"file": upload("convention.pdf", b"<html>pas un pdf</html>")})
    assert response.status_code == 400
    assert "ne correspond pas à un format accepté" in response.content.decode()


def test_deposit_review_and_proof_through_the_pages(client, applicant, agents, report, agreement_in_force):
    client.force_login(applicant)
    url = reverse("followup:report", args=[report.uuid])
    assert client.post(url, _report_post(report, action="deposit")).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DEPOSITED
    proof = client.get(reverse("followup:report-proof", args=[report.uuid, 1]))
    assert proof.status_code == 200
    assert proof.content.startswith(b"%PDF")

    client.force_login(agents["instructor"])
    refused = client.post(reverse("followup:report-review", args=[report.uuid]), {"decision": "changes"})
    assert refused.status_code == 400
    assert "au moins une remarque" in refused.content.decode()
    client.post(reverse("followup:report-review", args=[report.uuid]), {"decision": "accept"})
    assert agreement_in_force.tranches.get(number=2).state == TrancheState.DUE


def test_the_agreement_pdf_is_drawn_from_the_version(client, applicant, agreement):
    client.force_login(applicant)
    response = client.get(reverse("followup:agreement-pdf", args=[agreement.uuid, 1]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_payments_export_has_one_line_per_due_tranche(client, agents, agreement_in_force, laureate):
    client.force_login(agents["admin"])
    response = client.get(reverse("followup:payments-export", args=[agreement_in_force.call.slug, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["SIRET", "Raison sociale", "Montant (€)", "Référence de la convention", "Tranche", "État", "Dossier"],
        [laureate.organisation.siret, laureate.organisation.name, "50000", agreement_in_force.reference, "1", "Due",
         laureate.reference]]
    xlsx = client.get(reverse("followup:payments-export", args=[agreement_in_force.call.slug, "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")


def _dashboard_queries(client, call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("followup:programme", args=[call.slug]) + "?tri=late")
        assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_dashboard_runs_the_same_number_of_queries_for_5_and_40_laureates(client, agents, open_wave, track,
                                                                           organisation, applicant):
    seed = _seed_module().followup_seed
    client.force_login(agents["admin"])
    seed(call=open_wave.call, wave=open_wave, track=track, owner=applicant, organisation=organisation, count=5)
    small = _dashboard_queries(client, open_wave.call)
    seed(call=open_wave.call, wave=open_wave, track=track, owner=applicant, organisation=organisation, count=35,
         seed=2)
    assert _dashboard_queries(client, open_wave.call) == small


def test_the_indicators_page_and_open_data_show_the_sums(client, agents, open_wave, track, organisation, applicant):
    from frictionless import Resource, Schema, validate

    _seed_module().followup_seed(call=open_wave.call, wave=open_wave, track=track, owner=applicant,
                                 organisation=organisation, count=18)
    client.force_login(agents["committee"])
    page = client.get(reverse("followup:indicators", args=[open_wave.call.slug]))
    assert page.status_code == 200
    assert "Personnes accueillies dans l’année" in page.content.decode()

    client.logout()
    data = client.get(reverse("followup:opendata-csv", args=[open_wave.call.slug])).content.decode()
    package = json.loads(client.get(reverse("followup:opendata-datapackage", args=[open_wave.call.slug])).content)
    rows = list(csv.DictReader(io.StringIO(data)))
    assert {r["axe"] for r in rows} == {"entree", "region"}
    assert all(r["annee"] == "1" for r in rows)
    assert "siret" not in data.lower()
    assert organisation.name not in data
    schema = Schema.from_descriptor(package["resources"][0]["schema"])
    report = validate(Resource(data=list(csv.reader(io.StringIO(data))), schema=schema))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])


def test_a_refused_amendment_keeps_what_was_typed(client, agents, agreement_in_force):
    client.force_login(agents["admin"])
    response = client.post(reverse("followup:amend", args=[agreement_in_force.uuid]),
                           {"amount_eur": "999999", "reason": "Extension du projet"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le montant doit être compris entre 1 et 150000 €." in page
    assert 'value="999999"' in page
    assert "Extension du projet" in page
    assert agreement_in_force.versions.count() == 1


def test_a_laureate_cannot_act_as_an_agent(client, applicant, agreement_in_force):
    client.force_login(applicant)
    tranche = agreement_in_force.tranches.get(number=1)
    response = client.post(reverse("followup:tranche-action", args=[tranche.pk]), {"action": "request"})
    assert response.status_code == 403
    tranche.refresh_from_db()
    assert tranche.state == TrancheState.DUE
