"""Depositing and withdrawing a dossier: the deadline rule, idempotent deposits, the proof of deposit."""

from __future__ import annotations

import datetime as dt
import secrets
import time

from django.conf import settings
from django.core import signing
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from fabriques.audit.domain import audit_batch, audit_record_many
from fabriques.dossiers import queries, rules
from fabriques.dossiers.domain import DossierError, _closing_text, fingerprint
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier, DossierVersion
from fabriques.dossiers.proof import proof_filename, proof_pdf
from fabriques.dossiers.workflow import dossier_transition
from fabriques.mail.domain import Attachment, email_queue

_SALT = "fabriques.dossiers.deposit"


class DepositRefusedError(DossierError):
    """A deposit that cannot be accepted; `missing` lists what to complete."""

    def __init__(self, message: str, missing: list | None = None):
        super().__init__(message)
        self.missing = missing or []


def grace_seconds() -> int:
    """Seconds after the closing time during which a deposit started before it is still accepted."""
    return settings.FABRIQUES_DEPOSIT_GRACE_SECONDS


def deposit_key_issue(*, dossier: Dossier, at=None) -> str:
    """A signed, single-use key put in the deposit form: it carries when the deposit was started."""
    issued = int((at or timezone.now()).timestamp())
    return signing.dumps({"d": str(dossier.uuid), "t": issued, "n": secrets.token_hex(8)}, salt=_SALT)


def _key_started_at(dossier: Dossier, key: str) -> dt.datetime:
    try:
        data = signing.loads(key, salt=_SALT)
    except signing.BadSignature:
        raise DepositRefusedError("Ce formulaire de dépôt n’est pas valide : rechargez la page.") from None
    if data.get("d") != str(dossier.uuid):
        raise DepositRefusedError("Ce formulaire de dépôt concerne un autre dossier : rechargez la page.")
    return dt.datetime.fromtimestamp(data["t"], tz=dt.UTC)


def deposit_window_open(*, wave, at: dt.datetime, started_at: dt.datetime | None = None) -> bool:
    """Open from `opens_at` to just before `closes_at`; a deposit started before may finish within the grace."""
    if wave.is_open(at):
        return True
    grace = grace_seconds()
    return bool(
        grace and started_at is not None and wave.opens_at <= started_at < wave.closes_at
        and at < wave.closes_at + dt.timedelta(seconds=grace)
    )


def dossier_version_create(*, dossier: Dossier, by, at, submission_key: str, content=None,
                           number: int | None = None) -> DossierVersion:
    """The dossier's next numbered version: its canonical snapshot (from `content` when the caller already read it)
    and the snapshot's SHA-256. The caller holds the dossier's lock and audits the version (deposit, complements);
    `number`: the next number when the caller already counted the versions under that lock."""
    snapshot = queries.dossier_snapshot(dossier, content)
    number = number or dossier.versions.count() + 1
    snapshot["version"] = number
    return DossierVersion.objects.create(dossier=dossier, number=number, snapshot=snapshot,
                                         sha256=fingerprint(snapshot), deposited_at=at, deposited_by=by,
                                         submission_key=submission_key)


def dossier_deposit(*, dossier: Dossier, by, submission_key: str, at=None) -> DossierVersion:
    """Deposit once per submission key, only while the wave is open and the dossier complete; new version each time."""
    at = at or timezone.now()
    started_at = _key_started_at(dossier, submission_key)  # the key is signed for this dossier only
    if not rules.can_deposit(by, dossier):
        raise DepositRefusedError("Seuls le responsable du dossier et les membres de l’organisation peuvent déposer.")
    # One audit write for the version, the transition and the routing, at the end (on PostgreSQL the chain's lock
    # is then held only for the last statements before the commit, not for the whole deposit).
    with transaction.atomic(), audit_batch():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related(
            "wave__call", "track", "organisation__commune", "place_commune", "owner"
        ).get(pk=dossier.pk)
        # Under the dossier's lock: a second click or a retried request finds the first one's version. One read gives
        # both that and the number of versions (the next version's number).
        keys = dict(locked.versions.order_by().values_list("submission_key", "pk"))
        if submission_key in keys:
            return DossierVersion.objects.get(pk=keys[submission_key])
        if locked.state not in (DossierState.DRAFT, DossierState.DEPOSITED):
            raise DepositRefusedError(f"Le dossier est « {locked.get_state_display()} » : il ne peut plus être déposé.")
        if not deposit_window_open(wave=locked.wave, at=at, started_at=started_at):
            if at < locked.wave.opens_at:
                raise DepositRefusedError("La vague n’est pas encore ouverte.")
            raise DepositRefusedError(f"Le dépôt est clos : la vague a été clôturée {_closing_text(locked)}.")
        content = queries.dossier_content(locked)
        missing = queries.missing_items(locked, content)
        if missing:
            raise DepositRefusedError("Le dossier n’est pas complet.", missing=missing)
        version = dossier_version_create(dossier=locked, by=by, at=at, submission_key=submission_key, content=content,
                                         number=len(keys) + 1)
        number = version.number
        entries = [{"action": "dossier.version", "obj": version, "by": by, "dossier_id": locked.pk,
                    "call_id": locked.wave.call_id, "after": {"number": number, "sha256": version.sha256}}]
        deferred = _proof_deferred()  # the rush: both e-mails of the deposit leave from the worker, not the request
        if locked.state == DossierState.DRAFT:
            # The state was read under the lock above; the deposit's date goes in the transition's UPDATE.
            dossier_transition(locked, DossierState.DEPOSITED, by=by, reason=f"version {number}", defer_email=deferred,
                               locked=True, also={"last_deposited_at": at})
        else:
            locked.last_deposited_at = at
            locked.save(update_fields=["last_deposited_at"])
            entries.insert(0, {"action": "dossier.redeposit", "obj": locked, "by": by, "after": {"version": number},
                               "dossier_id": locked.pk, "call_id": locked.wave.call_id})
        audit_record_many(entries=entries)
        if getattr(settings, "FABRIQUES_DEPOSIT_PROOF_EMAIL", True):
            proof_email_queue(version=version, defer=deferred)
    dossier.state, dossier.last_deposited_at = locked.state, at
    return version


