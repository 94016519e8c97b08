"""The call's deadlines as an iCalendar feed: public waves, a person's own deadlines through a signed link, the
hook other apps feed; read back with icalendar's parser."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from fabriques.calls import calendar
from fabriques.calls.calendar import CalendarEvent, event_source_register

pytestmark = pytest.mark.django_db


def events_of(response) -> dict:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    return {str(e["uid"]).split("@")[0]: e for e in parsed.walk("VEVENT")}


@pytest.fixture
def report_source():
    """A source like the follow-up app's: one due date for the person it is asked about."""
    def source(*, call, user):
        if user is None:
            return []
        return [CalendarEvent(uid=f"report-{user.pk}", title="Rapport annuel à rendre", on=dt.date(2027, 3, 31),
                              path="/espace/")]

    event_source_register(source)
    yield source
    calendar.EVENT_SOURCES.remove(source)


def test_the_public_feed_lists_each_wave_opening_and_closing_in_utc(client, open_wave):
    call = open_wave.call
    response = client.get(reverse("calls:calendar", kwargs={"slug": call.slug}))
    events = events_of(response)
    waves = list(call.waves.all())
    assert set(events) == {f"wave-{w.pk}-{edge}" for w in waves for edge in ("opens", "closes")}
    closing = events[f"wave-{open_wave.pk}-closes"]
    assert closing.decoded("dtstart") == open_wave.closes_at.astimezone(dt.UTC)
    assert str(closing["summary"]) == f"Clôture des candidatures — {open_wave.title}"
    assert str(closing["url"]).endswith(f"/appels/{call.slug}/")
    parsed = Calendar.from_ical(response.content)
    assert str(parsed["x-wr-calname"]) == f"{call.short_title} — échéances"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_feed_is_stable_between_two_requests(client, call):
    url = reverse("calls:calendar", kwargs={"slug": call.slug})
    assert client.get(url).content == client.get(url).content


def test_a_personal_link_adds_that_persons_deadlines_and_the_public_feed_does_not(
    client, call, make_user, report_source
):
    user = make_user("laureate@example.org")
    url = reverse("calls:calendar", kwargs={"slug": call.slug})
    assert f"report-{user.pk}" not in events_of(client.get(url))
    token = calendar.personal_token(call=call, user=user)
    due = events_of(client.get(url, {"jeton": token}))[f"report-{user.pk}"]
    assert due.decoded("dtstart") == dt.date(2027, 3, 31)
    assert str(due["summary"]) == "Rapport annuel à rendre"


def test_a_forged_link_or_another_calls_link_is_a_404(client, call, make_user):
    user = make_user("laureate@example.org")
    url = reverse("calls:calendar", kwargs={"slug": call.slug})
    assert client.get(url, {"jeton": "forged:abc"}).status_code == 404
    other = type(call)(pk=call.pk + 1000)
    assert client.get(url, {"jeton": calendar.personal_token(call=other, user=user)}).status_code == 404
    assert client.get(reverse("calls:calendar", kwargs={"slug": "inconnu"})).status_code == 404


def test_the_call_page_offers_the_feed_and_a_personal_link_once_logged_in(client, call, make_user):
    page = client.get(reverse("calls:detail", kwargs={"slug": call.slug})).content.decode()
    assert f'href="/appels/{call.slug}/calendrier.ics"' in page
    assert "?jeton=" not in page
    client.force_login(make_user("porteuse@example.org"))
    page = client.get(reverse("calls:detail", kwargs={"slug": call.slug})).content.decode()
    assert f"/appels/{call.slug}/calendrier.ics?jeton=" in page
