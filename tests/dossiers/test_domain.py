"""Domain rules of the applicant's file: SIRET, budget, answers and concurrency, attachments."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fabriques.accounts.enums import OrganisationRole
from fabriques.accounts.models import validate_siret
from fabriques.audit.models import AuditEntry
from fabriques.dossiers import domain, queries
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.filetypes import detect_type, safe_name
from fabriques.dossiers.models import Answer, BudgetLine, Dossier, DossierAttachment
from tests.dossiers.factories import VALID_SIRET, small_ods, small_pdf, small_xlsx, standard_budget, upload

pytestmark = pytest.mark.django_db


# --- SIRET ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("siret", [VALID_SIRET, "732 829 320 00074", "35600000049837"])
def test_valid_siret_is_accepted(siret):
    validate_siret(siret.replace(" ", ""))


def test_siret_with_wrong_luhn_key_is_refused_in_french():
    with pytest.raises(ValidationError) as exc:
        validate_siret("73282932000075")
    assert exc.value.messages == [
        "Ce SIRET n’est pas valide : sa clé de contrôle ne correspond pas. Vérifiez les chiffres saisis."
    ]


@pytest.mark.parametrize("siret", ["7328293200007", "7328293200007A", "", "732829320000745"])
def test_siret_not_fourteen_digits_is_refused(siret):
    with pytest.raises(ValidationError) as exc:
        validate_siret(siret)
    assert exc.value.messages == ["Le SIRET doit compter exactement 14 chiffres."]


def test_organisation_creator_becomes_owner_and_invalid_siret_changes_nothing(applicant, commune, call):
    with pytest.raises(ValidationError):
        domain.organisation_save(by=applicant, name="X", legal_form="association", siret="12345678901234",
                                 address="a", commune=commune)
    assert applicant.memberships.count() == 0
    organisation = domain.organisation_save(by=applicant, name=" Les Pentes ", legal_form="association",
                                            siret="732 829 320 00074", address="a", commune=commune)
    assert organisation.siret == VALID_SIRET
    assert organisation.name == "Les Pentes"
    assert list(organisation.members.values_list("user__email", "role")) == [
        ("porteuse@example.org", OrganisationRole.OWNER)
    ]


# --- Creation and eligibility ---------------------------------------------------------------------


def test_new_dossier_is_a_draft_with_a_reference_and_a_stored_eligibility_report(dossier):
    assert dossier.state == DossierState.DRAFT
    assert dossier.reference == f"FDT-{dossier.created_at:%Y}-{dossier.pk:05d}"
    assert dossier.eligibility_status == "manual"
    legal = next(r for r in dossier.eligibility_report["results"] if r["kind"] == "legal_form")
    assert legal["status"] == "pass"


def test_dossier_cannot_be_created_in_a_closed_wave(call, track, organisation, applicant):
    closed = call.waves.get(slug="vague-1")
    with pytest.raises(domain.DossierError, match="n’est pas ouverte"):
        domain.dossier_create(wave=closed, track=track, organisation=organisation, by=applicant)
    assert Dossier.objects.count() == 0


def test_only_members_create_a_dossier_for_an_organisation(open_wave, track, organisation, make_user):
    stranger = make_user("autre@example.org")
    with pytest.raises(domain.DossierError, match="pas membre"):
        domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=stranger)


def test_changing_the_legal_form_refreshes_the_eligibility_of_drafts(dossier, organisation, applicant):
    domain.organisation_save(by=applicant, organisation=organisation, name=organisation.name,
                             legal_form="inconnue", siret=organisation.siret, address="a",
                             commune=organisation.commune)
    dossier.refresh_from_db()
    assert dossier.eligibility_status == "fail"


# --- Answers and concurrency ----------------------------------------------------------------------


def _criterion(dossier):
    return queries.criteria_for(dossier)[0]


def test_answer_save_increments_the_version(dossier, applicant):
    criterion = _criterion(dossier)
    first = domain.answer_save(dossier=dossier, criterion=criterion, text="v1", base_version=0, by=applicant)
    second = domain.answer_save(dossier=dossier, criterion=criterion, text="v2", base_version=first.version,
                                by=applicant)
    assert (first.version, second.version, second.text) == (1, 2, "v2")
    dossier.refresh_from_db()
    assert dossier.content_version == 2


def test_second_writer_from_a_stale_version_gets_a_conflict_and_nothing_is_overwritten(
    dossier, applicant, make_user
):
    criterion = _criterion(dossier)
    cowriter = make_user("co@example.org")
    domain.answer_save(dossier=dossier, criterion=criterion, text="base", base_version=0, by=applicant)
    domain.answer_save(dossier=dossier, criterion=criterion, text="version d’Alice", base_version=1, by=applicant)
    with pytest.raises(domain.ConflictError) as exc:
        domain.answer_save(dossier=dossier, criterion=criterion, text="version de Bob", base_version=1, by=cowriter)
    assert exc.value.theirs == "version d’Alice"
    assert exc.value.their_version == 2
    assert exc.value.their_author == "porteuse@example.org"
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "version d’Alice"


def test_two_first_saves_of_the_same_answer_by_two_people_conflict(dossier, applicant, make_user):
    criterion = _criterion(dossier)
    domain.answer_save(dossier=dossier, criterion=criterion, text="a", base_version=0, by=applicant)
    cowriter = make_user("co@example.org")
    with pytest.raises(domain.ConflictError):
        domain.answer_save(dossier=dossier, criterion=criterion, text="b", base_version=0, by=cowriter)
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "a"


def test_a_save_racing_the_same_persons_autosave_is_not_a_conflict(dossier, applicant):
    """« Enregistrer » clicked within a second of typing: the autosave lands first, then the page's own save."""
    criterion = _criterion(dossier)
    domain.answer_save(dossier=dossier, criterion=criterion, text="Notre lieu", base_version=0, by=applicant)
    domain.answer_save(dossier=dossier, criterion=criterion, text="Notre lieu ouvert", base_version=1, by=applicant)

    saved = domain.answer_save(dossier=dossier, criterion=criterion, text="Notre lieu ouvert à tous", base_version=1,
                               by=applicant)
    assert (saved.text, saved.version) == ("Notre lieu ouvert à tous", 3)


