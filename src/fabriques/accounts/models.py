"""Users (log-in by e-mail), their roles per call, and invitations of agents."""

import re
import secrets

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from fabriques.accounts.enums import OrganisationRole, Role


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


_SIRET = re.compile(r"^[0-9]{14}$")
# La Poste's establishments share the SIREN 356000000 and use a digit-sum rule instead of Luhn.
_LA_POSTE_SIREN = "356000000"


def siret_normalise(value: str) -> str:
    """Remove the spaces and dots people type inside a SIRET."""
    return re.sub(r"[\s.\u00a0]", "", value or "")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET has 14 digits and a valid Luhn key (La Poste: digit sum multiple of 5)."""
    siret = siret_normalise(value)
    if not _SIRET.match(siret):
        raise ValidationError("Le SIRET doit compter exactement 14 chiffres.", code="siret_format")
    la_poste_ok = siret.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0
    if not (_luhn_ok(siret) or la_poste_ok):
        raise ValidationError(
            "Ce SIRET n’est pas valide : sa clé de contrôle ne correspond pas. Vérifiez les chiffres saisis.",
            code="siret_key",
        )


class Organisation(models.Model):
    """The applicant's legal person; several people may act for it."""

    name = models.CharField("raison sociale", max_length=200)
    legal_form = models.CharField("forme juridique", max_length=40, help_text="code d’une forme de l’appel")
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret], db_index=True)
    address = models.CharField("adresse", max_length=300)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    # What the company directory (accounts.company_lookup) said of this SIRET at the last save; empty when it was
    # off or did not answer (the organisation was then typed by hand).
    legal_category = models.CharField("catégorie juridique (Insee)", max_length=4, blank=True)
    naf = models.CharField("code NAF", max_length=6, blank=True)
    rna = models.CharField("numéro RNA", max_length=10, blank=True)
    registry_active = models.BooleanField("active selon l’annuaire des entreprises", null=True, blank=True)
    registry_checked_at = models.DateTimeField("vérifiée dans l’annuaire le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_organisation_member"),
        ]
