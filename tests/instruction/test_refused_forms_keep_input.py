"""A refused form on the instruction page comes back with what the agent typed and a French error next to
the field (status 400), and nothing is stored: the message, a reason, the request for complements."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.instruction.admissibility import instruction_start
from fabriques.instruction.enums import CheckItem, CheckStatus
from fabriques.instruction.models import ComplementRequest, Instruction, Message
from tests.dossiers.factories import small_pdf

pytestmark = pytest.mark.django_db

TYPED = "Bonjour, le devis de l’architecte manque : merci de l’ajouter avant vendredi."


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dossier(build, communes, occitanie):
    return build(communes["toulouse"])


@pytest.fixture
def in_instruction(dossier, occitanie, close_wave):
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    return dossier


@pytest.fixture
def instructor(client, occitanie):
    client.force_login(occitanie["instructor"])
    return client


def _stored(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def _field_errors(html: str, field_id: str) -> list[str]:
    block = re.search(rf'<div id="{field_id}-errors">(.*?)</div>', html, re.S)
    return re.findall(r'<p class="fr-error-text">(.*?)</p>', block.group(1)) if block else []


def _textarea(html: str, field_id: str) -> str:
    return re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)


def _snapshot(dossier):
    """What a refused form must leave as it was."""
    instruction = Instruction.objects.get(dossier=dossier)
    return {
        "state": type(dossier).objects.values_list("state", flat=True).get(pk=dossier.pk),
        "group": instruction.group_id,
        "decision": instruction.decision,
        "checks": sorted(instruction.checks.values_list("item", "status", "confirmed_reason")),
        "messages": Message.objects.filter(dossier=dossier).count(),
        "requests": ComplementRequest.objects.filter(dossier=dossier).count(),
        "audit": AuditEntry.objects.filter(dossier_id=dossier.pk).count(),
    }


# --- The message form -----------------------------------------------------------------------------


def test_a_message_with_a_file_of_a_refused_type_comes_back_with_the_text_and_the_error_and_nothing_is_stored(
    instructor, dossier, media_root
):
    before, files_before = _snapshot(dossier), _stored(media_root)

    response = instructor.post(reverse("instruction:message", args=[dossier.uuid]), {
        "body": TYPED, "internal": "on", "attachment": SimpleUploadedFile("devis.txt", b"juste du texte"),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert _textarea(html, "id_body") == TYPED
    assert re.search(r'<input type="checkbox" name="internal"[^>]*checked', html)
    assert _field_errors(html, "id_attachment") == [
        "Type de fichier non accepté : PDF, image ou document bureautique seulement."
    ]
    assert '<h2 class="fr-alert__title">Le message n’a pas été publié</h2>' in html
    assert '<a href="#form-message">' in html
    assert _snapshot(dossier) == before
    assert _stored(media_root) == files_before


def test_an_empty_message_with_a_good_file_says_both_what_is_missing_and_to_attach_the_file_again(
    instructor, dossier, media_root
):
    before, files_before = _snapshot(dossier), _stored(media_root)

    response = instructor.post(reverse("instruction:message", args=[dossier.uuid]), {
        "body": "   ", "attachment": SimpleUploadedFile("devis signé.pdf", small_pdf("devis")),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert _field_errors(html, "id_body") == ["Ce champ est obligatoire."]
    assert _field_errors(html, "id_attachment") == [
        "Le fichier « devis signé.pdf » n’a pas été enregistré : joignez-le de nouveau."
    ]
    assert _snapshot(dossier) == before
    assert _stored(media_root) == files_before


def test_a_good_message_is_published_and_the_agent_goes_back_to_the_page(instructor, dossier, media_root):
    response = instructor.post(reverse("instruction:message", args=[dossier.uuid]), {
        "body": TYPED, "attachment": SimpleUploadedFile("devis.pdf", small_pdf("devis")),
    })

    assert response.status_code == 302
    assert response["Location"] == reverse("instruction:dossier", args=[dossier.uuid])
    message = Message.objects.get(dossier=dossier)
    assert (message.body, message.attachment_name) == (TYPED, "devis.pdf")
    assert len(_stored(media_root)) == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("owner", 404), ("instructor_of_other_group", 404), ("evaluator", 404)],
)
def test_a_refused_message_from_someone_who_may_not_see_the_dossier_shows_nothing_of_it(
    client, dossier, occitanie, make_user, call, who, expected
):
    users = {
        "owner": lambda: dossier.owner,
        "instructor_of_other_group": lambda: occitanie["other_instructor"],
        "evaluator": lambda: make_user("eval@exemple.fr", call=call, role=Role.EVALUATOR),
    }
    if who in users:
        client.force_login(users[who]())
    before = _snapshot(dossier)

    response = client.post(reverse("instruction:message", args=[dossier.uuid]), {"body": ""})

    assert response.status_code == expected
    assert dossier.reference not in response.content.decode()
    assert _snapshot(dossier) == before


# --- Reasons and the request for complements -------------------------------------------------------


def test_a_refused_admissible_decision_keeps_the_reason_typed_and_the_choice_and_nothing_changes(
    instructor, in_instruction
):
    dossier = in_instruction
    before = _snapshot(dossier)

    response = instructor.post(reverse("instruction:decide", args=[dossier.uuid]),
                               {"decision": "admissible", "reason": TYPED})

    html = response.content.decode()
    assert response.status_code == 400
    assert _textarea(html, "decision-reason") == TYPED
    assert re.search(r'id="decision-admissible"[^>]* checked', html)
    assert ("<p>Points à lever avant de déclarer le dossier recevable : "
            "Règle de localisation respectée.</p>") in html
    assert '<h2 class="fr-alert__title">La décision de recevabilité n’a pas été enregistrée</h2>' in html
    assert _snapshot(dossier) == before


def test_a_decision_without_a_choice_is_refused_next_to_the_choice(instructor, in_instruction):
    dossier = in_instruction
    before = _snapshot(dossier)

    response = instructor.post(reverse("instruction:decide", args=[dossier.uuid]), {"reason": TYPED})

    html = response.content.decode()
    assert response.status_code == 400
    assert '<fieldset class="fr-fieldset fr-fieldset--error"' in html
    assert '<p class="fr-message fr-message--error">Ce champ est obligatoire.</p>' in html
    assert _textarea(html, "decision-reason") == TYPED
    assert _snapshot(dossier) == before


def test_a_manual_confirmation_without_a_reason_is_refused_next_to_its_own_reason(instructor, in_instruction):
    dossier = in_instruction
    before = _snapshot(dossier)

    response = instructor.post(reverse("instruction:confirm", args=[dossier.uuid]),
                               {"item": CheckItem.LOCATION, "reason": "  "})

    html = response.content.decode()
    assert response.status_code == 400
    assert _field_errors(html, f"reason-{CheckItem.LOCATION}") == ["Ce champ est obligatoire."]
    assert 'id="form-confirm"' in html
    assert _snapshot(dossier) == before
    assert dossier.instruction.checks.get(item=CheckItem.LOCATION).status == CheckStatus.PENDING


def test_a_request_for_complements_due_in_the_past_keeps_the_message_and_the_sections(instructor, in_instruction):
    dossier = in_instruction
    before = _snapshot(dossier)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = instructor.post(reverse("instruction:complements", args=[dossier.uuid]), {
        "sections": ["budget"], "message": TYPED, "due_date": yesterday.isoformat(),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert _textarea(html, "id_message") == TYPED
    assert re.search(r'<input type="checkbox" name="sections" value="budget"[^>]*checked', html)
    assert f'value="{yesterday.isoformat()}"' in html
    assert _field_errors(html, "id_due_date") == ["La date limite de réponse doit être dans le futur."]
    assert _snapshot(dossier) == before
    assert dossier.state == DossierState.IN_INSTRUCTION


def test_a_reroute_to_an_unknown_group_keeps_the_reason(instructor, dossier):
    before = _snapshot(dossier)

    response = instructor.post(reverse("instruction:reroute", args=[dossier.uuid]),
                               {"group": "999999", "reason": TYPED})

    html = response.content.decode()
    assert response.status_code == 400
    assert _textarea(html, "id_reason") == TYPED
    assert _field_errors(html, "id_group") == [
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    ]
    assert _snapshot(dossier) == before


def test_a_refusal_from_the_state_machine_is_shown_in_the_form_and_keeps_the_text(instructor, dossier):
    """Complements asked on a dossier not yet in instruction: the transition is refused, the text stays."""
    before = _snapshot(dossier)
    due = timezone.localdate() + dt.timedelta(days=10)

    response = instructor.post(reverse("instruction:complements", args=[dossier.uuid]), {
        "sections": ["budget"], "message": TYPED, "due_date": due.isoformat(),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert _textarea(html, "id_message") == TYPED
    assert '<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert">' in html
    assert _snapshot(dossier) == before


# --- The applicant's exchanges page ----------------------------------------------------------------------


def test_an_applicant_message_without_text_keeps_nothing_and_asks_to_attach_the_file_again(
    client, dossier, media_root
):
    client.force_login(dossier.owner)
    before, files_before = _snapshot(dossier), _stored(media_root)

    response = client.post(reverse("instruction:exchanges", args=[dossier.uuid]), {
        "body": "", "attachment": SimpleUploadedFile("devis.pdf", small_pdf("devis")),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert _field_errors(html, "id_body") == ["Ce champ est obligatoire."]
    assert _field_errors(html, "id_attachment") == [
        "Le fichier « devis.pdf » n’a pas été enregistré : joignez-le de nouveau."
    ]
    assert _snapshot(dossier) == before
    assert _stored(media_root) == files_before


def test_an_answer_to_complements_no_longer_requested_is_refused_and_shown_back(client, dossier):
    client.force_login(dossier.owner)
    before = _snapshot(dossier)

    response = client.post(reverse("instruction:exchanges", args=[dossier.uuid]),
                           {"complements_done": "1", "answer": TYPED})

    html = response.content.decode()
    assert response.status_code == 400
    assert '<h2 class="fr-alert__title">Votre réponse n’a pas été enregistrée</h2>' in html
    assert "<p>Aucune demande de compléments n’est en cours pour ce dossier.</p>" in html
    assert f"<p>{TYPED}</p>" in html
    assert _snapshot(dossier) == before
