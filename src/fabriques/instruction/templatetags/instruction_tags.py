"""Rendering of dashboard cells and small helpers for the instruction templates."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from fabriques.instruction.eligibility import eligibility_of
from fabriques.instruction.journal import journal_sentence as sentence_of
from fabriques.territory.enums import REGION_NAMES
from fabriques.theme.templatetags.humanize_fr import euros, note

register = template.Library()

COMPLETENESS = {"ok": ("success", "Complet"), "ko": ("error", "Incomplet"), "pending": ("info", "À vérifier")}


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


def _badge(kind: str, label: str):
    return format_html('<p class="fr-badge fr-badge--sm fr-badge--{}">{}</p>', kind, label)


def _score(value):
    return note(value)  # the one rounding rule (half-up to the hundredth)


def _score_cell(score, expected):
    """The weighted score and what it is: consolidated over N of M expected evaluations, or partial."""
    if score is None or score.weighted is None:
        return "—"
    done = score.n_evaluations
    if expected and done < expected:
        return format_html('{} <span class="fr-text--xs">partielle ({}/{})</span>', note(score.weighted), done,
                           expected)
    of = f" sur {expected} attendues" if expected else ""
    return format_html('{} <span class="fr-text--xs">({} éval.{})</span>', note(score.weighted), done, of)


@register.simple_tag
def eligibility_badge(dossier):
    """The dossier's one eligibility truth as a badge, with the instructor's reason when forced or confirmed."""
    truth = eligibility_of(dossier)
    badge = format_html('<span class="fr-badge fr-badge--sm fr-badge--{} fab-eligibility">{}</span>',
                        truth.badge_kind, truth.label)
    if truth.reason and truth.status in ("forced", "confirmed"):
        return format_html('{} <span class="fr-text--sm fab-eligibility-reason">: {}</span>', badge, truth.reason)
    return badge


@register.simple_tag
def wave_heading(page, wave):
    """A wave group's heading on the dashboard: its title, the number of dossiers and what is « à traiter »."""
    group = getattr(page, "wave_groups", {}).get(wave.pk)
    if group is None:
        return wave.title
    to_do = ", ".join(f"{count} {words}" for words, count in group.to_do) or "rien"
    return format_html('{} <span class="fr-text--sm fab-wave-todo">— {} dossier{} · à traiter : {}</span>',
                       wave.title, group.total, "s" if group.total > 1 else "", to_do)


@register.simple_tag
def dashboard_cell(dossier, column: str):
    """The content of one cell; reads only columns loaded by the dashboard query."""
    score = getattr(dossier, "score", None)
    instruction = getattr(dossier, "instruction", None)
    if column == "reference":
        url = reverse("instruction:dossier", args=[dossier.uuid])
        return format_html('<a href="{}">{}</a>', url, dossier.reference or "—")
    simple = {
        "place": lambda: dossier.place_name or "—",
        "organisation": lambda: dossier.organisation.name,
        "track": lambda: dossier.track.short_title,
        "wave": lambda: dossier.wave.title,
        "region": lambda: REGION_NAMES.get(dossier.place_commune.region_code, "—") if dossier.place_commune else "—",
        "commune": lambda: str(dossier.place_commune) if dossier.place_commune else "—",
        "state": dossier.get_state_display,
        "group": lambda: instruction.group.name if instruction else "Non orienté",
        "assigned": lambda: instruction.assigned_to.email if instruction and instruction.assigned_to else "—",
        "amount": lambda: euros(dossier.amount_requested_eur),
        "evaluations": lambda: score.n_evaluations if score else 0,
        "score": lambda: _score_cell(score, getattr(dossier, "evaluations_expected", None)),
        "calibrated": lambda: _score(score.calibrated if score else None),
        "spread": lambda: _score(score.spread if score else None),
        "deposited": lambda: timezone.localtime(dossier.last_deposited_at).strftime("%d/%m/%Y %H:%M")
        if dossier.last_deposited_at
        else "—",
    }
    if column in simple:
        return simple[column]()
    if column == "eligibility":
        return eligibility_badge(dossier)
    if column == "completeness":
        return _badge(*COMPLETENESS.get(instruction.checklist_status if instruction else "", ("info", "À vérifier")))
    return ""


@register.simple_tag
def journal_sentence(entry) -> str:
    """An audit entry of the dossier as a French sentence (`instruction.journal`), never its raw data."""
    return sentence_of(entry.action, entry.before, entry.after)


@register.filter
def region_name(code: str) -> str:
    return REGION_NAMES.get(code, code)
