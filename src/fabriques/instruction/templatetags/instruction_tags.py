"""Rendering of dashboard cells and small helpers for the instruction templates."""

import html

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from fabriques.formatting import euros
from fabriques.instruction.eligibility import eligibility_of
from fabriques.instruction.journal import journal_sentence as sentence_of
from fabriques.instruction.labels import label_order
from fabriques.territory.enums import REGION_NAMES
from fabriques.theme.links import url_stem
from fabriques.theme.templatetags.humanize_fr import note

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


def _wave_heading(wave_groups: dict, wave):
    """A wave group's heading on the dashboard: its title, the number of dossiers and what is « à traiter »."""
    group = wave_groups.get(wave.pk)
    if group is None:
        return wave.title
    to_do = ", ".join(f"{count} {words}" for words, count in group.to_do) or "rien"
    return format_html('{} <span class="fr-text--sm fab-wave-todo">— {} dossier{} · à traiter : {}</span>',
                       wave.title, group.total, "s" if group.total > 1 else "", to_do)


def _instruction(dossier):
    return getattr(dossier, "instruction", None)


def _score_row(dossier):
    return getattr(dossier, "score", None)


def _deposited(dossier):
    at = dossier.last_deposited_at
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else "—"


def _completeness(dossier):
    instruction = _instruction(dossier)
    return _badge(*COMPLETENESS.get(instruction.checklist_status if instruction else "", ("info", "À vérifier")))


# Column key -> the cell's content for a dossier (plain text is escaped by the caller, safe HTML kept). A table at
# module level: the dashboard calls it rows × columns times (90,000 times for 5,000 rows of every column).
_CELLS = {
    "place": lambda d: d.place_name or "—",
    "organisation": lambda d: d.organisation.name,
    "track": lambda d: d.track.short_title,
    "wave": lambda d: d.wave.title,
    "region": lambda d: REGION_NAMES.get(d.place_commune.region_code, "—") if d.place_commune else "—",
    "commune": lambda d: str(d.place_commune) if d.place_commune else "—",
    "state": lambda d: d.get_state_display(),
    "eligibility": eligibility_badge,
    "completeness": _completeness,
    "group": lambda d: _instruction(d).group.name if _instruction(d) else "Non orienté",
    "assigned": lambda d: _instruction(d).assigned_to.email if _instruction(d) and _instruction(d).assigned_to else "—",
    "amount": lambda d: euros(d.amount_requested_eur),
    "evaluations": lambda d: _score_row(d).n_evaluations if _score_row(d) else 0,
    "score": lambda d: _score_cell(_score_row(d), getattr(d, "evaluations_expected", None)),
    "calibrated": lambda d: _score(_score_row(d).calibrated if _score_row(d) else None),
    "spread": lambda d: _score(_score_row(d).spread if _score_row(d) else None),
    "deposited": _deposited,
    "labels": lambda d: ", ".join(sorted(d.label_names.split(","), key=label_order)) if d.label_names else "—",
}


_PICK = ('<td><div class="fr-checkbox-group fr-checkbox-group--sm"><input type="checkbox" id="pick-{0}" '
         'name="dossiers" value="{0}" form="bulk-form"><label class="fr-label" for="pick-{0}"><span class="fr-sr-only">'
         'Choisir {1}</span></label></div></td>')


def _escape(text: str) -> str:
    return html.escape(text, quote=True)  # what django.utils.html.escape does, without its lazy-string wrapper


class DashboardRows:
    """The dashboard's table rows as HTML, a wave heading row before each wave's first row.

    One renderer for the paginated page and the streamed « all rows » view; it remembers the last wave, so chunks
    rendered one after the other read as one table. Python string building, not a template loop: at 5,000 rows ×
    10 columns the template engine's per-cell overhead was most of the page's time.
    """

    def __init__(self, columns: list[str], wave_groups: dict):
        self.columns = columns
        self.wave_groups = wave_groups
        self.wave_id = None
        self.span = len(columns) + 1
        self.dossier_url = url_stem("instruction:dossier")

    def render(self, dossiers) -> str:
        parts = []
        for d in dossiers:
            if d.wave_id != self.wave_id:
                self.wave_id = d.wave_id
                parts.append(format_html('<tr class="fab-wave-group"><th scope="colgroup" colspan="{}">{}</th></tr>',
                                         self.span, _wave_heading(self.wave_groups, d.wave)))
            reference = _escape(d.reference or "—")
            parts.append("<tr>")
            parts.append(_PICK.format(d.uuid, reference))
            for column in self.columns:
                if column == "reference":  # the link without a reverse() per row
                    parts.append(f'<td><a href="{self.dossier_url}{d.uuid}/">{reference}</a></td>')
                    continue
                cell = _CELLS[column](d) if column in _CELLS else ""
                parts.append(f"<td>{cell if isinstance(cell, SafeData) else _escape(str(cell))}</td>")
            parts.append("</tr>")
        return "".join(parts)

    def empty(self) -> str:
        return f'<tr><td colspan="{self.span}">Aucun dossier ne correspond.</td></tr>'


@register.simple_tag
def dashboard_rows(page, columns):
    """The rows of a dashboard page (`DashboardRows`), or the empty-table line."""
    rows = DashboardRows(columns, getattr(page, "wave_groups", {}))
    return mark_safe(rows.render(page.object_list) if page.object_list else rows.empty())  # noqa: S308 - built from format_html parts  # nosec B308 B703


@register.simple_tag
def journal_sentence(entry) -> str:
    """An audit entry of the dossier as a French sentence (`instruction.journal`), never its raw data."""
    return sentence_of(entry.action, entry.before, entry.after)


@register.filter
def region_name(code: str) -> str:
    return REGION_NAMES.get(code, code)
