"""Writes on advisers: invitations (one transition function), threads (one transition function), comments,
accepting a suggested rewording into the answer (through `dossiers.domain.answer_save`), networks.

Each function checks its rules and changes nothing when it refuses (`AdviceError`, a `DossierError`, in French).
Every change is audited with the dossier's id (the dossier's journal) and e-mails go through the outbox.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from fabriques.accounts.models import User
from fabriques.advice import rules
from fabriques.advice.enums import (
    COMMENT_MAX_LENGTH,
    INVITATION_MAX_DAYS,
    INVITATION_TRANSITIONS,
    LIVE_INVITATION_STATES,
    MESSAGE_MAX_LENGTH,
    THREAD_TRANSITIONS,
    AreaKind,
    InvitationState,
    NetworkRole,
    ThreadState,
)
from fabriques.advice.models import AdviserInvitation, Comment, Network, NetworkArea, NetworkMember, Thread
from fabriques.audit.domain import audit_record
from fabriques.dossiers import rules as dossier_rules
from fabriques.dossiers.domain import ConflictError, DossierError, answer_save
from fabriques.dossiers.models import Answer
from fabriques.mail.domain import email_queue
from fabriques.territory.enums import REGION_NAMES

PARIS = ZoneInfo("Europe/Paris")


class AdviceError(DossierError):
    """A refused write on advisers, threads or networks; the message is for the person."""


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _audit(action: str, obj, *, by, dossier, after=None, before=None, reason: str = "") -> None:
    audit_record(action=action, obj=obj, by=by, before=before, after=after, reason=reason,
                 dossier_id=dossier.pk, call_id=dossier.wave.call_id)


# --- Invitations ---------------------------------------------------------------------------------


def invitation_transition(invitation: AdviserInvitation, to: str, *, by, reason: str = "") -> AdviserInvitation:
    """The only writer of `AdviserInvitation.state`: checks the table, saves, audits, queues the e-mail."""
    before = invitation.state
    if to not in INVITATION_TRANSITIONS[before]:
        raise AdviceError(
            f"Cette invitation est « {InvitationState(before).label} » : elle ne peut plus devenir "
            f"« {InvitationState(to).label} »."
        )
    values = {"state": to}
    if to == InvitationState.ACCEPTED:
        values.update(accepted_at=timezone.now(), accepted_by=by)
    else:
        values["ended_at"] = timezone.now()
    dossier = invitation.dossier
    with transaction.atomic():
        updated = AdviserInvitation.objects.filter(pk=invitation.pk, state=before).update(**values)
        if not updated:
            raise AdviceError("Cette invitation vient d’être modifiée par quelqu’un d’autre : rechargez la page.")
        for field, value in values.items():
            setattr(invitation, field, value)
        _audit(f"advice.invitation_{to}", invitation, by=by, dossier=dossier, before={"state": before},
               after={"state": to, "adviser": invitation.adviser_label}, reason=reason)
        _invitation_mail(invitation, to, by=by)
    return invitation


def _invitation_mail(invitation: AdviserInvitation, to: str, *, by) -> None:
    dossier = invitation.dossier
    if to == InvitationState.ACCEPTED:
        email_queue(
            to=[invitation.invited_by.email],
            subject=f"[Fabriques] {invitation.adviser_label} accompagne le dossier {dossier.reference}",
            body=(f"Bonjour,\n\n{by.email} a accepté votre invitation à relire le dossier {dossier.reference}.\n"
                  f"Ses commentaires apparaîtront critère par critère :\n"
                  f"{_link('advice:dossier', dossier.uuid)}\n\nL’équipe Fabriques"),
        )
    elif to == InvitationState.REVOKED:
        email_queue(
            to=_adviser_addresses(invitation),
            subject=f"[Fabriques] Fin de votre accompagnement du dossier {dossier.reference}",
            body=(f"Bonjour,\n\nL’accès au dossier {dossier.reference} ({dossier.organisation.name}) "
                  "qui vous avait été ouvert pour le relire a été retiré par le porteur.\n\nL’équipe Fabriques"),
        )


def _adviser_addresses(invitation: AdviserInvitation) -> list[str]:
    if invitation.network_id is None:
        return [invitation.email]
    members = list(invitation.network.members.values_list("user__email", flat=True))
    return sorted({invitation.network.contact_email, *members})


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PARIS)


def _invite_check(*, dossier, by, email: str, network, ends_on: dt.date, criteria, message: str) -> None:
    if not rules.can_manage_advisers(by, dossier):
        raise AdviceError("Seuls le responsable du dossier et les membres de l’organisation invitent des conseillers.")
    if not dossier_rules.content_editable(dossier):
        raise AdviceError("Le dossier n’est plus modifiable : il n’est plus possible d’inviter un conseiller.")
    if bool(email) == (network is not None):
        raise AdviceError("Indiquez soit l’adresse électronique d’un conseiller, soit un réseau d’accompagnement.")
    if network is not None and not network.listed:
        raise AdviceError("Ce réseau n’est pas encore proposé aux porteurs.")
    if email and email == by.email.lower():
        raise AdviceError("Vous ne pouvez pas vous inviter vous-même comme conseiller.")
    today = timezone.localdate()
    if ends_on < today:
        raise AdviceError("La date de fin de l’accompagnement est passée : choisissez une date à venir.")
    if ends_on > today + dt.timedelta(days=INVITATION_MAX_DAYS):
        raise AdviceError("Un accompagnement dure au plus un an : choisissez une date de fin plus proche.")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise AdviceError(f"Le message compte {len(message)} caractères pour {MESSAGE_MAX_LENGTH} au plus.")
    if criteria is not None:
        allowed = set(dossier.track.criteria.values_list("pk", flat=True))
        if not criteria:
            raise AdviceError("Choisissez au moins un critère, ou tout le dossier.")
        if any(c.pk not in allowed for c in criteria):
            raise AdviceError("Un des critères choisis n’appartient pas à l’entrée du dossier.")


def adviser_invite(*, dossier, by, ends_on: dt.date, email: str = "", network: Network | None = None,
                   criteria=None, sees_budget: bool = False, sees_attachments: bool = False,
                   message: str = "") -> AdviserInvitation:
    """Invite one adviser (by e-mail, or a listed network) to read the dossier until `ends_on` (Paris time) on
    the whole dossier (`criteria` None) or the given criteria of its track; the link is e-mailed."""
    email = (email or "").strip().lower()
    criteria = None if criteria is None else list(criteria)
    _invite_check(dossier=dossier, by=by, email=email, network=network, ends_on=ends_on, criteria=criteria,
                  message=message)
    live = dossier.adviser_invitations.filter(state__in=LIVE_INVITATION_STATES, expires_at__gt=timezone.now())
    if live.filter(email=email, network=network).exists():
        raise AdviceError(f"{email or network.name} est déjà invité sur ce dossier : retirez d’abord l’invitation.")
    with transaction.atomic():
        invitation = AdviserInvitation.objects.create(
            dossier=dossier, email=email, network=network, whole_dossier=criteria is None,
            sees_budget=sees_budget, sees_attachments=sees_attachments, message=message.strip(),
            expires_at=end_of_day(ends_on), invited_by=by,
        )
        if criteria:
            invitation.criteria.set(criteria)
        scope = "tout le dossier" if criteria is None else ", ".join(c.title for c in criteria)
        _audit("advice.invite", invitation, by=by, dossier=dossier,
               after={"adviser": invitation.adviser_label, "scope": scope, "ends_on": ends_on.isoformat(),
                      "budget": sees_budget, "attachments": sees_attachments})
        email_queue(to=_adviser_addresses(invitation),
                    subject=f"[Fabriques] Invitation à relire le dossier {dossier.reference}",
                    body=_invite_body(invitation, by=by, scope=scope, ends_on=ends_on))
    return invitation


def _invite_body(invitation: AdviserInvitation, *, by, scope: str, ends_on: dt.date) -> str:
    dossier = invitation.dossier
    if invitation.network_id:
        how = (f"Les membres du réseau {invitation.network.name} retrouvent cette invitation sur la page du réseau :\n"
               f"{_link('advice:network-dossiers', invitation.network.slug)}")
    else:
        how = ("Ouvrez ce lien (un compte est créé avec cette adresse si vous n’en avez pas) :\n"
               f"{_link('advice:accept', invitation.token)}")
    note = f"\n\nSon message : « {invitation.message} »" if invitation.message else ""
    return (f"Bonjour,\n\n{by.email} vous invite à relire et commenter le dossier {dossier.reference} "
            f"({dossier.organisation.name}), jusqu’au {ends_on:%d/%m/%Y} inclus. Périmètre : {scope}.{note}\n\n"
            f"{how}\n\nVous lirez le brouillon avec les consignes de l’appel et commenterez critère par critère ; "
            "vous ne modifiez jamais le dossier vous-même.\n\nL’équipe Fabriques")


def _expire_if_due(invitation: AdviserInvitation) -> None:
    if invitation.state in LIVE_INVITATION_STATES and invitation.expires_at <= timezone.now():
        with transaction.atomic():
            invitation_transition(invitation, InvitationState.EXPIRED, by=None, reason="date de fin atteinte")
        raise AdviceError("Cette invitation a expiré : demandez au porteur de vous inviter à nouveau.")


def invitation_accept(*, token: str, user) -> AdviserInvitation:
    """Accept an e-mail invitation addressed to the user's address; refused once revoked or expired."""
    invitation = (AdviserInvitation.objects.select_related("dossier__wave", "dossier__organisation", "invited_by")
                  .filter(token=token, network__isnull=True).first())
    if invitation is None or invitation.state == InvitationState.REVOKED:
        raise AdviceError("Cette invitation n’existe pas ou a été retirée par le porteur.")
    _expire_if_due(invitation)
    if invitation.email != user.email.lower():
        raise AdviceError(f"Cette invitation est adressée à {invitation.email} ; connectez-vous avec cette adresse.")
    if invitation.state == InvitationState.ACCEPTED:
        if invitation.accepted_by_id != user.pk:
            raise AdviceError("Cette invitation a déjà été acceptée.")
        return invitation
    if invitation.state != InvitationState.PENDING:
        raise AdviceError("Cette invitation a expiré : demandez au porteur de vous inviter à nouveau.")
    return invitation_transition(invitation, InvitationState.ACCEPTED, by=user)


