"""Deposit: the deadline to the second, completeness, one version per submission, the proof of deposit."""

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from fabriques.dossiers import domain, queries
from fabriques.dossiers.deposit import DepositRefusedError, deposit_key_issue, dossier_deposit
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import DossierVersion
from fabriques.dossiers.proof import proof_html, proof_pdf

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def closing(complete_dossier):
    """The wave closes at a known second (Paris time), in the near future."""
    wave = complete_dossier.wave
    wave.closes_at = (timezone.now() + dt.timedelta(days=1)).astimezone(PARIS).replace(
        hour=23, minute=59, second=59, microsecond=0
    )
    wave.save()
    complete_dossier.wave.refresh_from_db()
    return wave.closes_at


def _deposit(dossier, by, at, key_at=None):
    key = deposit_key_issue(dossier=dossier, at=key_at or at)
    return dossier_deposit(dossier=dossier, by=by, submission_key=key, at=at)


def test_deposit_one_second_before_closing_is_accepted(complete_dossier, applicant, closing):
    version = _deposit(complete_dossier, applicant, closing - dt.timedelta(seconds=1))
    complete_dossier.refresh_from_db()
    assert complete_dossier.state == DossierState.DEPOSITED
    assert version.number == 1
    assert version.deposited_at == closing - dt.timedelta(seconds=1)


def test_deposit_one_second_after_closing_is_refused_with_the_exact_closing_time_and_nothing_changes(
    complete_dossier, applicant, closing
):
    with pytest.raises(DepositRefusedError) as exc:
        _deposit(complete_dossier, applicant, closing + dt.timedelta(seconds=1))
    local = closing.astimezone(PARIS)
    assert str(exc.value) == (
        f"Le dépôt est clos : la vague a été clôturée le {local:%d/%m/%Y} à 23:59:59 (heure de Paris)."
    )
    complete_dossier.refresh_from_db()
    assert complete_dossier.state == DossierState.DRAFT
    assert DossierVersion.objects.count() == 0


def test_deposit_started_before_closing_finishes_within_the_grace_period(
    complete_dossier, applicant, closing, settings
):
    settings.FABRIQUES_DEPOSIT_GRACE_SECONDS = 60
    late = closing + dt.timedelta(seconds=30)
    version = _deposit(complete_dossier, applicant, late, key_at=closing - dt.timedelta(seconds=10))
    assert version.number == 1
    with pytest.raises(DepositRefusedError, match="Le dépôt est clos"):
        _deposit(complete_dossier, applicant, closing + dt.timedelta(seconds=90),
                 key_at=closing - dt.timedelta(seconds=10))
    with pytest.raises(DepositRefusedError, match="Le dépôt est clos"):
        _deposit(complete_dossier, applicant, late, key_at=closing + dt.timedelta(seconds=1))


def test_double_click_deposits_once(complete_dossier, applicant):
    key = deposit_key_issue(dossier=complete_dossier)
    first = dossier_deposit(dossier=complete_dossier, by=applicant, submission_key=key)
    second = dossier_deposit(dossier=complete_dossier, by=applicant, submission_key=key)
    assert first.pk == second.pk
    assert DossierVersion.objects.filter(dossier=complete_dossier).count() == 1


def test_incomplete_dossier_is_refused_with_the_list_of_what_is_missing(dossier, applicant):
    with pytest.raises(DepositRefusedError) as exc:
        dossier_deposit(dossier=dossier, by=applicant, submission_key=deposit_key_issue(dossier=dossier))
    assert str(exc.value) == "Le dossier n’est pas complet."
    assert [m.message for m in exc.value.missing][:2] == ["Indiquez le nom du lieu.",
                                                        "Indiquez la nature du lieu (existant ou en projet)."]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_redeposit_before_the_deadline_adds_a_version_with_its_own_fingerprint(deposited_dossier, applicant):
    criterion = queries.criteria_for(deposited_dossier)[0]
    answer = deposited_dossier.answers.get(criterion=criterion)
    domain.answer_save(dossier=deposited_dossier, criterion=criterion, text="Réponse améliorée.",
                       base_version=answer.version, by=applicant)
    second = dossier_deposit(dossier=deposited_dossier, by=applicant,
                             submission_key=deposit_key_issue(dossier=deposited_dossier))
    first = deposited_dossier.versions.get(number=1)
    deposited_dossier.refresh_from_db()
    assert deposited_dossier.state == DossierState.DEPOSITED
    assert second.number == 2
    assert second.sha256 != first.sha256
    assert second.snapshot["answers"][0]["text"] == "Réponse améliorée."
    assert first.snapshot["answers"][0]["text"] != "Réponse améliorée."


