"""The call's iCalendar feed (calls.calendar) carries the laureate's report due dates in their personal feed only."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from fabriques.calls.calendar import personal_token

pytestmark = pytest.mark.django_db


def feed_events(client, call, **params) -> dict:
    response = client.get(reverse("calls:calendar", kwargs={"slug": call.slug}), params)
    return {str(e["uid"]).split("@")[0]: e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_laureates_personal_feed_lists_the_reports_still_owed(client, agreement_in_force, applicant, make_user):
    call = agreement_in_force.call
    reports = list(agreement_in_force.reports.order_by("year"))
    assert reports
    mine = feed_events(client, call, jeton=personal_token(call=call, user=applicant))
    first = mine[f"report-{reports[0].uuid}"]
    assert first.decoded("dtstart") == reports[0].due_on
    assert str(first["summary"]) == f"{reports[0].label} à rendre — {agreement_in_force.reference}"
    assert str(first["url"]).endswith(reverse("followup:report", kwargs={"uuid": reports[0].uuid}))
    assert not any(uid.startswith("report-") for uid in feed_events(client, call))
    stranger = make_user("autre@exemple.fr")
    assert not any(uid.startswith("report-") for uid in feed_events(
        client, call, jeton=personal_token(call=call, user=stranger)))
