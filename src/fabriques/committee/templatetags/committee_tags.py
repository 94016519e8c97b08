"""Small renderers for the committee pages: a budget gauge in SVG, labels, the ranking's rows."""

import html

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from fabriques.committee.allocation import TargetKind
from fabriques.formatting import euros
from fabriques.territory.enums import REGION_NAMES
from fabriques.theme.templatetags.humanize_fr import note

register = template.Library()

KIND_LABELS = {
    TargetKind.MIN_RURAL: "minimum de lauréats ruraux",
    TargetKind.MIN_QPV: "minimum de lauréats en QPV",
    TargetKind.TRACK_MIN: "minimum pour une entrée",
    TargetKind.TRACK_MAX: "maximum pour une entrée",
    TargetKind.REGION_MIN: "minimum pour une région",
    TargetKind.REGION_MAX: "maximum pour une région",
    TargetKind.EVERY_REGION_MIN: "minimum dans chaque région candidate",
    TargetKind.MAX_LAUREATES: "nombre maximal de lauréats",
}


@register.filter
def target_kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def region_label(code: str) -> str:
    return REGION_NAMES.get(code or "", code or "—")


@register.filter
def index(sequence, i):
    try:
        return sequence[i]
    except (IndexError, TypeError, KeyError):
        return None


@register.simple_tag
def budget_gauge(used: int, envelope: int):
    """A horizontal bar: the share of the envelope used, with its text equivalent."""
    share = 0 if not envelope else min(1.0, used / envelope)
    width = round(300 * share)
    colour = "#18753c" if used <= envelope else "#ce0500"
    return format_html(
        '<svg class="fab-gauge" viewBox="0 0 300 20" width="300" height="20" role="img" aria-labelledby="gauge-title">'
        '<title id="gauge-title">Budget utilisé : {} sur {} ({} %)</title>'
        '<rect x="0" y="0" width="300" height="20" fill="#e5e5e5"></rect>'
        '<rect x="0" y="0" width="{}" height="20" fill="{}"></rect></svg>',
        euros(used),
        euros(envelope),
        round(100 * share),
        width,
        colour,
    )


