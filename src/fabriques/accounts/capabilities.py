"""What each role may do: one table, one predicate, one view decorator, one API check.

A capability is an act (`committee.decide`) held by roles on a call (`CallRole` rows). The table below is the only
place that pairs acts with roles; views, the API, templates and the scoped querysets ask `can`, `calls_with` or
`roles_with`, never `Role.*` directly.

The superuser rule, stated once: a superuser holds every capability on every call, except the `PERSONAL` ones,
which describe what a person is (an evaluator can be assigned dossiers), not what they may do.

Who authorises: views and API endpoints (`capability_required`, `require`; `api.auth.require_capability`);
domain functions assume an authorised caller for these acts (they still refuse what depends on the rows themselves:
state, ownership). Capabilities decide WHAT act; the scoped querysets of each app's `rules.py`
(`dossiers_for_instruction`…) decide on WHICH rows.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole

A, C, INS, E = Role.ADMIN, Role.COMMITTEE, Role.INSTRUCTOR, Role.EVALUATOR

CAPABILITIES: dict[str, frozenset[str]] = {
    # any agent role on some call: the agents' space, the second factor, batch checks
    "agent.space": frozenset({A, C, INS, E}),
    "agents.invite": frozenset({A}),
    # read every submitted dossier of the call (instructors read only their groups' dossiers: dossier.instruct)
    "dossier.read_all": frozenset({A, C}),
    # act on the instruction of a dossier (instructors: of their groups only, see instruction.rules.can_instruct)
    "dossier.instruct": frozenset({A, INS}),
    # act on the instruction of every dossier of the call, whatever its group
    "dossier.instruct_all": frozenset({A}),
    # be a member of an instruction group, given dossiers (PERSONAL)
    "instruction.group_member": frozenset({INS}),
    # be assigned dossiers to evaluate (PERSONAL: never implied by the superuser flag)
    "evaluation.evaluate": frozenset({E}),
    "evaluation.assign": frozenset({A, INS}),
    "evaluation.settings": frozenset({A}),
    "evaluation.scopes": frozenset({A}),
    "evaluation.read_peers": frozenset({A, C, INS}),
    # evaluations, scores and staged decisions of any dossier of the call (API, exports)
    "evaluation.read_all": frozenset({A, C}),
    "committee.sit": frozenset({A, C}),
    "committee.decide": frozenset({A}),
    "export.run": frozenset({A, C, INS}),
    "export.scores": frozenset({A, C}),
    "followup.view": frozenset({A, C, INS}),
    "followup.manage": frozenset({A, INS}),
    "webhooks.manage": frozenset({A}),
    "statistics.view": frozenset({A, C}),
    "faq.answer": frozenset({A}),
}
PERSONAL = frozenset({"evaluation.evaluate", "instruction.group_member"})

LABELS = dict(Role.choices)


class CapabilityRefused(PermissionDenied):
    """A missing capability: a 403 with a French reason (kept a PermissionDenied so every page answers 403)."""


def _check(capability: str) -> frozenset[str]:
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise KeyError(f"Unknown capability {capability!r}: add it to accounts.capabilities.CAPABILITIES") from None


def roles_with(capability: str) -> tuple[str, ...]:
    """The roles holding a capability, for ORM filters (`role__in=roles_with(...)`), in a stable order."""
    return tuple(sorted(_check(capability)))


def role_can(role: str, capability: str) -> bool:
    return role in _check(capability)


def call_id_of(obj) -> int | None:
    """The call an object belongs to: a Call, or anything with `call_id`, `wave` or `dossier` (None: any call)."""
    if obj is None:
        return None
    if isinstance(obj, int):
        return obj
    if obj.__class__.__name__ == "Call":
        return obj.pk
    if getattr(obj, "call_id", None) is not None:
        return obj.call_id
    if getattr(obj, "wave_id", None) is not None:
        return obj.wave.call_id
    if getattr(obj, "dossier_id", None) is not None:
        return call_id_of(obj.dossier)
    raise TypeError(f"No call for {obj!r}")


def superuser_holds(user, capability: str) -> bool:
    """The superuser rule, stated once."""
    return bool(user.is_superuser) and capability not in PERSONAL


def can(user, capability: str, on=None) -> bool:
    """Whether `user` may perform `capability` on the call of `on` (a Call, Wave, Dossier… or None: on any call)."""
    roles = _check(capability)
    if user is None or not user.is_authenticated:
        return False
    if superuser_holds(user, capability):
        return True
    rows = CallRole.objects.filter(user=user, role__in=roles)
    call_id = call_id_of(on)
    if call_id is not None:
        rows = rows.filter(call_id=call_id)
    return rows.exists()


def calls_with(user, capability: str) -> QuerySet:
    """Sub-query of the ids of the calls where `user` holds `capability` (all calls for a superuser)."""
    roles = _check(capability)
    calls = CallRole._meta.get_field("call").related_model.objects
    if user is None or not user.is_authenticated:
        return calls.none().values("id")
    if superuser_holds(user, capability):
        return calls.values("id")
    return CallRole.objects.filter(user=user, role__in=roles).values("call_id")


def require(user, capability: str, on=None, message: str = "") -> None:
    """Raise `CapabilityRefused` (403) unless `can(user, capability, on)`."""
    if not can(user, capability, on):
        raise CapabilityRefused(message or "Votre rôle sur cet appel ne permet pas cette action.")


def capability_required(capability: str, load, message: str = ""):
    """View decorator: `load(**url_kwargs)` returns the object the act is on (raising Http404 when absent); the view
    runs as `view(request, obj, **url_kwargs)` only when the user holds `capability` on its call, else 403.
    Anonymous visitors go to the log-in page first (like `login_required`)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = load(**kwargs)
            require(request.user, capability, obj, message)
            return view(request, obj, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator


def table() -> list[tuple[str, list[str], bool]]:
    """The table as rows (capability, role labels, superuser holds it), for the docs and the tests."""
    return [(name, [LABELS[r] for r in sorted(roles)], name not in PERSONAL) for name, roles in CAPABILITIES.items()]
