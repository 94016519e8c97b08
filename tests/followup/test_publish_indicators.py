"""publish-opendata adds the follow-up's aggregated indicators (and their schema) once accepted reports exist."""

import csv
import io
import json

from django.core.management import call_command
from django.test.utils import override_settings

from fabriques.accounts.enums import Role
from fabriques.demo.followup_demo import demo_followup
from fabriques.followup.opendata import COLUMNS
from tests.opendata.datagouv_server import API_KEY, DataGouv


@override_settings(FABRIQUES_DEPOSIT_PROOF_EMAIL=False)
def test_accepted_reports_publish_their_indicators(call, make_user, media_root, settings):
    users = {"admin": make_user("admin@demo.example", call=call, role=Role.ADMIN),
             "instructeur": make_user("instr@demo.example", call=call, role=Role.INSTRUCTOR),
             "porteur": make_user("porteur@demo.example")}
    demo_followup(call=call, password="motdepasse-solide-42", users=users)
    server = DataGouv()
    settings.FABRIQUES_DATAGOUV_URL, settings.FABRIQUES_DATAGOUV_API_KEY = server.url, API_KEY
    try:
        out = io.StringIO()
        call_command("publish_opendata", "--call", call.slug, "--dataset", server.dataset_id, stdout=out)
        lines = out.getvalue().splitlines()
        assert f"indicateurs-{call.slug}.csv : créée" in lines
        assert "indicateurs-schema.json : créée" in lines
        by_title = {r["title"]: r for r in server.resources}
        rows = list(csv.reader(io.StringIO(server.files[by_title[f"indicateurs-{call.slug}.csv"]["id"]].decode())))
        assert rows[0] == COLUMNS
        assert len(rows) > 1
        schema = json.loads(server.files[by_title["indicateurs-schema.json"]["id"]])
        assert [f["name"] for f in schema["fields"]] == COLUMNS
    finally:
        server.stop()
