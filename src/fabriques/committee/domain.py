"""Writes of the committee: calibration stored, scenarios solved, decisions staged and applied, letters."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fabriques.audit.domain import audit_record
from fabriques.committee import allocation
from fabriques.committee.calibration import calibrate
from fabriques.committee.candidates import (
    amounts_of,
    candidate_dossiers,
    candidates_for,
    default_targets,
    scenario_for_solver,
    wave_observations,
)
from fabriques.committee.enums import OutboxState, Outcome, PinChoice
from fabriques.committee.models import Decision, OutboxMessage, Scenario, ScenarioAmount, ScenarioPin
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import TransitionError, dossier_transition
from fabriques.evaluation.models import DossierScore, Score
from fabriques.evaluation.queries import counted
from fabriques.mail.domain import Attachment, email_queue
from fabriques.refusal import Refusal

WAITING_LIST_LENGTH = 10


class CommitteeError(Refusal):
    """A committee action that cannot be done; the message is for the person."""


def wave_calibrate(*, wave) -> dict:
    """Recompute and store the calibrated score and uncertainty band of every evaluated dossier of the wave."""
    observations = wave_observations(wave)
    if not observations:
        return {"dossiers": 0, "connected": True, "warning": None}
    result = calibrate(observations=observations, bootstrap_rounds=50, seed=0)
    by_id = {q.dossier_id: q for q in result.dossiers}
    scores = list(DossierScore.objects.filter(dossier_id__in=by_id))
    for score in scores:
        q = by_id[score.dossier_id]
        score.calibrated, score.band_low, score.band_high = q.quality, q.low, q.high
    DossierScore.objects.bulk_update(scores, ["calibrated", "band_low", "band_high"], batch_size=1000)
    return {
        "dossiers": len(scores),
        "connected": result.connected,
        "warning": result.warning,
        "components": result.components,
        "residual_sd": result.residual_sd,
        "biases": {e.evaluator_id: round(e.bias, 3) for e in result.evaluators},
    }


def scenario_create(
    *,
    wave,
    name: str,
    by,
    envelope_eur: int | None = None,
    copy_from: Scenario | None = None,
    use_calibrated: bool = True,
) -> Scenario:
    """A new scenario with the wave's envelope and the call's targets (or a copy of another scenario)."""
    if not name.strip():
        raise CommitteeError("Donnez un nom au scénario.")
    if Scenario.objects.filter(wave=wave, name=name.strip()).exists():
        raise CommitteeError(f"Un scénario « {name} » existe déjà pour cette vague.")
    source = copy_from
    with transaction.atomic():
        scenario = Scenario.objects.create(
            wave=wave,
            name=name.strip(),
            created_by=by,
            envelope_eur=envelope_eur
            if envelope_eur is not None
            else (source.envelope_eur if source else (wave.envelope_eur or 0)),
            max_laureates=source.max_laureates if source else wave.max_laureates,
            use_calibrated=source.use_calibrated if source else use_calibrated,
            targets=list(source.targets) if source else default_targets(wave),
        )
        if source:
            ScenarioPin.objects.bulk_create(
                ScenarioPin(scenario=scenario, dossier_id=p.dossier_id, kind=p.kind, reason=p.reason)
                for p in source.pins.all()
            )
            ScenarioAmount.objects.bulk_create(
                ScenarioAmount(scenario=scenario, dossier_id=a.dossier_id, amount_eur=a.amount_eur, reason=a.reason)
                for a in source.amounts.all()
            )
        audit_record(
            action="scenario.created", obj=scenario, by=by, after={"name": scenario.name}, call_id=wave.call_id
        )
    return scenario


def scenario_settings(
    *, scenario: Scenario, envelope_eur: int, targets: list[dict], use_calibrated: bool, by
) -> Scenario:
    """Change the envelope, the targets' values and the score used; the last result is cleared."""
    if envelope_eur < 0:
        raise CommitteeError("L’enveloppe doit être positive.")
    before = {"envelope_eur": scenario.envelope_eur, "targets": scenario.targets}
    scenario.envelope_eur, scenario.targets, scenario.use_calibrated = envelope_eur, targets, use_calibrated
    scenario.result, scenario.solved_at = {}, None
    scenario.save(update_fields=["envelope_eur", "targets", "use_calibrated", "result", "solved_at"])
    audit_record(
        action="scenario.settings",
        obj=scenario,
        by=by,
        before=before,
        after={"envelope_eur": envelope_eur, "targets": targets},
        call_id=scenario.wave.call_id,
    )
    return scenario