def test_fingerprint_is_the_sha256_of_the_canonical_snapshot(deposited_dossier):
    version = deposited_dossier.versions.get()
    canonical = json.dumps(version.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert version.sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert version.snapshot["reference"] == deposited_dossier.reference
    assert len(version.snapshot["answers"]) == 12
    assert len(version.snapshot["attachments"]) == 4


def test_deposited_dossier_is_read_only_after_the_deadline(deposited_dossier, applicant):
    wave = deposited_dossier.wave
    wave.closes_at = timezone.now() - dt.timedelta(seconds=1)
    wave.save()
    criterion = queries.criteria_for(deposited_dossier)[0]
    with pytest.raises(domain.DossierError, match="n’est plus modifiable"):
        domain.answer_save(dossier=deposited_dossier, criterion=criterion, text="après", base_version=1, by=applicant)
    with pytest.raises(DepositRefusedError, match="Le dépôt est clos"):
        dossier_deposit(dossier=deposited_dossier, by=applicant,
                        submission_key=deposit_key_issue(dossier=deposited_dossier, at=wave.opens_at))
    assert deposited_dossier.versions.count() == 1


def test_a_cowriter_cannot_deposit(complete_dossier, applicant, make_user):
    cowriter = make_user("co@example.org")
    invitation = domain.cowriter_invite(dossier=complete_dossier, email="co@example.org", by=applicant)
    domain.cowriter_accept(token=invitation.token, user=cowriter)
    with pytest.raises(DepositRefusedError, match="Seuls le responsable"):
        dossier_deposit(dossier=complete_dossier, by=cowriter,
                        submission_key=deposit_key_issue(dossier=complete_dossier))


def test_forged_submission_key_is_refused(complete_dossier, applicant):
    with pytest.raises(DepositRefusedError, match="pas valide"):
        dossier_deposit(dossier=complete_dossier, by=applicant, submission_key="abc:def")


def test_proof_is_a_pdf_e_mailed_to_the_applicant_with_the_fingerprint(
    complete_dossier, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = dossier_deposit(dossier=complete_dossier, by=applicant,
                                  submission_key=deposit_key_issue(dossier=complete_dossier))
    proofs = [m for m in mail.outbox if "Attestation de dépôt" in m.subject]
    assert len(proofs) == 1
    assert proofs[0].to == ["porteuse@example.org"]
    assert version.sha256 in proofs[0].body
    name, content, mimetype = proofs[0].attachments[0]
    assert name == f"attestation-depot-{complete_dossier.reference}-v1.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert proof_pdf(version).startswith(b"%PDF-")


def test_proof_shows_the_deposited_content_time_and_fingerprint_even_after_later_edits(deposited_dossier, applicant):
    version = deposited_dossier.versions.get()
    criterion = queries.criteria_for(deposited_dossier)[0]
    deposited_text = deposited_dossier.answers.get(criterion=criterion).text
    domain.answer_save(dossier=deposited_dossier, criterion=criterion, text="Modifié après le dépôt",
                       base_version=deposited_dossier.answers.get(criterion=criterion).version, by=applicant)
    html = proof_html(version)
    deposited = timezone.localtime(version.deposited_at)
    assert version.sha256 in html
    assert f"Déposé le {deposited:%d/%m/%Y} à {deposited:%H:%M:%S} (heure de Paris)" in html
    assert deposited_text in html
    assert "Modifié après le dépôt" not in html
    assert "fr-" not in html  # not the DSFR: the proof has its own print stylesheet


def test_a_quarantined_required_attachment_counts_as_missing(complete_dossier):
    from fabriques.dossiers.queries import missing_items
    from fabriques.security.antivirus import ScanState

    assert missing_items(complete_dossier) == []
    required = complete_dossier.attachments.filter(required__required=True).select_related("required").first()
    complete_dossier.attachments.filter(pk=required.pk).update(scan_state=ScanState.INFECTED)

    missing = missing_items(complete_dossier)

    assert [m.message for m in missing] == [f"Pièce manquante : {required.required.label}."]
