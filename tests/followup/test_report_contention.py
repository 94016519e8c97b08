"""Two writes of the report at once never give a 500: a save or deposit that waits too long for another writer is
refused in French (503, « réessayez »), nothing is written and the page shows everything that was typed; the
autosave gets a 503 that autosave.js retries. A late autosave never writes into a deposited report."""

import pytest
from django.urls import reverse

from fabriques.followup import reporting
from fabriques.followup.enums import ReportState
from fabriques.followup.models import Report
from tests.contention import another_writer_holding
from tests.followup.test_reports import VALUES, save, spending_as_budgeted
from tests.followup.test_views import _report_post

pytestmark = pytest.mark.django_db(transaction=True)

BUSY = "Un autre enregistrement était en cours au même moment"


@pytest.fixture
def report(agreement_in_force, applicant):
    report = agreement_in_force.reports.get(year=1)
    return save(report, applicant)


def test_a_deposit_that_waits_too_long_for_another_write_is_refused_with_what_was_typed(client, applicant, report):
    client.force_login(applicant)
    client.raise_request_exception = False
    data = _report_post(report, **{"ind-personnes-formees": "97", "narrative": "Texte tapé à l’instant",
                                   "action": "deposit"})
    with another_writer_holding(Report, report.pk):
        response = client.post(reverse("followup:report", args=[report.uuid]), data)
    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert BUSY in text
    assert 'value="97"' in text
    assert "Texte tapé à l’instant" in text
    report.refresh_from_db()
    assert report.state == ReportState.TO_FILL
    assert report.version == 1
    assert not report.versions.exists()

    response = client.post(reverse("followup:report", args=[report.uuid]), data | {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DEPOSITED
    assert next(i["value"] for i in report.versions.get().snapshot["indicators"]
                if i["code"] == "personnes-formees") == "97"


def test_an_autosave_that_waits_too_long_gets_a_503_for_the_script_to_retry(client, applicant, report):
    client.force_login(applicant)
    client.raise_request_exception = False
    with another_writer_holding(Report, report.pk):
        response = client.post(reverse("followup:report", args=[report.uuid]),
                               _report_post(report, **{"ind-personnes-formees": "97"}), HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert BUSY in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1


def test_a_late_autosave_never_writes_into_the_deposited_report(applicant, report):
    stale = Report.objects.get(pk=report.pk)  # read by the autosave's request before the deposit committed
    reporting.report_deposit(report=report, by=applicant)
    with pytest.raises(reporting.FollowupError, match="il n’est plus modifiable"):
        reporting.report_save(report=stale, by=applicant, base_version=stale.version,
                              values={**VALUES, "personnes-formees": "1"},
                              spending=spending_as_budgeted(stale), narrative="Écrit après le dépôt")
    report.refresh_from_db()
    assert report.narrative == "Une belle année."