def dossier_deposit_retrying(*, dossier: Dossier, by, submission_key: str, attempts: int = 3,
                             pause: float = 1.0) -> DossierVersion:
    """`dossier_deposit`, tried again on a new connection when the database connection was lost (restart, failover).

    Safe because the key is single-use: if the lost commit had in fact gone through, the next attempt finds its
    version under the dossier's lock and returns it. Only a broken connection is retried, outside any transaction;
    a refusal, a read-only database or a lock wait over the timeout is not (the person gets the 503 page).
    """
    for attempt in range(1, attempts + 1):
        try:
            return dossier_deposit(dossier=dossier, by=by, submission_key=submission_key)
        except (OperationalError, InterfaceError):
            if attempt == attempts or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


PROOF_RENDERER = "dossiers.proof"


def _proof_deferred() -> bool:
    """Whether the deposit's e-mails are left to the job worker (deadline rush: the proof's PDF costs ~1 s of CPU, and
    sending the notice of deposit from the request cost a connection to the relay and one more write after the
    commit)."""
    return bool(getattr(settings, "FABRIQUES_DEPOSIT_PROOF_QUEUE", False))


def proof_render(key: str) -> bytes:
    """The outbox's renderer of the proof of deposit (`key`: the version's id), run at the first sending attempt."""
    return proof_pdf(DossierVersion.objects.select_related("dossier").get(pk=int(key)))


def proof_email_queue(*, version: DossierVersion, defer: bool = False) -> None:
    """Queue the proof of deposit (PDF attached, drawn by the outbox when it sends) to the owner and to the person who
    deposited, in the caller's transaction: it leaves after the commit (or from the worker when `defer`)."""
    dossier = version.dossier
    deposited = timezone.localtime(version.deposited_at)
    email_queue(
        to=sorted({dossier.owner.email, version.deposited_by.email}),
        subject=f"[Fabriques] Attestation de dépôt — {dossier.reference} (version {version.number})",
        body=(
            f"Bonjour,\n\nLe dossier {dossier.reference} a été déposé le {deposited:%d/%m/%Y à %H:%M:%S} "
            f"(heure de Paris), version {version.number}.\n\nEmpreinte SHA-256 du contenu déposé :\n"
            f"{version.sha256}\n\nL’attestation de dépôt est jointe à ce message.\n\nL’équipe Fabriques"
        ),
        attachments=[Attachment(filename=proof_filename(version), renderer=PROOF_RENDERER, key=str(version.pk))],
        defer=defer,
    )


def proofs_send_queued(limit: int = 20) -> int:
    """Job runner: proofs queued by the former proof queue (`proof_queued`) move to the outbox, each once."""
    moved = 0
    queued = DossierVersion.objects.filter(proof_queued=True).order_by("pk").values_list("pk", flat=True)
    for pk in list(queued[:limit]):
        with transaction.atomic():
            if not DossierVersion.objects.filter(pk=pk, proof_queued=True).update(proof_queued=False):
                continue  # another worker took it
            version = DossierVersion.objects.select_related("dossier__owner", "deposited_by").get(pk=pk)
            proof_email_queue(version=version, defer=True)
        moved += 1
    return moved


def dossier_withdraw(*, dossier: Dossier, by, reason: str = "") -> Dossier:
    """Withdraw the dossier before any decision; only the owner or an organisation member may."""
    if not rules.can_deposit(by, dossier):
        raise DossierError("Seuls le responsable du dossier et les membres de l’organisation peuvent le retirer.")
    return dossier_transition(dossier, DossierState.WITHDRAWN, by=by, reason=reason)
