"""The audit log of a call for its programme admins: filters, pages of 100, CSV of the filtered rows.

Here rather than in audit, which every app writes to and so sits below them all: the page reads calls and
dossiers. Its URLs keep the « audit » namespace (journal_urls.py)."""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from fabriques.accounts.rules import can_invite_agents
from fabriques.calls.models import Call
from fabriques.exports import journal as queries
from fabriques.exports.formulas import text_cell_safe

PAGE_SIZE = 100
CSV_HEADER = ["Date (heure de Paris)", "Personne", "Action", "Objet", "Dossier", "Avant", "Après", "Motif"]


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_log(request, slug: str):
    call = get_object_or_404(Call, slug=slug)
    if not can_invite_agents(request.user, call):  # the programme admins of the call (or a superuser)
        raise PermissionDenied
    filters = queries.AuditFilters.from_querydict(request.GET)
    entries = queries.audit_entries(call, filters)
    if request.GET.get("format") == "csv" and not filters.errors:
        return _csv(call, entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "audit/log.html", {
        "call": call, "filters": filters, "page": page, "rows": rows, "references": queries.references_of(rows),
        "query": query.urlencode(),
    }, status=400 if filters.errors else 200)


def _csv(call, entries):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        references = {}
        for chunk_start in range(0, 10**9, 2000):
            chunk = list(entries[chunk_start:chunk_start + 2000])
            if not chunk:
                return
            references.update(queries.references_of(chunk))
            for e in chunk:
                yield writer.writerow([text_cell_safe(v) if isinstance(v, str) else v for v in (
                    timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"), e.actor_label, e.action,
                    f"{e.object_type} {e.object_id}", references.get(e.dossier_id, ""),
                    json.dumps(e.before, ensure_ascii=False) if e.before else "",
                    json.dumps(e.after, ensure_ascii=False) if e.after else "", e.reason)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-{call.slug}.csv"'
    return response