def scenario_pin(*, scenario: Scenario, dossier, kind: str | None, reason: str, by) -> None:
    """Force a dossier in or out of the scenario with a written reason (kind None removes the pin)."""
    if kind is None:
        ScenarioPin.objects.filter(scenario=scenario, dossier=dossier).delete()
    else:
        if kind not in PinChoice.values:
            raise CommitteeError("Choix inconnu.")
        if not reason.strip():
            raise CommitteeError("Un dossier retenu d’office ou écarté doit l’être avec un motif écrit.")
        ScenarioPin.objects.update_or_create(
            scenario=scenario, dossier=dossier, defaults={"kind": kind, "reason": reason.strip()}
        )
    scenario.result, scenario.solved_at = {}, None
    scenario.save(update_fields=["result", "solved_at"])
    audit_record(
        action="scenario.pin",
        obj=scenario,
        by=by,
        after={"dossier": dossier.reference, "kind": kind},
        reason=reason,
        dossier_id=dossier.pk,
        call_id=scenario.wave.call_id,
    )


def scenario_amount(*, scenario: Scenario, dossier, amount_eur: int | None, reason: str, by) -> None:
    """Adjust the amount granted to a dossier within its track's bounds (None restores the request)."""
    track = dossier.track
    if amount_eur is None:
        ScenarioAmount.objects.filter(scenario=scenario, dossier=dossier).delete()
    else:
        if not track.amount_min_eur <= amount_eur <= track.amount_max_eur:
            raise CommitteeError(
                f"Le montant doit rester entre {track.amount_min_eur:,} € et {track.amount_max_eur:,} €.".replace(
                    ",", "\u202f"
                )
            )
        ScenarioAmount.objects.update_or_create(
            scenario=scenario, dossier=dossier, defaults={"amount_eur": amount_eur, "reason": reason}
        )
    scenario.result, scenario.solved_at = {}, None
    scenario.save(update_fields=["result", "solved_at"])
    audit_record(
        action="scenario.amount",
        obj=scenario,
        by=by,
        after={"dossier": dossier.reference, "amount_eur": amount_eur},
        reason=reason,
        dossier_id=dossier.pk,
        call_id=scenario.wave.call_id,
    )


def scenario_solve(*, scenario: Scenario, by) -> Scenario:
    """Recalibrate the wave, then choose laureates (MILP) and store the result beside the by-rank list."""
    calibration = wave_calibrate(wave=scenario.wave)
    candidates = candidates_for(scenario)
    if not candidates:
        raise CommitteeError("Aucun dossier évalué dans cette vague : rien à répartir.")
    result = allocation.allocate(candidates=candidates, scenario=scenario_for_solver(scenario), with_prices=True)
    data = result.as_dict()
    data["calibration"] = {k: v for k, v in calibration.items() if k != "biases"}
    scenario.result, scenario.solved_at = data, timezone.now()
    scenario.save(update_fields=["result", "solved_at"])
    audit_record(
        action="scenario.solved",
        obj=scenario,
        by=by,
        after={
            "status": result.status,
            "objective": result.objective,
            "budget_used": result.budget_used,
            "chosen": len(result.chosen),
        },
        call_id=scenario.wave.call_id,
    )
    return scenario


def is_solved(scenario: Scenario) -> bool:
    """A stored result with a selection (optimal, or feasible when the time limit stopped the search)."""
    return bool(scenario.result) and scenario.result.get("status") in ("optimal", "feasible")


