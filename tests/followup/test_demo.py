"""The demo's follow-up: agreements in every state, first-year reports accepted, changed, late; consistent status."""

import io
import json

from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.demo.followup_demo import demo_followup
from fabriques.followup.enums import AgreementState, ReportState
from fabriques.followup.models import Agreement, Report


@override_settings(FABRIQUES_DEPOSIT_PROOF_EMAIL=False)
def test_the_demo_shows_every_state_and_followup_status_adds_up(call, make_user, media_root):
    users = {"admin": make_user("admin@demo.example", call=call, role=Role.ADMIN),
             "instructeur": make_user("instr@demo.example", call=call, role=Role.INSTRUCTOR),
             "porteur": make_user("porteur@demo.example")}

    assert demo_followup(call=call, password="motdepasse-solide-42", users=users) == 10
    assert demo_followup(call=call, password="motdepasse-solide-42", users=users) == 0

    assert set(Agreement.objects.values_list("state", flat=True)) == set(AgreementState.values)
    first_year = Report.objects.filter(year=1)
    assert first_year.filter(state=ReportState.ACCEPTED).count() == 3
    changes = first_year.filter(state=ReportState.CHANGES_REQUESTED)
    assert list(changes.values_list("agreement__dossier__owner", flat=True)) == [users["porteur"].pk]
    assert first_year.filter(state=ReportState.TO_FILL, due_on__lt=timezone.localdate()).count() == 1
    out = io.StringIO()
    call_command("followup_status", "--call", call.slug, "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert len(status["laureates"]) == 10
    for row in status["laureates"]:
        assert row["committed_eur"] == row["paid_eur"] + row["remaining_eur"]
    assert status["totals"]["paid_eur"] == sum(r["paid_eur"] for r in status["laureates"])
    assert status["totals"]["reports_late"] == 1
    ended = [r for r in status["laureates"] if r["state"] in ("closed", "terminated", "draft", "sent", "signed")]
    assert [r["next_deadline"] for r in ended] == [None] * 5
