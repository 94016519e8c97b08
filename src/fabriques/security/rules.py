"""Who must hold a second factor."""

from fabriques.accounts.capabilities import can


def must_use_second_factor(user) -> bool:
    """Agents (any agent role on any call) and staff; applicants are not forced."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return can(user, "agent.space")


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
