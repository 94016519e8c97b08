"""Who may see, edit and deposit a dossier; used by views and templates alike.

A dossier is visible to its owner, the members of its organisation and its accepted co-writers.
Everybody else gets a 404 from the views (the queryset below simply does not contain it).
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone

from fabriques.accounts.models import Organisation, OrganisationMember
from fabriques.dossiers.enums import APPLICANT_EDITABLE_STATES, DossierState
from fabriques.dossiers.models import Dossier


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        Q(owner=user)
        | Q(organisation__in=Organisation.objects.filter(members__user=user))
        | Q(pk__in=Dossier.objects.filter(cowriters__accepted_by=user).values("pk"))
    )


def can_view(user, dossier: Dossier) -> bool:
    """Same rule as `dossiers_visible_to`, for one dossier already loaded."""
    if not user.is_authenticated:
        return False
    if dossier.owner_id == user.pk:
        return True
    if OrganisationMember.objects.filter(organisation_id=dossier.organisation_id, user=user).exists():
        return True
    return dossier.cowriters.filter(accepted_by=user).exists()


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(members__user=user)


# Hook table: the sections a higher app reopens to the applicant while the dossier waits for complements, each a
# function (dossier=, at=) -> set of sections. The instruction app registers its open requests in its ready().
COMPLEMENT_SECTION_SOURCES: list[Callable[..., set[str]]] = []


def complement_sections(dossier: Dossier, at=None) -> set[str]:
    """Sections an open request for complements lets the applicant edit until its reply deadline."""
    if dossier.state != DossierState.COMPLEMENTS_REQUESTED:
        return set()
    at = at or timezone.now()
    return set().union(*(source(dossier=dossier, at=at) for source in COMPLEMENT_SECTION_SOURCES))


def content_editable(dossier: Dossier, at=None, section: str | None = None) -> bool:
    """Content changes while the dossier is a draft or deposited and its wave is still open; during a request
    for complements, only the requested sections ('place', 'budget', 'criterion:<code>', 'attachment:<code>',
    or 'attachments' for any requested attachment) change, until the reply deadline."""
    if dossier.state in APPLICANT_EDITABLE_STATES and dossier.wave.is_open(at or timezone.now()):
        return True
    if section is None:
        return False
    sections = complement_sections(dossier, at)
    if section == "attachments":
        return any(s.startswith("attachment:") for s in sections)
    return section in sections


def is_member(user, dossier: Dossier) -> bool:
    if not user.is_authenticated:
        return False
    return dossier.owner_id == user.pk or dossier.organisation.members.filter(user=user).exists()


def can_deposit(user, dossier: Dossier) -> bool:
    """Only the owner or a member of the organisation deposits or withdraws; co-writers only write."""
    return is_member(user, dossier)


def can_manage_cowriters(user, dossier: Dossier) -> bool:
    return is_member(user, dossier)
