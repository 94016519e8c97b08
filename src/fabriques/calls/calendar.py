"""A call's deadlines as an iCalendar feed (RFC 5545, written with `icalendar`).

The public feed holds every wave's opening and closing. Other apps add their own deadlines through
`event_source_register(source)`: a source is called as `source(call=…, user=…)` (user None for the public feed)
and returns `CalendarEvent`s — the follow-up app gives a laureate the due dates of their reports that way. A
person's feed is reached through a signed link (`personal_token`), since calendar applications send no cookie.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from fabriques.accounts.models import User

_SALT = "fabriques.calls.calendar"


@dataclass(frozen=True)
class CalendarEvent:
    """One deadline: an instant (`at`, aware) or a whole day (`on`)."""

    uid: str  # stable across requests, unique within the site (e.g. "wave-12-closes")
    title: str
    at: dt.datetime | None = None
    on: dt.date | None = None
    description: str = ""
    path: str = ""  # a page of the site about it


EventSource = Callable[..., Iterable[CalendarEvent]]
EVENT_SOURCES: list[EventSource] = []


def event_source_register(source: EventSource) -> EventSource:
    """Add deadlines of another app to the calls' feeds (idempotent; usable as a decorator)."""
    if source not in EVENT_SOURCES:
        EVENT_SOURCES.append(source)
    return source


def wave_events(call) -> list[CalendarEvent]:
    """Each wave's opening and closing (demo waves included: they are the call's waves too)."""
    path = reverse("calls:detail", kwargs={"slug": call.slug})
    events = []
    for wave in call.waves.all():
        closes = timezone.localtime(wave.closes_at)
        events.append(CalendarEvent(
            uid=f"wave-{wave.pk}-opens", title=f"Ouverture des candidatures — {wave.title}", at=wave.opens_at,
            description=f"{call.title} : les dossiers peuvent être déposés jusqu’au "
                        f"{closes:%d/%m/%Y à %H:%M} (heure de Paris).", path=path))
        events.append(CalendarEvent(
            uid=f"wave-{wave.pk}-closes", title=f"Clôture des candidatures — {wave.title}", at=wave.closes_at,
            description=f"{call.title} : dernier moment pour déposer un dossier "
                        f"({closes:%d/%m/%Y à %H:%M:%S}, heure de Paris).", path=path))
    return events


def call_events(*, call, user=None) -> list[CalendarEvent]:
    """The waves' deadlines, then those the registered sources give for this person (None: public)."""
    events = wave_events(call)
    for source in EVENT_SOURCES:
        events.extend(source(call=call, user=user))
    return events


def calendar_bytes(*, call, events: Iterable[CalendarEvent], name: str) -> bytes:
    """The feed: one VEVENT per deadline, times in UTC, whole days as DATE values."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "fabriques"
    calendar = Calendar()
    calendar.add("prodid", "-//Fabriques//Échéances des appels//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = call.loaded_at.astimezone(dt.UTC)  # when the definition last changed: the feed is stable between loads
    for item in events:
        event = Event()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", item.title)
        if item.at is not None:
            event.add("dtstart", item.at.astimezone(dt.UTC))
            event.add("dtend", item.at.astimezone(dt.UTC))
        else:
            event.add("dtstart", item.on)
            event.add("dtend", item.on + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.path:
            event.add("url", settings.SITE_URL.rstrip("/") + item.path)
        calendar.add_component(event)
    return calendar.to_ical()


def personal_token(*, call, user) -> str:
    """The signed part of a person's feed link (no expiry: a calendar keeps subscribing)."""
    return signing.dumps({"c": call.pk, "u": user.pk}, salt=_SALT, compress=True)


def personal_token_user(*, call, token: str):
    """The user a feed link was made for, None when it is forged or for another call."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != call.pk:
        return None
    return User.objects.filter(pk=data.get("u"), is_active=True).first()
