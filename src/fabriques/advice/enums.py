"""States of adviser invitations and comment threads, with their transition tables, and the limits."""

from django.db import models


class InvitationState(models.TextChoices):
    PENDING = "pending", "En attente d’acceptation"
    ACCEPTED = "accepted", "Acceptée"
    REVOKED = "revoked", "Retirée"
    EXPIRED = "expired", "Expirée"


_S = InvitationState
# The only changes `domain.invitation_transition` makes; revoked and expired are final.
INVITATION_TRANSITIONS = {
    _S.PENDING: frozenset({_S.ACCEPTED, _S.REVOKED, _S.EXPIRED}),
    _S.ACCEPTED: frozenset({_S.REVOKED, _S.EXPIRED}),
    _S.REVOKED: frozenset(),
    _S.EXPIRED: frozenset(),
}
LIVE_INVITATION_STATES = frozenset({_S.PENDING, _S.ACCEPTED})


class ThreadState(models.TextChoices):
    OPEN = "open", "Ouvert"
    RESOLVED = "resolved", "Résolu"


THREAD_TRANSITIONS = {
    ThreadState.OPEN: frozenset({ThreadState.RESOLVED}),
    ThreadState.RESOLVED: frozenset({ThreadState.OPEN}),
}


class AreaKind(models.TextChoices):
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"


class NetworkRole(models.TextChoices):
    MANAGER = "manager", "Responsable"
    MEMBER = "member", "Membre"


COMMENT_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 1000
INVITATION_MAX_DAYS = 366