def scenario_choose(*, scenario: Scenario, by) -> Scenario:
    """Mark this scenario as the committee's choice for the wave (one at a time)."""
    if not is_solved(scenario):
        raise CommitteeError("Résolvez d’abord ce scénario : il n’a pas de solution enregistrée.")
    with transaction.atomic():
        Scenario.objects.filter(wave=scenario.wave, chosen=True).update(chosen=False)
        scenario.chosen = True
        scenario.save(update_fields=["chosen"])
        audit_record(action="scenario.chosen", obj=scenario, by=by, call_id=scenario.wave.call_id)
    return scenario


def feedback_for(dossier) -> str:
    """Per-criterion feedback drawn from the submitted evaluations, for the applicant (the committee edits it)."""
    rows = (
        Score.objects.filter(counted("evaluation__"), evaluation__assignment__dossier=dossier)
        .select_related("criterion")
        .order_by("criterion__position", "evaluation_id")
    )
    by_criterion: dict = {}
    for row in rows:
        by_criterion.setdefault(row.criterion, []).append(row)
    lines = []
    for criterion, scores in by_criterion.items():
        values = [float(s.value) for s in scores if s.value is not None]
        mean = f"{sum(values) / len(values):.1f}".replace(".", ",") if values else "—"
        comments = " ".join(s.comment.strip() for s in scores if s.comment.strip())
        if not criterion.scored:
            figure = ""
        elif criterion.kind_spec.labels:  # yes/no: how many said yes
            figure = f" ({sum(1 for v in values if v)} oui sur {len(values)})"
        else:
            figure = f" ({mean} / {criterion.scale_max:g})"
        lines.append(f"{criterion.title}{figure} : {comments or 'pas de commentaire.'}")
    return "\n".join(lines)


def decisions_stage(*, scenario: Scenario, by) -> list[Decision]:
    """Stage a decision for every candidate of the wave from a solved scenario; applied ones are untouched."""
    if not is_solved(scenario):
        raise CommitteeError("Ce scénario n’a pas de solution : résolvez-le avant de préparer les décisions.")
    result = scenario.result
    chosen = {int(i) for i in result["chosen"]}
    amounts = amounts_of(result)
    dossiers = list(candidate_dossiers(scenario.wave))
    score_of = {d.pk: _rank_score(d, scenario.use_calibrated) for d in dossiers}
    others = sorted((d for d in dossiers if d.pk not in chosen), key=lambda d: -score_of[d.pk])
    eligible_others = [d for d in others if getattr(d, "score", None) and not d.score.below_threshold]
    waiting = {d.pk: rank for rank, d in enumerate(eligible_others[:WAITING_LIST_LENGTH], start=1)}
    committee_reasons = _committee_reasons(scenario)
    now = timezone.now()
    staged = []
    with transaction.atomic():
        for d in dossiers:
            if Decision.objects.filter(dossier=d, applied_at__isnull=False).exists():
                continue
            outcome = (
                Outcome.LAUREATE
                if d.pk in chosen
                else (Outcome.WAITING_LIST if d.pk in waiting else Outcome.NOT_RETAINED)
            )
            decision, _ = Decision.objects.update_or_create(
                dossier=d,
                defaults={
                    "outcome": outcome,
                    "amount_eur": amounts.get(d.pk, d.amount_requested_eur) if outcome == Outcome.LAUREATE else None,
                    "waiting_rank": waiting.get(d.pk),
                    "reasons": "\n".join(filter(None, [committee_reasons.get(d.pk, ""), feedback_for(d)])),
                    "scenario": scenario,
                    "staged_by": by,
                    "staged_at": now,
                },
            )
            staged.append(decision)
        audit_record(
            action="decisions.staged",
            obj=scenario,
            by=by,
            after={"laureates": len(chosen), "waiting": len(waiting), "total": len(staged)},
            call_id=scenario.wave.call_id,
        )
    return staged