def test_the_same_text_saved_twice_from_a_stale_version_is_simply_saved(dossier, applicant, make_user):
    criterion = _criterion(dossier)
    domain.answer_save(dossier=dossier, criterion=criterion, text="base", base_version=0, by=applicant)
    domain.answer_save(dossier=dossier, criterion=criterion, text="même texte", base_version=1, by=applicant)

    same = domain.answer_save(dossier=dossier, criterion=criterion, text="même texte", base_version=1,
                              by=make_user("co@example.org"))
    assert (same.text, same.version) == ("même texte", 2)


def test_the_same_person_long_after_still_gets_the_conflict(dossier, applicant):
    import datetime as dt

    from django.utils import timezone

    criterion = _criterion(dossier)
    domain.answer_save(dossier=dossier, criterion=criterion, text="base", base_version=0, by=applicant)
    domain.answer_save(dossier=dossier, criterion=criterion, text="autre onglet", base_version=1, by=applicant)
    Answer.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(domain.ConflictError):
        domain.answer_save(dossier=dossier, criterion=criterion, text="ancien onglet", base_version=1, by=applicant)


def test_answer_longer_than_the_definition_is_refused(dossier, applicant):
    criterion = _criterion(dossier)
    with pytest.raises(domain.DossierError, match=f"pour {criterion.max_length} au plus"):
        domain.answer_save(dossier=dossier, criterion=criterion, text="x" * (criterion.max_length + 1),
                           base_version=0, by=applicant)
    assert Answer.objects.count() == 0


# --- Budget -------------------------------------------------------------------------------------


def test_balanced_budget_within_bounds_has_no_problem_and_stores_the_amount_requested(dossier, applicant):
    dossier = domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=standard_budget(dossier.track))
    summary = queries.budget_summary(dossier)
    assert summary.problems == []
    assert summary.total_requested == 150000
    assert dossier.amount_requested_eur == 150000
    assert [y.gap for y in summary.years] == [0, 0, 0]


def test_unbalanced_budget_says_by_how_much(dossier, applicant):
    lines = standard_budget(dossier.track)
    lines[0] = domain.LineData(1, "charge", "personnel", "Personnel", 123000)
    dossier = domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=lines)
    assert queries.budget_summary(dossier).problems == [
        "Année 1 : les charges (123\u202f000\u00a0€) dépassent les ressources (120\u202f000\u00a0€) "
        "de 3\u202f000\u00a0€."
    ]


def test_amount_below_the_track_minimum_is_reported(dossier, applicant):
    lines = standard_budget(dossier.track, state_per_year=10000)
    dossier = domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=lines)
    assert queries.budget_summary(dossier).problems == [
        "Le montant demandé (30\u202f000\u00a0€) est inférieur au minimum de l’entrée (50\u202f000\u00a0€)."
    ]


def test_state_request_over_the_per_year_cap_is_reported(dossier, applicant):
    lines = standard_budget(dossier.track, state_per_year=50000)
    lines[1] = domain.LineData(1, "resource", "etat", "État", 60000, is_state_request=True)
    lines[2] = domain.LineData(1, "resource", "propres", "Propres", 25000)
    dossier = domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=lines)
    problems = queries.budget_summary(dossier).problems
    assert problems == [
        "Année 1 : la subvention demandée (60\u202f000\u00a0€) dépasse le plafond annuel de 50\u202f000\u00a0€.",
        "Le montant demandé (160\u202f000\u00a0€) dépasse le maximum de l’entrée (150\u202f000\u00a0€).",
    ]


