"""The dashboard's id query is served by indexes on PostgreSQL, for every sort and the main filters.

The test base is tiny, so sequential scans are switched off (`enable_seqscan`): the planner then shows which
index it can use for each access, which is what it picks on 100,000 dossiers (docs/benchmarks.md, « 100,000
dossiers »). Skipped on SQLite (its planner has no such switch and the production base is PostgreSQL).
"""

import json

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from fabriques.instruction.queries import COLUMNS, INDEXED_SORTS, DashboardFilters, _ordered_ids, dashboard_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's"),
]

# filter -> the (table, column) pairs of which one must carry its condition into an index (None: the dossiers
# are reached through the scope's or a join's index; the planner joins the tiny waves, tracks and scores tables).
# The same plans on 20,000 dossiers are in docs/benchmarks.md (« 100,000 dossiers »). Not here: the full-text
# search (icontains) and completeness (Instruction.checklist_status has no index yet).
FILTERS = {
    "": [("dossiers_dossier", "state")],  # the scope: submitted dossiers only
    "state=deposited": [("dossiers_dossier", "state")],
    "region=76": [("territory_commune", "region_code")],
    "wave={wave}": None,
    "track=territoire": None,
    "eligibility=pass": None,
    "score_min=2": None,
}
SORTS = [f"-{key}" for key in COLUMNS] + ["reference", "amount"]
# The dossiers' indexes of the dashboard's per-wave order (dossiers.models, migration 0007), by sorted column.
INDEX_OF = {"state": "state", "last_deposited_at": "deposited", "reference": "ref", "amount_requested_eur": "amount",
            "place_name": "place"}


def _plan(user, query: str) -> dict:
    filters = DashboardFilters.from_querydict(QueryDict(query))
    sql, params = _ordered_ids(user, filters).values_list("pk", flat=True)[:50].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (explained,) = cursor.fetchone()
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _index_conditions(plan: dict) -> list[tuple[str, str]]:
    """(table, condition) of every index access that looks rows up (not a walk over a whole index)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()")
        table_of = dict(cursor.fetchall())
    return [(table_of[n["Index Name"]], n["Index Cond"]) for n in _nodes(plan) if "Index Cond" in n]


def _reads_whole_index_or_table(plan: dict, table: str) -> list[str]:
    return [
        n["Node Type"] for n in _nodes(plan)
        if n.get("Relation Name") == table and (n["Node Type"] == "Seq Scan" or (
            n["Node Type"] in {"Index Scan", "Index Only Scan"} and "Index Cond" not in n))
    ]


@pytest.fixture
def dashboard_base(build, communes, close_wave, admin_user, open_wave):
    for commune in ("toulouse", "montpellier", "lyon", "gueret"):
        build(communes[commune])
    close_wave()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin_user, open_wave


@pytest.mark.parametrize("filters", list(FILTERS))
def test_every_sort_with_each_filter_reads_dossiers_through_an_index(dashboard_base, filters):
    admin, wave = dashboard_base
    wrong = []
    for sort in SORTS:
        query = "&".join(part for part in (filters.format(wave=wave.slug), f"sort={sort}") if part)

        plan = _plan(admin, query)

        conditions = _index_conditions(plan)
        wanted = FILTERS[filters] or []
        # On this tiny base the planner may reach the dossiers through another of their indexes (the organisation's
        # when sorting by organisation) and check the state on each row found: an index access all the same.
        reached = {table for table, _ in wanted} & {on for on, _ in conditions} & {"dossiers_dossier"}
        if wanted and not reached and not any(
                on == table and column in cond for on, cond in conditions for table, column in wanted):
            wrong.append((query, "filter not through an index", conditions))
        if _reads_whole_index_or_table(plan, "dossiers_dossier"):
            wrong.append((query, "dossiers read whole", _reads_whole_index_or_table(plan, "dossiers_dossier")))
        # The first page is a bounded top-N: the sort sits right under the LIMIT, grouped by wave first.
        assert plan["Node Type"] == "Limit", query
    assert wrong == []


def test_the_app_connections_never_jit_compile():
    """Compiling the eligibility CASE cost 0.6-1 s on each dashboard page at 50,000 dossiers (settings.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize("sort", sorted(INDEXED_SORTS) + [f"-{key}" for key in sorted(INDEXED_SORTS)])
def test_a_page_within_a_wave_is_read_in_the_order_of_an_index_without_sorting(dashboard_base, sort):
    """The ids of the first page, as `dashboard_page` asks for them, come in a (wave, column, id) index's order.

    With sorts disabled the planner still sorts when no index gives the order (then the test fails): at 100,000
    dossiers this is the difference between reading 50 index entries and sorting every row of the wave.
    """
    admin, _ = dashboard_base
    filters = DashboardFilters.from_querydict(QueryDict(f"sort={sort}"))
    with CaptureQueriesContext(connection) as ctx:
        page = dashboard_page(admin, filters, 1)
    assert page.object_list
    (ids_sql,) = [q["sql"] for q in ctx.captured_queries
                  if q["sql"].startswith('SELECT "dossiers_dossier"."id" AS "pk"') and "LIMIT" in q["sql"]]
    assert '"dossiers_dossier"."wave_id" = ' in ids_sql  # within the one wave the page covers

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + ids_sql)
        (explained,) = cursor.fetchone()
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]

    assert [n["Node Type"] for n in _nodes(plan) if "Sort" in n["Node Type"]] == []
    column = COLUMNS[sort.lstrip("-")][1]
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == "dossiers_dossier"]
    assert [n["Index Name"] for n in scans] == [f"dossier_wave_{INDEX_OF[column]}"]
    assert [n["Scan Direction"] for n in scans] == ["Backward" if sort.startswith("-") else "Forward"]
