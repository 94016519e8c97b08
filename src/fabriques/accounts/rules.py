"""Permission predicates on accounts and roles; used by views, API and templates alike."""

from fabriques.accounts.capabilities import can


def can_invite_agents(user, call) -> bool:
    """Only a programme admin of the call (or a superuser) invites agents."""
    return can(user, "agents.invite", call)