def _committee_reasons(scenario: Scenario) -> dict[int, str]:
    """The reasons the committee wrote on this scenario (a pin, an adjusted amount), per dossier, for its letter."""
    reasons: dict[int, list[str]] = {}
    for pin in scenario.pins.all():
        if pin.reason.strip():
            reasons.setdefault(pin.dossier_id, []).append(f"Motif du comité : {pin.reason.strip()}")
    for amount in scenario.amounts.all():
        if amount.reason.strip():
            reasons.setdefault(amount.dossier_id, []).append(f"Montant ajusté par le comité : {amount.reason.strip()}")
    return {pk: "\n".join(lines) for pk, lines in reasons.items()}


def _rank_score(dossier, calibrated: bool) -> float:
    score = getattr(dossier, "score", None)
    if score is None:
        return float("-inf")
    value = score.calibrated if calibrated and score.calibrated is not None else score.weighted
    return value if value is not None else float("-inf")


def decision_edit(*, decision: Decision, outcome: str, amount_eur: int | None, reasons: str, by) -> Decision:
    """The committee edits a staged decision (outcome, amount within bounds, reasons the applicant reads)."""
    if decision.applied_at is not None:
        raise CommitteeError("Cette décision a déjà été notifiée : elle ne peut plus être modifiée.")
    if not reasons.strip():
        raise CommitteeError("Chaque décision porte des motifs : le porteur doit savoir pourquoi.")
    track = decision.dossier.track
    if outcome == Outcome.LAUREATE:
        if amount_eur is None or not track.amount_min_eur <= amount_eur <= track.amount_max_eur:
            raise CommitteeError("Le montant accordé doit rester dans les bornes de l’entrée.")
    else:
        amount_eur = None
    before = {"outcome": decision.outcome, "amount_eur": decision.amount_eur}
    if outcome != Outcome.WAITING_LIST:
        decision.waiting_rank = None
    elif decision.waiting_rank is None:  # moved onto the waiting list: it comes after the ones already there
        last = Decision.objects.filter(dossier__wave_id=decision.dossier.wave_id, outcome=Outcome.WAITING_LIST,
                                       ).exclude(pk=decision.pk).aggregate(last=Max("waiting_rank"))["last"]
        decision.waiting_rank = (last or 0) + 1
    decision.outcome, decision.amount_eur, decision.reasons = outcome, amount_eur, reasons.strip()
    decision.save(update_fields=["outcome", "amount_eur", "reasons", "waiting_rank"])
    audit_record(
        action="decision.edited",
        obj=decision,
        by=by,
        before=before,
        after={"outcome": outcome, "amount_eur": amount_eur},
        dossier_id=decision.dossier_id,
        call_id=decision.dossier.wave.call_id,
    )
    return decision


OUTCOME_STATE = {
    Outcome.LAUREATE: DossierState.LAUREATE,
    Outcome.WAITING_LIST: DossierState.WAITING_LIST,
    Outcome.NOT_RETAINED: DossierState.NOT_RETAINED,
}


def decisions_apply(*, wave, by) -> int:
    """Apply every staged decision of the wave together, through the dossier transition; then draft the letters."""
    staged = list(
        Decision.objects.filter(dossier__wave=wave, applied_at__isnull=True).select_related(
            "dossier__wave", "dossier__owner"
        )
    )
    if not staged:
        raise CommitteeError("Aucune décision préparée à appliquer.")
    budget = sum(d.amount_eur or 0 for d in staged if d.outcome == Outcome.LAUREATE)
    if wave.envelope_eur is not None and budget > wave.envelope_eur:
        raise CommitteeError("Les montants accordés dépassent l’enveloppe de la vague : rien n’a été appliqué.")
    now = timezone.now()
    with transaction.atomic():
        for decision in staged:
            target = OUTCOME_STATE[decision.outcome]
            if decision.dossier.state != target:
                try:
                    dossier_transition(decision.dossier, target, by=by, reason=decision.reasons[:500])
                except TransitionError as exc:  # withdrawn (or moved) since the decisions were staged
                    raise CommitteeError(
                        f"Dossier {decision.dossier.reference} : {exc.message} Rien n’a été appliqué ; "
                        "préparez à nouveau les décisions."
                    ) from exc
            decision.applied_at, decision.applied_by = now, by
            decision.save(update_fields=["applied_at", "applied_by"])
        audit_record(action="decisions.applied", obj=wave, by=by, after={"count": len(staged)}, call_id=wave.call_id)
        transaction.on_commit(lambda: letters_draft(wave=wave))
    return len(staged)


