"""Differences between two deposited versions of a dossier (the one asked about and the one with complements).

Pure functions over the stored snapshots (`DossierVersion.snapshot`): answers per criterion compared word by word
(`difflib.SequenceMatcher`), the place field by field, the budget line by line, attachments by fingerprint. The
template marks added and removed text with <ins>/<del> and words, never with colour alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from fabriques.formatting import euros

TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass
class TextDiff:
    title: str
    changed: bool
    segments: list[Segment] = field(default_factory=list)
    added_words: int = 0
    removed_words: int = 0


@dataclass(frozen=True)
class Row:
    """One line of a table of changes: what, before, after, and the change in words."""

    label: str
    before: str
    after: str
    change: str  # "ajoutée", "supprimée", "modifiée"


@dataclass
class VersionDiff:
    before_number: int
    after_number: int
    answers: list[TextDiff]
    place: list[Row]
    budget: list[Row]
    amount: Row | None
    attachments: list[Row]

    @property
    def changed(self) -> bool:
        return bool(any(a.changed for a in self.answers) or self.place or self.budget or self.amount
                    or self.attachments)


def text_diff(title: str, before: str, after: str) -> TextDiff:
    """Word-level differences; consecutive changes are merged so a reworded sentence reads as one block."""
    if before == after:
        return TextDiff(title=title, changed=False, segments=[Segment("same", after)] if after else [])
    a, b = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    segments: list[Segment] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(Segment("removed", "".join(a[i1:i2])))
            removed += sum(1 for t in a[i1:i2] if t.strip())
        if op in ("insert", "replace"):
            segments.append(Segment("added", "".join(b[j1:j2])))
            added += sum(1 for t in b[j1:j2] if t.strip())
    return TextDiff(title=title, changed=True, segments=_merge(segments), added_words=added, removed_words=removed)


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(seg.kind, out[-1].text + seg.text)
        else:
            out.append(seg)
    return out


PLACE_FIELDS = (("name", "Nom du lieu"), ("status", "Nature"), ("address", "Adresse"), ("commune", "Commune"),
                ("latitude", "Latitude"), ("longitude", "Longitude"))


def _text(value) -> str:
    return "" if value is None else str(value)


def _euros(value) -> str:
    return "" if value is None else euros(value)


def _budget_key(line: dict) -> tuple:
    return (line.get("year"), line.get("kind"), line.get("category"), line.get("label", ""), line.get("cofunder", ""))


def _budget_label(key: tuple) -> str:
    year, kind, category, label, cofunder = key
    kind_label = {"charge": "Charge", "resource": "Ressource"}.get(kind, kind)
    name = label or cofunder or category
    return f"Année {year} — {kind_label} — {name}"


def version_diff(before: dict, after: dict, *, before_number: int, after_number: int) -> VersionDiff:
    """What changed from the `before` snapshot to the `after` one."""
    old_answers = {a["code"]: a.get("text", "") for a in before.get("answers", [])}
    answers = [text_diff(a.get("title", a["code"]), old_answers.get(a["code"], ""), a.get("text", ""))
               for a in after.get("answers", [])]
    old_place, new_place = before.get("place", {}) or {}, after.get("place", {}) or {}
    place = [Row(label, _text(old_place.get(key)), _text(new_place.get(key)), "modifiée")
             for key, label in PLACE_FIELDS if old_place.get(key) != new_place.get(key)]
    old_lines: dict[tuple, int] = {}
    for line in (before.get("budget") or {}).get("lines", []):
        old_lines[_budget_key(line)] = old_lines.get(_budget_key(line), 0) + (line.get("amount_eur") or 0)
    new_lines: dict[tuple, int] = {}
    for line in (after.get("budget") or {}).get("lines", []):
        new_lines[_budget_key(line)] = new_lines.get(_budget_key(line), 0) + (line.get("amount_eur") or 0)
    budget = []
    for key in sorted(set(old_lines) | set(new_lines), key=lambda k: tuple(_text(x) for x in k)):
        if key not in new_lines:
            budget.append(Row(_budget_label(key), _euros(old_lines[key]), "", "supprimée"))
        elif key not in old_lines:
            budget.append(Row(_budget_label(key), "", _euros(new_lines[key]), "ajoutée"))
        elif old_lines[key] != new_lines[key]:
            budget.append(Row(_budget_label(key), _euros(old_lines[key]), _euros(new_lines[key]), "modifiée"))
    old_amount = (before.get("budget") or {}).get("amount_requested_eur")
    new_amount = (after.get("budget") or {}).get("amount_requested_eur")
    amount = (Row("Montant demandé", _euros(old_amount), _euros(new_amount), "modifiée")
              if old_amount != new_amount else None)
    old_files = {a["sha256"]: a for a in before.get("attachments", [])}
    new_files = {a["sha256"]: a for a in after.get("attachments", [])}
    attachments = [Row(a["label"], a["name"], "", "supprimée") for h, a in old_files.items() if h not in new_files]
    attachments += [Row(a["label"], "", a["name"], "ajoutée") for h, a in new_files.items() if h not in old_files]
    return VersionDiff(before_number=before_number, after_number=after_number, answers=answers, place=place,
                       budget=budget, amount=amount, attachments=attachments)
