"""Users (log-in by e-mail), their roles per call, and invitations of agents."""

import secrets

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from fabriques.accounts.enums import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. Identified by e-mail; no username."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email


class CallRole(models.Model):
    """A role held by a user on one call (instructor, evaluator, committee, admin)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_roles")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "call", "role"], name="unique_role_per_call"),
        ]
        indexes = [models.Index(fields=["call", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.call_id}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An agent invited by a programme admin; accepting grants the role on the call."""

    email = models.EmailField("adresse électronique")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="invitations_accepted",
    )

    class Meta:
        indexes = [models.Index(fields=["call", "email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"
