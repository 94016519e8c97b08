"""The lifecycle table and the one function that changes a dossier's state."""

import pytest
from django.core import mail

from fabriques.audit.models import AuditEntry
from fabriques.dossiers.deposit import dossier_withdraw
from fabriques.dossiers.enums import DECISION_STATES, DossierState
from fabriques.dossiers.workflow import TRANSITIONS, TransitionError, dossier_transition

pytestmark = pytest.mark.django_db
S = DossierState


def test_every_state_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(S)


def test_withdrawal_is_possible_from_every_state_before_a_decision_and_never_after():
    for state in S:
        allowed = S.WITHDRAWN in TRANSITIONS[state]
        assert allowed == (state not in DECISION_STATES and state != S.WITHDRAWN), state


def test_a_draft_cannot_jump_to_laureate_and_nothing_changes(dossier, applicant):
    with pytest.raises(TransitionError, match="« Brouillon » ne peut pas passer à l’état « Lauréat »"):
        dossier_transition(dossier, S.LAUREATE, by=applicant)
    dossier.refresh_from_db()
    assert dossier.state == S.DRAFT
    assert not AuditEntry.objects.filter(action="dossier.transition").exists()


def test_withdrawal_is_audited_and_notified(dossier, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier_withdraw(dossier=dossier, by=applicant, reason="Projet reporté")
    dossier.refresh_from_db()
    assert dossier.state == S.WITHDRAWN
    entry = AuditEntry.objects.get(action="dossier.transition")
    assert (entry.before, entry.after, entry.reason) == ({"state": "draft"}, {"state": "withdrawn"}, "Projet reporté")
    assert [m.subject for m in mail.outbox] == [f"[Fabriques] Dossier retiré — {dossier.reference}"]
    assert "Motif : Projet reporté" in mail.outbox[0].body


def test_withdrawn_dossier_cannot_be_withdrawn_again(dossier, applicant):
    dossier_withdraw(dossier=dossier, by=applicant)
    with pytest.raises(TransitionError):
        dossier_withdraw(dossier=dossier, by=applicant)