def letters_draft(*, wave) -> int:
    """Draft (or regenerate, until sent) the letter and e-mail of every applied decision of the wave."""
    from fabriques.committee.letters import letter_pdf, letter_text

    count = 0
    for decision in Decision.objects.filter(dossier__wave=wave, applied_at__isnull=False).select_related(
        "dossier__owner", "dossier__track", "dossier__wave__call", "dossier__organisation"
    ):
        if OutboxMessage.objects.filter(dossier=decision.dossier, state=OutboxState.SENT).exists():
            continue
        subject, body = letter_text(decision)
        message, _ = OutboxMessage.objects.update_or_create(
            dossier=decision.dossier,
            state=OutboxState.DRAFT,
            defaults={
                "recipient": decision.dossier.owner.email,
                "subject": subject,
                "body": body,
                "generated_at": timezone.now(),
            },
        )
        if message.letter:
            message.letter.delete(save=False)
        message.letter.save(
            f"decision-{decision.dossier.reference}.pdf", ContentFile(letter_pdf(decision)), save=True
        )
        count += 1
    return count


# A letter is born a draft (the field's default; regenerated in place until sent) and is sent once.
LETTER_TRANSITIONS: dict[str, frozenset[str]] = {
    OutboxState.DRAFT: frozenset({OutboxState.SENT}),
    OutboxState.SENT: frozenset(),
}


def letter_transition(letter: OutboxMessage, to: str, *, by, fields=()) -> OutboxMessage:
    """Move a locked letter to `to` if the table allows it: saved (with `fields`) and audited."""
    to = OutboxState(to)
    if to not in LETTER_TRANSITIONS[letter.state]:
        raise CommitteeError("Ce courrier a déjà été envoyé.")
    letter.state = to
    letter.save(update_fields=["state", *fields])
    audit_record(action=f"letter.{to}", obj=letter, by=by, after={"to": letter.recipient},
                 dossier_id=letter.dossier_id, call_id=letter.dossier.wave.call_id)
    return letter


def outbox_send(*, message: OutboxMessage, by) -> OutboxMessage:
    """Send a drafted letter by e-mail (PDF attached) through the outbox: queued in this transaction with the stored
    letter, it leaves after the commit (or from the worker); logged, and never queued twice."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.state == OutboxState.SENT:
            raise CommitteeError("Ce courrier a déjà été envoyé.")
        if not locked.letter:
            raise CommitteeError("Ce courrier n’a pas de lettre : régénérez les courriers.")
        locked.email = email_queue(to=[locked.recipient], subject=locked.subject, body=locked.body, attachments=[
            Attachment(filename=locked.letter.name.rsplit("/", 1)[-1], stored_name=locked.letter.name)])
        locked.sent_at, locked.sent_by = timezone.now(), by
        letter_transition(locked, OutboxState.SENT, by=by, fields=["sent_at", "sent_by", "email"])
    return locked


def outbox_send_all(*, wave, by) -> tuple[int, list[str]]:
    """Send every drafted letter of the wave, each in its own transaction (one failure stops none of the others).

    Returns how many were sent and, for each one that could not be, its dossier reference and the reason."""
    sent, failures = 0, []
    for message in OutboxMessage.objects.filter(dossier__wave=wave, state=OutboxState.DRAFT).select_related(
        "dossier__wave"
    ).order_by("dossier__reference"):
        try:
            outbox_send(message=message, by=by)
        except CommitteeError:
            continue  # sent meanwhile by someone else
        except OSError as exc:  # the stored letter unreadable: the letter stays a draft
            failures.append(f"{message.dossier.reference} ({exc})")
        else:
            sent += 1
    return sent, failures