def _escape(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _selected(on: bool) -> str:
    return "selected" if on else ""


class RankingRows:
    """The session's ranking rows as HTML: one renderer for a page of rows and for « Tous », streamed a chunk at a time.

    Python string building, not a template loop (as the dashboard's `DashboardRows`): with the pin and amount forms
    on each of 25,000 rows, the template engine took ≈ 6 s of CPU. A refused choice (`refused`, with what was typed)
    opens its row's forms with the error.
    """

    def __init__(self, *, scenario, refused, csrf_token, dossier_url: str, adjust_url: str, page_query: str):
        self.scenario = scenario
        self.solved = bool(scenario and scenario.solved_at)
        self.refused = refused or {}
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_escape(csrf_token)}">'
        self.dossier_url = dossier_url
        self.adjust_url = adjust_url
        self.query = f"?{_escape(page_query)}" if page_query else ""

    def render(self, rows) -> str:
        return "".join(self._row(row) for row in rows)

    def _row(self, row) -> str:
        d = row.dossier
        reference = _escape(d.reference)
        band = f"{note(row.band[0])} – {note(row.band[1])}" if row.band[0] is not None else "—"
        proposed = ('<p class="fr-badge fr-badge--sm fr-badge--success">Lauréat</p>' if row.chosen
                    else "—" if self.solved else "")
        if row.by_rank and not row.chosen:
            proposed += '<br><span class="fr-text--xs">retenu par rang</span>'
        flags = ('<ul class="fr-text--sm fr-mb-0">' + "".join(f"<li>{_escape(f)}</li>" for f in row.flags) + "</ul>"
                 if row.flags else "")
        region = d.place_commune.region_code if d.place_commune else ""
        funded = ' class="fab-funded"' if row.chosen else ""
        return (
            f"<tr{funded}><td>{row.rank}</td>"
            f'<td><a href="{self.dossier_url}{d.uuid}/">{reference}</a><br><span class="fr-text--xs">'
            f'{_escape(d.place_name)}</span></td><td>{_escape(d.track.short_title)}</td>'
            f'<td>{_escape(region_label(region))}</td><td>{note(row.score)}</td><td>{note(row.raw)}</td>'
            f'<td class="fab-nowrap">{band}</td><td class="fab-nowrap">{_escape(euros(row.amount))}</td>'
            f"<td>{proposed}</td><td>{flags}</td>{self._adjust(row, reference) if self.scenario else ''}</tr>\n"
        )

    def _adjust(self, row, reference: str) -> str:
        """The committee's choice for one dossier: its pin, and the pin and amount forms in a <details>."""
        pk, pin, refused = row.dossier.pk, row.pin, self.refused
        action = f"{self.adjust_url}{row.dossier.uuid}/{self.query}"
        shown = (f'<p class="fr-text--xs fr-mb-1v">{_escape(pin.get_kind_display())} : {_escape(pin.reason)}</p>'
                 if pin else "")
        mine = refused.get("dossier_pk") == pk
        form = refused.get("form") if mine else None
        if mine:
            opening = (f'<details class="fab-adjust" id="adjust-{pk}" open><summary>Ajuster {reference}</summary>'
                       f'<p class="fr-error-text" id="adjust-{pk}-errors">{_escape(refused.get("error"))}</p>')
            kind = refused.get("pin") if form == "pin" else ""
            reason = refused.get("reason") if form == "pin" else (pin.reason if pin else "")
            amount = refused.get("amount_eur") if form == "amount" else row.amount
        else:
            opening = f'<details class="fab-adjust"><summary>Ajuster {reference}</summary>'
            kind, reason, amount = (pin.kind if pin else ""), (pin.reason if pin else ""), row.amount
        error = f' aria-describedby="adjust-{pk}-errors"'
        return (
            f"<td>{shown}{opening}"
            f'<form method="post" action="{action}">{self.csrf}'
            f'<label class="fr-label fr-text--xs" for="pin-{pk}">Choix pour {reference}</label>'
            f'<select class="fr-select fr-select--sm" id="pin-{pk}" name="pin">'
            f'<option value="" {_selected(not kind)}>Laisser le calcul décider</option>'
            f'<option value="force_in" {_selected(kind == "force_in")}>Retenir d’office</option>'
            f'<option value="force_out" {_selected(kind == "force_out")}>Écarter</option></select>'
            f'<label class="fr-label fr-text--xs" for="reason-{pk}">Motif</label>'
            f'<input class="fr-input fr-input--sm{" fr-input--error" if form == "pin" else ""}" id="reason-{pk}" '
            f'name="reason" value="{_escape(reason)}"{error if form == "pin" else ""}>'
            f'<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Enregistrer</button></form>'
            f'<form method="post" action="{action}" class="fr-mt-1w">{self.csrf}'
            f'<label class="fr-label fr-text--xs" for="amount-{pk}">Montant ajusté (€) pour {reference}</label>'
            f'<input class="fr-input fr-input--sm{" fr-input--error" if form == "amount" else ""}" id="amount-{pk}" '
            f'name="amount_eur" inputmode="numeric" value="{_escape(amount)}"{error if form == "amount" else ""}>'
            f'<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Ajuster</button></form>'
            "</details></td>"
        )


@register.simple_tag(takes_context=True)
def ranking_rows(context, rows):
    """The page's ranking rows (`RankingRows`), with the session page's context."""
    renderer = RankingRows(scenario=context.get("scenario"), refused=context.get("refused"),
                           csrf_token=context.get("csrf_token"), dossier_url=context["dossier_url"],
                           adjust_url=context.get("adjust_url", ""), page_query=context.get("page_query", ""))
    return mark_safe(renderer.render(rows))  # noqa: S308 - every value escaped by _escape  # nosec B308 B703
