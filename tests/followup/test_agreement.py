"""Agreements: created from the applied decision, one transition function, signed copy, amendments, termination."""

import datetime as dt

import pytest
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.followup import domain
from fabriques.followup.enums import AgreementState, TrancheState
from fabriques.followup.models import Agreement
from fabriques.mail.models import OutgoingEmail
from tests.followup.conftest import small_pdf, upload

A, T = AgreementState, TrancheState


def test_an_applied_decision_gives_a_draft_agreement_with_three_equal_tranches_and_a_fingerprinted_version(
        agreement, laureate):
    assert agreement.state == A.DRAFT
    assert agreement.reference == f"CONV-{laureate.reference}"
    assert list(agreement.tranches.values_list("amount_eur", "release", "state")) == [
        (50000, "signature", T.WAITING), (50000, "report", T.WAITING), (50000, "report", T.WAITING)]
    version = agreement.versions.get()
    assert version.snapshot["amount_eur"] == 150000
    assert version.snapshot["beneficiary"]["siret"] == laureate.organisation.siret
    assert len(version.sha256) == 64


def test_a_dossier_without_applied_decision_gets_no_agreement(deposited_dossier, agents):
    with pytest.raises(domain.FollowupError, match="décision est appliquée"):
        domain.agreement_create(dossier=deposited_dossier, by=agents["admin"])
    assert not Agreement.objects.exists()


def test_a_second_agreement_for_the_same_laureate_is_refused(agreement, laureate, agents):
    with pytest.raises(domain.FollowupError, match="déjà une convention"):
        domain.agreement_create(dossier=laureate, by=agents["admin"])


def test_signing_needs_the_signed_copy_and_a_wrong_file_type_is_refused(agreement, agents, applicant):
    domain.agreement_transition(agreement, A.SENT, by=agents["admin"])
    with pytest.raises(domain.FollowupError, match="exemplaire signé"):
        domain.agreement_transition(agreement, A.SIGNED, by=agents["admin"])
    with pytest.raises(domain.FollowupError, match="ne correspond pas à un format accepté"):
        domain.agreement_signed_copy_upload(agreement=agreement, upload=upload("signee.pdf", b"MZ\x90 pas un pdf"),
                                            by=applicant)
    agreement.refresh_from_db()
    assert agreement.state == A.SENT
    assert not agreement.signed_file


def test_the_signed_copy_signs_the_agreement_and_the_first_tranche_becomes_due(agreement, agents, applicant):
    domain.agreement_transition(agreement, A.SENT, by=agents["admin"])
    domain.agreement_signed_copy_upload(agreement=agreement, upload=upload("scan.pdf", small_pdf("ok")), by=applicant)

    agreement.refresh_from_db()
    assert agreement.state == A.SIGNED
    assert agreement.signed_type == "pdf"
    assert len(agreement.signed_sha256) == 64
    assert list(agreement.tranches.values_list("state", flat=True)) == [T.DUE, T.WAITING, T.WAITING]
    assert AuditEntry.objects.filter(action="agreement.transition").count() == 2
    assert OutgoingEmail.objects.filter(subject__contains="Convention signée").exists()


def test_a_transition_outside_the_table_is_refused(agreement, agents):
    with pytest.raises(domain.FollowupError, match="ne peut pas passer"):
        domain.agreement_transition(agreement, A.IN_FORCE, by=agents["admin"])


def test_in_force_schedules_three_reports_from_the_start_date(agreement_in_force):
    start = agreement_in_force.starts_on
    reports = list(agreement_in_force.reports.order_by("year"))
    assert [r.year for r in reports] == [1, 2, 3]
    assert reports[0].period_start == start
    assert reports[0].due_on == reports[0].period_end + dt.timedelta(days=90)
    assert reports[2].due_on == reports[2].period_end + dt.timedelta(days=180)


def test_tranche_due_requested_paid(agreement_in_force, agents):
    first = agreement_in_force.tranches.get(number=1)
    domain.tranche_transition(first, T.REQUESTED, by=agents["admin"])
    domain.tranche_transition(first, T.PAID, by=agents["admin"], payment_reference="DP-2026-001")
    first.refresh_from_db()
    assert (first.state, first.payment_reference) == (T.PAID, "DP-2026-001")
    with pytest.raises(domain.FollowupError):
        domain.tranche_transition(agreement_in_force.tranches.get(number=2), T.PAID, by=agents["admin"])


def test_an_amendment_is_a_new_version_and_reshares_what_is_not_paid(agreement_in_force, agents):
    first = agreement_in_force.tranches.get(number=1)
    domain.tranche_transition(first, T.REQUESTED, by=agents["admin"])
    domain.tranche_transition(first, T.PAID, by=agents["admin"])

    version = domain.agreement_amend(agreement=agreement_in_force, by=agents["admin"], reason="Projet réduit",
                                     amount_eur=120000)

    agreement_in_force.refresh_from_db()
    assert (version.number, agreement_in_force.amount_eur) == (2, 120000)
    assert list(agreement_in_force.tranches.values_list("amount_eur", flat=True)) == [50000, 35000, 35000]
    assert [v.reason for v in agreement_in_force.versions.order_by("number")] == [
        "Convention initiale, d’après la décision du comité", "Projet réduit"]


def test_an_amendment_below_what_was_paid_or_without_reason_is_refused_and_names_the_fields(agreement_in_force, agents):
    first = agreement_in_force.tranches.get(number=1)
    domain.tranche_transition(first, T.REQUESTED, by=agents["admin"])
    with pytest.raises(domain.FollowupError) as caught:
        domain.agreement_amend(agreement=agreement_in_force, by=agents["admin"], reason="", amount_eur=200000)
    assert set(caught.value.errors) == {"reason", "amount_eur"}
    with pytest.raises(domain.FollowupError) as caught:
        domain.agreement_amend(agreement=agreement_in_force, by=agents["admin"], reason="Baisse", amount_eur=40000)
    assert "déjà payés ou en paiement" in caught.value.errors["amount_eur"]
    assert agreement_in_force.versions.count() == 1


def test_termination_cancels_open_tranches_and_issues_a_reimbursement_order(agreement_in_force, agents):
    first = agreement_in_force.tranches.get(number=1)
    domain.tranche_transition(first, T.REQUESTED, by=agents["admin"])
    domain.tranche_transition(first, T.PAID, by=agents["admin"])

    order = domain.agreement_terminate(agreement=agreement_in_force, by=agents["admin"],
                                       reason="Cessation d’activité", reimburse_eur=20000)

    agreement_in_force.refresh_from_db()
    assert agreement_in_force.state == A.TERMINATED
    assert list(agreement_in_force.tranches.values_list("state", flat=True)) == [T.PAID, T.CANCELLED, T.CANCELLED]
    assert (order.amount_eur, order.reference) == (20000, f"OR-{agreement_in_force.reference}-1")


def test_a_reimbursement_above_what_was_paid_is_refused(agreement_in_force, agents):
    with pytest.raises(domain.FollowupError) as caught:
        domain.agreement_terminate(agreement=agreement_in_force, by=agents["admin"], reason="Fin", reimburse_eur=1)
    assert "entre 0 et 0 €" in caught.value.errors["reimburse_eur"]
    agreement_in_force.refresh_from_db()
    assert agreement_in_force.state == A.IN_FORCE


def test_split_amount_adds_up():
    assert domain.split_amount(100001, [None, None, None]) == [33334, 33334, 33333]
    assert domain.split_amount(1000, ["40", "30", "30"]) == [400, 300, 300]
    assert timezone.now()
