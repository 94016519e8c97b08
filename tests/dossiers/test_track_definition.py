"""The track's criteria are read once per process, and a reloaded definition is seen at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabriques.calls.domain import DEFINITIONS_DIR, call_load
from fabriques.dossiers import queries
from fabriques.dossiers.models import Dossier


def _fresh(dossier):
    return Dossier.objects.select_related("wave", "track").get(pk=dossier.pk)


def test_criteria_are_read_once_then_only_the_call_stamp_is_checked(dossier):
    first = queries.criteria_for(_fresh(dossier))
    again = _fresh(dossier)
    with CaptureQueriesContext(connection) as ctx:
        second = queries.criteria_for(again)
    assert [c.code for c in second] == [c.code for c in first]
    assert len(ctx) == 1  # the call's fingerprint and load time, nothing else
    assert "calls_call" in ctx.captured_queries[0]["sql"]


def test_a_reloaded_definition_replaces_the_memoised_criteria(dossier):
    assert queries.criteria_for(_fresh(dossier))[0].title == "Communauté d’utilisateurs"
    path = DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml"
    text = path.read_text().replace('title = "Communauté d’utilisateurs"', 'title = "Communauté des usagers"')
    call_load(text=text, source=path.name)
    assert queries.criteria_for(_fresh(dossier))[0].title == "Communauté des usagers"
    content = queries.dossier_content(_fresh(dossier))
    assert content.criteria[0].title == "Communauté des usagers"


def test_a_dossier_read_for_a_page_brings_its_call_stamp_and_sees_a_reload(dossier):
    owner = dossier.owner
    queries.criteria_for(queries.dossier_for(owner, dossier.uuid))
    again = queries.dossier_for(owner, dossier.uuid)
    with CaptureQueriesContext(connection) as ctx:
        assert queries.criteria_for(again)[0].title == "Communauté d’utilisateurs"
    assert len(ctx) == 0  # the stamp came with the dossier's own read
    path = DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml"
    call_load(text=path.read_text().replace('title = "Communauté d’utilisateurs"', 'title = "Communauté des usagers"'),
              source=path.name)
    assert queries.criteria_for(queries.dossier_for(owner, dossier.uuid))[0].title == "Communauté des usagers"
