"""Who may invite advisers, who reads a dossier as an adviser, who sees a network's invitations.

An adviser reaches a dossier only through an accepted, unexpired invitation addressed to them (or to a network
they belong to); everything else is a 404 (the scoped querysets below simply do not contain it).
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from fabriques.advice.enums import InvitationState
from fabriques.advice.models import AdviserInvitation, Network
from fabriques.dossiers import rules as dossier_rules


def can_manage_advisers(user, dossier) -> bool:
    """The owner and the organisation's members invite and revoke advisers (as for co-writers)."""
    return dossier_rules.is_member(user, dossier)


def can_discuss(user, dossier) -> bool:
    """Applicant side of the threads (reply, resolve, accept a suggestion): whoever may write the dossier."""
    return dossier_rules.can_view(user, dossier)


def networks_of(user) -> QuerySet[Network]:
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(members__user=user)


def invitations_for_adviser(user, at=None) -> QuerySet[AdviserInvitation]:
    """Invitations the user reads now: accepted, not ended, addressed to them or to one of their networks."""
    if not user.is_authenticated:
        return AdviserInvitation.objects.none()
    return AdviserInvitation.objects.filter(state=InvitationState.ACCEPTED, expires_at__gt=at or timezone.now()).filter(
        Q(network__isnull=True, accepted_by=user) | Q(network__in=networks_of(user).values("pk"))
    )


def is_adviser_of(user, invitation: AdviserInvitation, at=None) -> bool:
    """Same rule as `invitations_for_adviser`, for one invitation already loaded."""
    if not user.is_authenticated or invitation.state != InvitationState.ACCEPTED:
        return False
    if invitation.expires_at <= (at or timezone.now()):
        return False
    if invitation.network_id is None:
        return invitation.accepted_by_id == user.pk
    return invitation.network.members.filter(user=user).exists()


def in_scope(invitation: AdviserInvitation, criterion_id: int, scope_ids: set[int] | None = None) -> bool:
    if invitation.whole_dossier:
        return True
    if scope_ids is None:
        scope_ids = set(invitation.criteria.values_list("pk", flat=True))
    return criterion_id in scope_ids


def is_network_member(user, network: Network) -> bool:
    return user.is_authenticated and network.members.filter(user=user).exists()


def network_invitations_for(user, network: Network) -> QuerySet[AdviserInvitation]:
    """A network's members see the invitations addressed to it, and nothing else of the dossiers."""
    if not is_network_member(user, network):
        return AdviserInvitation.objects.none()
    return AdviserInvitation.objects.filter(network=network)
