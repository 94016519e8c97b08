"""The dossier's journal as people read it: one French sentence per audit entry, never the raw stored data.

The audit entry keeps its `before`/`after` data (the hash chain covers them); agents' pages show
`journal_sentence(entry)` instead: « État : Déposé → En instruction », « Pièce ajoutée : budget.pdf ».
An action this table does not know reads « Action enregistrée (code) », with no raw data.
"""

from __future__ import annotations

from collections.abc import Callable

from fabriques.dossiers.enums import DossierState
from fabriques.instruction.enums import CheckItem


def _state(value) -> str:
    try:
        return str(DossierState(value).label)
    except ValueError:
        return str(value or "—")


def _yes_no(value) -> str:
    return {True: "oui", False: "non"}.get(value, "non précisé")


def _item(value) -> str:
    try:
        return str(CheckItem(value).label)
    except ValueError:
        return str(value or "")


def _transition(before: dict, after: dict) -> str:
    if before.get("state"):
        return f"État : {_state(before.get('state'))} → {_state(after.get('state'))}"
    return f"État : {_state(after.get('state'))}"


def _territory(before: dict, after: dict) -> str:
    parts = [f"{label} : {_yes_no(before.get(key))} → {_yes_no(after.get(key))}"
             for key, label in (("is_rural", "rural"), ("is_qpv", "QPV")) if key in after]
    return "Classement du territoire — " + ", ".join(parts)


SENTENCES: dict[str, Callable[[dict, dict], str]] = {
    "dossier.transition": _transition,
    "dossier.create": lambda b, a: f"Dossier créé ({a.get('reference') or 'sans référence'})",
    "dossier.routed": lambda b, a: f"Orienté vers le groupe « {a.get('group', '')} »",
    "dossier.rerouted": lambda b, a: f"Réorienté : « {b.get('group', '')} » → « {a.get('group', '')} »",
    "dossier.version": lambda b, a: f"Version déposée n° {a.get('number', '')}",
    "dossier.territory_class": _territory,
    "dossier.attachment_add": lambda b, a: f"Pièce ajoutée : {a.get('name', '')}",
    "dossier.attachment_remove": lambda b, a: f"Pièce retirée : {b.get('name', '')}",
    "dossier.cowriter_invite": lambda b, a: f"Co-rédacteur invité : {a.get('email', '')}",
    "dossier.cowriter_revoke": lambda b, a: "Invitation de co-rédacteur révoquée",
    "dossier.cowriter_resend": lambda b, a: "Invitation de co-rédacteur renvoyée",
    "admissibility.confirmed": lambda b, a: f"Point confirmé à la main : {_item(a.get('item'))}",
    "admissibility.overridden": lambda b, a: "Éligibilité forcée (dérogation à une règle non respectée)"
    if a.get("item") == CheckItem.LOCATION else f"Dérogation à un point non conforme : {_item(a.get('item'))}",
    "admissibility.withdrawn": lambda b, a: f"Confirmation retirée : {_item(a.get('item') or b.get('item'))}",
    "message.posted": lambda b, a: "Note interne publiée" if a.get("internal") else "Message publié",
    "evaluation.assign": lambda b, a: "Évaluateur désigné",
    "evaluation.unassign": lambda b, a: "Évaluateur retiré",
    "evaluation.declare": lambda b, a: "Déclaration d’intérêts enregistrée",
    "evaluation.submit": lambda b, a: "Évaluation soumise",
    "evaluation.reopen": lambda b, a: "Évaluation rouverte",
    "instruction.assigned": lambda b, a: "Dossier attribué à un instructeur",
    "complements.seen": lambda b, a: "Compléments consultés par l’instruction",
    "complements.extended": lambda b, a: "Délai de réponse aux compléments prolongé",
    "complements.expired": lambda b, a: "Demande de compléments expirée",
    "complements.cancelled": lambda b, a: "Demande de compléments annulée",
    "decision.edited": lambda b, a: "Décision du comité modifiée",
    "letter.sent": lambda b, a: "Courrier de décision envoyé",
    "security.quarantined": lambda b, a: "Fichier mis en quarantaine par l’antivirus",
}


def journal_sentence(action: str, before: dict | None, after: dict | None) -> str:
    """One French sentence for an audit entry of a dossier (never its raw data)."""
    sentence = SENTENCES.get(action)
    if sentence is None:
        return f"Action enregistrée ({action})"
    try:
        return sentence(before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {})
    except (AttributeError, TypeError):  # an entry written in another shape by an older version
        return f"Action enregistrée ({action})"