def test_budget_saved_from_a_stale_version_is_refused_and_lines_are_kept(dossier, applicant):
    domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=standard_budget(dossier.track))
    with pytest.raises(domain.DossierError, match="modifié le budget entre-temps"):
        domain.budget_save(dossier=dossier, by=applicant, base_version=0, lines=[])
    assert BudgetLine.objects.filter(dossier=dossier).count() == 12


# --- Attachments ----------------------------------------------------------------------------------


def test_file_type_is_read_from_the_bytes():
    assert detect_type(upload("a.txt", small_pdf())) == "pdf"
    assert detect_type(upload("a.pdf", b"MZ\x90\x00" + b"\x00" * 60)) is None
    assert detect_type(upload("a.bin", small_xlsx())) == "xlsx"
    assert detect_type(upload("a.bin", small_ods())) == "ods"
    assert detect_type(upload("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)) == "png"
    assert detect_type(upload("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)) == "jpg"
    assert detect_type(upload("a.zip", b"PK\x03\x04garbage")) is None


def test_exe_renamed_pdf_is_refused_with_a_french_message_and_nothing_is_stored(dossier, applicant, media_root):
    required = queries.required_attachments_for(dossier)[0]
    with pytest.raises(domain.DossierError) as exc:
        domain.attachment_add(dossier=dossier, required=required, by=applicant,
                              upload=upload("statuts.pdf", b"MZ\x90\x00" + b"\x00" * 200))
    assert str(exc.value) == (
        "Le contenu de ce fichier ne correspond pas à un format accepté (PDF), quel que soit son nom. "
        "Enregistrez-le dans l’un de ces formats puis envoyez-le à nouveau."
    )
    assert DossierAttachment.objects.count() == 0
    assert not (media_root / "dossiers").exists()


def test_oversized_file_is_refused(dossier, applicant, media_root):
    required = queries.required_attachments_for(dossier)[0]
    big = small_pdf() + b"0" * (required.max_size_mb * 1024 * 1024)
    with pytest.raises(domain.DossierError, match=f"la limite pour « {required.label} » est de 10 Mo"):
        domain.attachment_add(dossier=dossier, required=required, by=applicant, upload=upload("s.pdf", big))
    assert DossierAttachment.objects.count() == 0


def test_accepted_upload_keeps_a_sanitised_name_a_random_path_and_its_sha256(dossier, applicant, media_root):
    import hashlib

    required = next(r for r in queries.required_attachments_for(dossier) if r.code == "budget-previsionnel")
    content = small_xlsx()
    attachment = domain.attachment_add(dossier=dossier, required=required, by=applicant,
                                       upload=upload("../../etc/bud\x00get 2026.xlsx", content))
    assert attachment.original_name == "budget 2026.xlsx"
    assert attachment.detected_type == "xlsx"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.file.name.startswith(f"dossiers/{dossier.uuid}/")
    assert "budget" not in attachment.file.name
    assert attachment.file.read() == content


def test_more_files_than_allowed_are_refused(dossier, applicant, media_root):
    required = queries.required_attachments_for(dossier)[0]
    domain.attachment_add(dossier=dossier, required=required, by=applicant, upload=upload("a.pdf", small_pdf()))
    with pytest.raises(domain.DossierError, match="1 fichier"):
        domain.attachment_add(dossier=dossier, required=required, by=applicant, upload=upload("b.pdf", small_pdf()))


def test_safe_name_strips_paths_and_control_characters():
    assert safe_name("C:\\Users\\x\\Statuts signés.pdf") == "Statuts signés.pdf"
    assert safe_name("<script>.pdf") == "_script_.pdf"
    assert safe_name("") == "fichier"
    assert len(safe_name("a" * 300 + ".pdf")) <= 120


# --- Completeness, read-only --------------------------------------------------------------------


def test_empty_dossier_lists_every_missing_item(dossier):
    missing = queries.missing_items(dossier)
    sections = [m.section for m in missing]
    assert sections.count("Le lieu") == 4
    assert len([m for m in missing if m.message == "La réponse est vide."]) == 12
    assert "Le budget n’est pas renseigné." in [m.message for m in missing]
    assert sections.count("Pièces jointes") == 4


def test_complete_dossier_has_nothing_missing(complete_dossier):
    assert queries.missing_items(complete_dossier) == []


def test_content_is_read_only_after_the_deadline(dossier, applicant):
    dossier.wave.closes_at = dossier.wave.opens_at + dt.timedelta(days=1)
    dossier.wave.save()
    with pytest.raises(domain.DossierError, match="la vague a été clôturée le"):
        domain.answer_save(dossier=dossier, criterion=_criterion(dossier), text="trop tard", base_version=0,
                           by=applicant)
    assert Answer.objects.count() == 0


def test_writes_are_audited(dossier):
    actions = set(AuditEntry.objects.filter(dossier_id=dossier.pk).values_list("action", flat=True))
    assert actions == {"dossier.create"}
