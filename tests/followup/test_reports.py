"""Yearly reports: typed indicators, the financial report against the deposited budget, deposit, review, reminders."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.followup import domain, reporting
from fabriques.followup.enums import ReportState, TrancheState
from fabriques.followup.models import IndicatorValue, ReportReminder
from fabriques.mail.models import OutgoingEmail
from tests.followup.conftest import small_pdf, upload

VALUES = {"personnes-accueillies": "1 250", "heures-mediation": "310,5", "personnes-formees": "84",
          "evenements": "22", "emplois-etp": "2,5", "part-ressources-propres": "31", "chiffre-affaires": "42000",
          "gouvernance": "Collégiale", "faits-marquants": "Ouverture du fablab."}


def spending_as_budgeted(report):
    return {ln.category: (str(ln.budgeted_eur), "") for ln in reporting.spending_ensure(report=report)}


@pytest.fixture
def report(agreement_in_force):
    return agreement_in_force.reports.get(year=1)


def save(report, by, **changes):
    values = {**VALUES, **changes.pop("values", {})}
    return reporting.report_save(report=report, by=by, base_version=report.version, values=values,
                                 spending=changes.pop("spending", spending_as_budgeted(report)),
                                 narrative=changes.pop("narrative", "Une belle année."))


def test_the_financial_report_starts_from_the_deposited_budget_of_that_year(report, laureate):
    lines = reporting.spending_ensure(report=report)
    deposited = laureate.versions.get().snapshot["budget"]["lines"]
    expected = sum(ln["amount_eur"] for ln in deposited if ln["kind"] == "charge" and ln["year"] == 1)
    assert sum(ln.budgeted_eur for ln in lines) == expected > 0


def test_typed_values_are_stored_in_typed_columns(report, applicant):
    save(report, applicant)
    stored = {v.indicator.code: v for v in IndicatorValue.objects.filter(report=report).select_related("indicator")}
    assert stored["personnes-accueillies"].number_int == 1250
    assert str(stored["heures-mediation"].number_dec) == "310.50"
    assert stored["gouvernance"].text == "Collégiale"


def test_a_negative_count_is_refused_in_french_and_nothing_is_written(report, applicant):
    with pytest.raises(domain.FollowupError) as caught:
        save(report, applicant, values={"personnes-accueillies": "-3"})
    assert caught.value.errors == {
        "ind-personnes-accueillies": "Saisissez un nombre positif ou nul : un décompte ne peut pas être négatif."}
    assert not IndicatorValue.objects.filter(report=report).exists()


def test_spending_beyond_the_budget_needs_an_explanation(report, applicant):
    lines = reporting.spending_ensure(report=report)
    line = max(lines, key=lambda ln: ln.budgeted_eur)
    spending = spending_as_budgeted(report) | {line.category: (str(line.budgeted_eur + 5000), "")}
    with pytest.raises(domain.FollowupError) as caught:
        save(report, applicant, spending=spending)
    assert caught.value.errors[f"spent-{line.category}"].startswith("Le montant dépensé dépasse le budget déposé")
    spending[line.category] = (str(line.budgeted_eur + 5000), "Un poste salarié de plus.")
    save(report, applicant, spending=spending)


def test_a_stale_version_is_refused_when_someone_else_saved_in_between(report, applicant, make_user):
    colleague = make_user("collegue@example.org")
    report.agreement.dossier.organisation.members.create(user=colleague)
    save(report, colleague)
    with pytest.raises(domain.FollowupError, match="entre-temps"):
        reporting.report_save(report=report, by=applicant, base_version=0, values=VALUES, spending={}, narrative="")


def test_a_persons_own_autosave_racing_their_submit_is_not_a_conflict(report, applicant):
    save(report, applicant)
    reporting.report_save(report=report, by=applicant, base_version=0, values=VALUES,
                          spending=spending_as_budgeted(report), narrative="Envoi du formulaire")
    report.refresh_from_db()
    assert (report.version, report.narrative) == (2, "Envoi du formulaire")


def test_deposit_needs_the_required_indicators(report, applicant):
    save(report, applicant, values={"personnes-formees": ""})
    with pytest.raises(domain.FollowupError) as caught:
        reporting.report_deposit(report=report, by=applicant)
    assert caught.value.errors == {"ind-personnes-formees": "Indicateur obligatoire à renseigner."}


def test_an_attachment_of_the_wrong_type_is_refused(report, applicant):
    with pytest.raises(domain.FollowupError, match="ne correspond pas à un format accepté"):
        reporting.report_attachment_add(report=report, upload=upload("bilan.pdf", b"GIF89a..."), by=applicant)
    reporting.report_attachment_add(report=report, upload=upload("bilan.pdf", small_pdf("bilan")), by=applicant)
    assert report.attachments.get().detected_type == "pdf"


def test_deposit_changes_accept_releases_the_next_tranche(report, applicant, agents, agreement_in_force):
    save(report, applicant)
    version = reporting.report_deposit(report=report, by=applicant)
    assert (report.state, version.number, len(version.sha256)) == (ReportState.DEPOSITED, 1, 64)

    reporting.report_review(report=report, by=agents["instructor"], accept=False,
                            comments={"indicators": "Le nombre de personnes formées paraît bas."})
    report.refresh_from_db()
    assert report.state == ReportState.CHANGES_REQUESTED
    assert agreement_in_force.tranches.get(number=2).state == TrancheState.WAITING

    save(report, applicant, values={"personnes-formees": "140"})
    reporting.report_deposit(report=report, by=applicant)
    reporting.report_review(report=report, by=agents["instructor"], accept=True, comments={})

    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert agreement_in_force.tranches.get(number=2).state == TrancheState.DUE
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]
    assert report.versions.get(number=2).snapshot["indicators"][2]["value"] == "140"


def test_asking_for_changes_without_a_comment_is_refused(report, applicant, agents):
    save(report, applicant)
    reporting.report_deposit(report=report, by=applicant)
    with pytest.raises(domain.FollowupError, match="au moins une remarque"):
        reporting.report_review(report=report, by=agents["instructor"], accept=False, comments={"general": " "})


def test_a_committee_member_cannot_review(report, applicant, agents, client):
    save(report, applicant)
    reporting.report_deposit(report=report, by=applicant)
    client.force_login(agents["committee"])  # the view authorises (followup.manage)
    response = client.post(reverse("followup:report-review", args=[report.uuid]), {"decision": "accept"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.DEPOSITED


def test_reminders_before_and_when_late_are_queued_once(report):
    report.due_on = timezone.localdate() + dt.timedelta(days=5)
    report.save()
    assert reporting.reports_remind() == 1
    assert reporting.reports_remind() == 0
    later = timezone.localdate() + dt.timedelta(days=10)
    assert reporting.reports_remind(today=later) == 1
    assert sorted(ReportReminder.objects.values_list("kind", flat=True)) == ["before-7", "late-1"]
    assert OutgoingEmail.objects.filter(subject__contains="Rappel").count() == 2


def test_the_job_worker_runs_a_reminder_pass_at_most_once_an_hour(report):
    report.due_on = timezone.localdate() - dt.timedelta(days=3)
    report.save()
    reporting._LAST_REMINDER_PASS.clear()
    assert reporting.reports_remind_hourly() == 1
    ReportReminder.objects.all().delete()
    assert reporting.reports_remind_hourly() == 0  # within the hour: no pass
    reporting._LAST_REMINDER_PASS.clear()
