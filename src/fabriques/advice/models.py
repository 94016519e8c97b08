"""Advisers on a dossier: networks of advisers, invitations with a scope and an end, comment threads per criterion.

`AdviserInvitation.state` is written only by `domain.invitation_transition`, `Thread.state` only by
`domain.thread_transition`. Comments are the applicant's and their advisers' only: no agent page, export or
deposited snapshot reads this app.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from fabriques.advice.enums import AreaKind, InvitationState, NetworkRole, ThreadState
from fabriques.territory.enums import REGION_NAMES


def _token() -> str:
    return secrets.token_urlsafe(32)


class Network(models.Model):
    """An organisation of advisers (a regional network of tiers-lieux…): members, territory, public contact."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("présentation", blank=True)
    contact_email = models.EmailField("adresse de contact")
    website = models.URLField("site internet", blank=True)
    listed = models.BooleanField(
        "proposé aux porteurs", default=False,
        help_text="vérifié par l’équipe de la plateforme : affiché sur les pages publiques et proposé aux porteurs",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "réseau d’accompagnement"
        verbose_name_plural = "réseaux d’accompagnement"

    def __str__(self) -> str:
        return self.name


class NetworkArea(models.Model):
    """One région or département the network covers."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=12, choices=AreaKind.choices)
    code = models.CharField(max_length=3)

    class Meta:
        ordering = ["network", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["network", "kind", "code"], name="unique_network_area")]
        indexes = [models.Index(fields=["kind", "code"])]

    @property
    def label(self) -> str:
        if self.kind == AreaKind.REGION:
            return REGION_NAMES.get(self.code, self.code)
        return f"département {self.code}"


class NetworkMember(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships")
    role = models.CharField(max_length=10, choices=NetworkRole.choices, default=NetworkRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "joined_at"]
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="unique_network_member")]


class AdviserInvitation(models.Model):
    """An adviser (a person by e-mail, or a network whose members share it) invited to read and comment a dossier."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="adviser_invitations")
    email = models.EmailField("adresse électronique", blank=True)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    state = models.CharField(max_length=10, choices=InvitationState.choices, default=InvitationState.PENDING,
                             db_index=True)
    whole_dossier = models.BooleanField("tout le dossier", default=True)
    criteria = models.ManyToManyField("calls.Criterion", blank=True, related_name="+")
    sees_budget = models.BooleanField("voit le budget", default=False)
    sees_attachments = models.BooleanField("voit les pièces jointes", default=False)
    message = models.TextField("message", blank=True)
    expires_at = models.DateTimeField("fin de l’accompagnement")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="advisings")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="revoked or expired at")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(network__isnull=True) & ~models.Q(email=""))
                | (models.Q(network__isnull=False) & models.Q(email="")),
                name="adviser_invitation_email_xor_network",
            ),
        ]

    def __str__(self) -> str:
        return self.adviser_label

    @property
    def adviser_label(self) -> str:
        return self.network.name if self.network_id else self.email


class Thread(models.Model):
    """Comments on one criterion of the dossier, opened by an adviser; open or resolved."""

    invitation = models.ForeignKey(AdviserInvitation, on_delete=models.CASCADE, related_name="threads")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="advice_threads")
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=ThreadState.choices, default=ThreadState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["criterion__position", "created_at"]
        indexes = [models.Index(fields=["dossier", "criterion"])]


class Comment(models.Model):
    """One message of a thread; an adviser's may carry a suggested rewording of the answer."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_adviser = models.BooleanField(default=False)
    body = models.TextField()
    suggestion = models.TextField("reformulation proposée", blank=True)
    suggestion_accepted_at = models.DateTimeField(null=True, blank=True)
    suggestion_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                               blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["thread", "created_at", "id"]