def adviser_account_create(*, token: str, password: str):
    """An invitee without an account creates one from the invitation (the link proves the address) and accepts
    it; returns the user. The password was checked by Django's validators in the form."""
    from allauth.account.models import EmailAddress


    invitation = AdviserInvitation.objects.filter(token=token, network__isnull=True).first()
    if invitation is None or invitation.state == InvitationState.REVOKED:
        raise AdviceError("Cette invitation n’existe pas ou a été retirée par le porteur.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AdviceError(f"Un compte utilise déjà {invitation.email} : connectez-vous pour accepter l’invitation.")
    with transaction.atomic():
        user = User.objects.create_user(invitation.email, password)
        EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
        audit_record(action="account.create_by_adviser_invitation", obj=user, by=user,
                     after={"email": invitation.email})
        invitation_accept(token=token, user=user)
    return user


def network_invitation_accept(*, invitation: AdviserInvitation, user) -> AdviserInvitation:
    """A member of the invited network takes the invitation on; every member then reads the dossier."""
    if invitation.network_id is None or not rules.is_network_member(user, invitation.network):
        raise AdviceError("Seuls les membres du réseau invité peuvent accepter cette invitation.")
    _expire_if_due(invitation)
    if invitation.state != InvitationState.PENDING:
        raise AdviceError(f"Cette invitation est « {invitation.get_state_display()} ».")
    return invitation_transition(invitation, InvitationState.ACCEPTED, by=user)


def invitation_revoke(*, invitation: AdviserInvitation, by) -> AdviserInvitation:
    """The applicant ends an adviser's access at once; their comments stay for the applicant."""
    if not rules.can_manage_advisers(by, invitation.dossier):
        raise AdviceError("Seuls le responsable du dossier et les membres de l’organisation retirent un conseiller.")
    return invitation_transition(invitation, InvitationState.REVOKED, by=by, reason="retirée par le porteur")


def invitations_expire(*, now=None) -> int:
    """Worker: invitations past their end date become expired (audited); returns how many."""
    now = now or timezone.now()
    due = (AdviserInvitation.objects.filter(state__in=LIVE_INVITATION_STATES, expires_at__lte=now)
           .select_related("dossier__wave", "network")[:200])
    count = 0
    for invitation in due:
        try:
            with transaction.atomic():
                invitation_transition(invitation, InvitationState.EXPIRED, by=None, reason="date de fin atteinte")
        except AdviceError:
            continue  # changed meanwhile
        count += 1
    return count


# --- Threads and comments -----------------------------------------------------------------------


def _clean_text(body: str, suggestion: str, criterion) -> tuple[str, str]:
    body, suggestion = (body or "").replace("\r\n", "\n").strip(), (suggestion or "").replace("\r\n", "\n").strip()
    if not body and not suggestion:
        raise AdviceError("Le commentaire est vide : écrivez votre remarque ou une reformulation.")
    if len(body) > COMMENT_MAX_LENGTH:
        raise AdviceError(f"Le commentaire compte {len(body)} caractères pour {COMMENT_MAX_LENGTH} au plus : "
                          "raccourcissez-le ; rien n’a été enregistré.")
    if criterion.max_length and len(suggestion) > criterion.max_length:
        raise AdviceError(f"La reformulation compte {len(suggestion)} caractères pour {criterion.max_length} au plus "
                          "(la longueur permise pour ce critère) ; rien n’a été enregistré.")
    return body, suggestion


def _ensure_adviser(invitation: AdviserInvitation, user) -> None:
    if not rules.is_adviser_of(user, invitation):
        raise AdviceError("Vous n’avez plus accès à ce dossier : l’invitation a été retirée ou a expiré.")


def thread_open(*, invitation: AdviserInvitation, criterion, by, body: str, suggestion: str = "") -> Thread:
    """An adviser comments one criterion in their scope (optionally with a rewording): a new open thread."""
    _ensure_adviser(invitation, by)
    if not rules.in_scope(invitation, criterion.pk):
        raise AdviceError("Ce critère n’est pas dans le périmètre de votre accompagnement.")
    body, suggestion = _clean_text(body, suggestion, criterion)
    dossier = invitation.dossier
    with transaction.atomic():
        thread = Thread.objects.create(invitation=invitation, dossier=dossier, criterion=criterion)
        Comment.objects.create(thread=thread, author=by, by_adviser=True, body=body, suggestion=suggestion)
        _audit("advice.thread_open", thread, by=by, dossier=dossier,
               after={"criterion": criterion.code, "suggestion": bool(suggestion)})
        email_queue(to=[dossier.owner.email],
                    subject=f"[Fabriques] Nouveau commentaire sur le dossier {dossier.reference}",
                    body=(f"Bonjour,\n\n{by.email} a commenté le critère « {criterion.title} » du dossier "
                          f"{dossier.reference}.\n{_link('dossiers:answer', dossier.uuid, criterion.code)}\n\n"
                          "L’équipe Fabriques"))
    return thread


def comment_reply(*, thread: Thread, by, body: str, suggestion: str = "") -> Comment:
    """A reply by the thread's adviser or by the applicant side; only advisers suggest rewordings."""
    dossier = thread.dossier
    by_adviser = rules.is_adviser_of(by, thread.invitation)
    if not by_adviser and not rules.can_discuss(by, dossier):
        raise AdviceError("Vous n’avez plus accès à ce dossier : l’invitation a été retirée ou a expiré.")
    if suggestion and not by_adviser:
        raise AdviceError("Seul le conseiller propose une reformulation ; modifiez directement votre réponse.")
    body, suggestion = _clean_text(body, suggestion, thread.criterion)
    with transaction.atomic():
        comment = Comment.objects.create(thread=thread, author=by, by_adviser=by_adviser, body=body,
                                         suggestion=suggestion)
        _audit("advice.comment", comment, by=by, dossier=dossier,
               after={"criterion": thread.criterion.code, "adviser": by_adviser, "suggestion": bool(suggestion)})
    return comment


def thread_transition(thread: Thread, to: str, *, by) -> Thread:
    """The only writer of `Thread.state` (open ↔ resolved); the applicant side or the thread's adviser."""
    if not (rules.can_discuss(by, thread.dossier) or rules.is_adviser_of(by, thread.invitation)):
        raise AdviceError("Vous n’avez pas accès à ce fil de commentaires.")
    before = thread.state
    if to not in THREAD_TRANSITIONS[before]:
        raise AdviceError(f"Ce fil est déjà « {ThreadState(before).label} ».")
    resolved = to == ThreadState.RESOLVED
    with transaction.atomic():
        updated = Thread.objects.filter(pk=thread.pk, state=before).update(
            state=to, resolved_at=timezone.now() if resolved else None, resolved_by=by if resolved else None)
        if not updated:
            raise AdviceError("Ce fil vient d’être modifié par quelqu’un d’autre : rechargez la page.")
        thread.state = to
        _audit(f"advice.thread_{to}", thread, by=by, dossier=thread.dossier, before={"state": before},
               after={"state": to, "criterion": thread.criterion.code})
    return thread


def suggestion_accept(*, comment: Comment, base_version: int, by):
    """Put an adviser's rewording into the answer in one step, through `answer_save` (versions and concurrency
    apply: a stale `base_version` raises `ConflictError` and nothing changes). Returns the saved answer."""
    thread = comment.thread
    dossier = thread.dossier
    if not rules.can_discuss(by, dossier):
        raise AdviceError("Seules les personnes qui rédigent le dossier acceptent une reformulation.")
    if not comment.by_adviser or not comment.suggestion:
        raise AdviceError("Ce commentaire ne propose pas de reformulation.")
    if comment.suggestion_accepted_at is not None:
        raise AdviceError("Cette reformulation a déjà été reprise dans la réponse.")
    with transaction.atomic():
        # Strict here: answer_save forgives a person's own save of a moment ago (autosave racing « Enregistrer »),
        # but a suggestion accepted from a page older than the answer must never replace what was typed since.
        current = (Answer.objects.select_for_update(of=("self",)).select_related("updated_by")
                   .filter(dossier=dossier, criterion=thread.criterion).first())
        if current is None and base_version != 0:
            raise AdviceError("La réponse a été effacée entre-temps : rechargez la page.")
        if current is not None and current.version != base_version:
            raise ConflictError(theirs=current.text, their_version=current.version,
                                their_author=current.updated_by.email if current.updated_by else "Une autre personne",
                                their_at=current.updated_at)
        answer = answer_save(dossier=dossier, criterion=thread.criterion, text=comment.suggestion,
                             base_version=base_version, by=by)
        updated = Comment.objects.filter(pk=comment.pk, suggestion_accepted_at__isnull=True).update(
            suggestion_accepted_at=timezone.now(), suggestion_accepted_by=by)
        if not updated:
            raise AdviceError("Cette reformulation a déjà été reprise dans la réponse.")
        _audit("advice.suggestion_accept", comment, by=by, dossier=dossier,
               after={"criterion": thread.criterion.code, "answer_version": answer.version})
    return answer


def dossier_advice_erase(*, dossier) -> int:
    """Retention: the dossier's threads and comments go with its content; invitations stay as the journal's
    subjects, without their message. Returns the number of comments deleted."""
    count = Comment.objects.filter(thread__dossier=dossier).count()
    Thread.objects.filter(dossier=dossier).delete()
    AdviserInvitation.objects.filter(dossier=dossier).update(message="")
    return count


# --- Networks ------------------------------------------------------------------------------------


def _areas(regions: list[str], departements: list[str]) -> list[tuple[str, str]]:
    unknown = [code for code in regions if code not in REGION_NAMES]
    if unknown:
        raise AdviceError(f"Région inconnue : {', '.join(unknown)}.")
    if not regions and not departements:
        raise AdviceError("Indiquez au moins une région ou un département couvert par le réseau.")
    return [(AreaKind.REGION, c) for c in regions] + [(AreaKind.DEPARTEMENT, c) for c in departements]


def network_register(*, by, name: str, contact_email: str, regions: list[str], departements: list[str],
                     description: str = "", website: str = "") -> Network:
    """Register a network of advisers; its author becomes its manager. It is proposed to applicants once the
    platform's staff has checked it (`listed`)."""
    name = name.strip()
    if not name:
        raise AdviceError("Indiquez le nom du réseau.")
    areas = _areas(regions, departements)
    base = slugify(name)[:70] or "reseau"
    slug, n = base, 1
    while Network.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        network = Network.objects.create(slug=slug, name=name, description=description.strip(),
                                         contact_email=contact_email.strip().lower(), website=website.strip(),
                                         created_by=by)
        NetworkArea.objects.bulk_create(NetworkArea(network=network, kind=k, code=c) for k, c in areas)
        NetworkMember.objects.create(network=network, user=by, role=NetworkRole.MANAGER)
        audit_record(action="advice.network_register", obj=network, by=by,
                     after={"name": name, "areas": [f"{k}:{c}" for k, c in areas]})
    return network


def network_list(*, network: Network, listed: bool, by) -> Network:
    """The platform's staff proposes (or stops proposing) a network to applicants."""
    if not (by.is_authenticated and by.is_superuser):
        raise AdviceError("Seule l’équipe de la plateforme propose un réseau aux porteurs.")
    with transaction.atomic():
        Network.objects.filter(pk=network.pk).update(listed=listed)
        network.listed = listed
        audit_record(action="advice.network_listed" if listed else "advice.network_unlisted", obj=network, by=by)
    return network


def network_member_add(*, network: Network, email: str, by) -> NetworkMember:
    """A manager adds a person with an account; the person is told by e-mail."""
    if not network.members.filter(user=by, role=NetworkRole.MANAGER).exists():
        raise AdviceError("Seuls les responsables du réseau ajoutent des membres.")
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise AdviceError(f"Aucun compte n’utilise l’adresse {email} : demandez à la personne de créer son compte, "
                          "puis ajoutez-la.")
    if network.members.filter(user=user).exists():
        raise AdviceError(f"{email} est déjà membre du réseau.")
    with transaction.atomic():
        member = NetworkMember.objects.create(network=network, user=user)
        audit_record(action="advice.network_member_add", obj=network, by=by, after={"email": email})
        email_queue(to=[email], subject=f"[Fabriques] Vous êtes membre du réseau {network.name}",
                    body=(f"Bonjour,\n\n{by.email} vous a ajouté au réseau {network.name}. Les dossiers qui invitent "
                          f"le réseau sont listés ici :\n{_link('advice:network-dossiers', network.slug)}\n\n"
                          "L’équipe Fabriques"))
    return member
