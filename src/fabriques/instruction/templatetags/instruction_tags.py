"""Rendering of dashboard cells and small helpers for the instruction templates."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from fabriques.territory.enums import ELIGIBILITY_LABELS, REGION_NAMES
from fabriques.theme.templatetags.humanize_fr import euros

register = template.Library()

ELIGIBILITY = {status: (kind, ELIGIBILITY_LABELS[status])
               for status, kind in (("pass", "success"), ("fail", "error"), ("manual", "warning"))}
COMPLETENESS = {"ok": ("success", "Complet"), "ko": ("error", "Incomplet"), "pending": ("info", "À vérifier")}


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


def _badge(kind: str, label: str):
    return format_html('<p class="fr-badge fr-badge--sm fr-badge--{}">{}</p>', kind, label)


def _score(value):
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


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
        "amount": lambda: euros(dossier.amount_requested_eur),
        "evaluations": lambda: score.n_evaluations if score else 0,
        "score": lambda: _score(score.weighted if score else None),
        "calibrated": lambda: _score(score.calibrated if score else None),
        "spread": lambda: _score(score.spread if score else None),
        "deposited": lambda: timezone.localtime(dossier.last_deposited_at).strftime("%d/%m/%Y %H:%M")
        if dossier.last_deposited_at
        else "—",
    }
    if column in simple:
        return simple[column]()
    if column == "eligibility":
        return _eligibility_badge(dossier)
    if column == "completeness":
        return _badge(*COMPLETENESS.get(instruction.checklist_status if instruction else "", ("info", "À vérifier")))
    return ""


def _eligibility_badge(dossier):
    """The eligibility as the instruction settled it: an override or a confirmation by hand is shown as such."""
    if dossier.eligibility_status == "fail" and getattr(dossier, "eligibility_overridden", False):
        return _badge("warning", f"{ELIGIBILITY_LABELS['fail']} · dérogation")
    if dossier.eligibility_status == "manual" and getattr(dossier, "eligibility_confirmed", False):
        return _badge("success", f"{ELIGIBILITY_LABELS['pass']} · confirmée par l’instruction")
    return _badge(*ELIGIBILITY.get(dossier.eligibility_status, ("info", "Non calculée")))


@register.filter
def region_name(code: str) -> str:
    return REGION_NAMES.get(code, code)
