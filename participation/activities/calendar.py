"""Activities as iCalendar: one activity to add to a phone's calendar, or a centre's feed.

Times are written in the centre's time zone with its VTIMEZONE, so calendar apps show the
local time the animators meant, also across a change between winter and summer time.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from ..models import Activity, ActivityStatus, Centre, utcnow

PRODID = "-//participation//activities//EN"
# How often a subscribed calendar app should fetch the centre's feed again.
FEED_REFRESH = timedelta(hours=1)
# How far before the first and after the last event a VTIMEZONE's rules reach.
TIMEZONE_MARGIN = timedelta(days=366)


def activity_location(activity: Activity) -> str:
    """Where the activity happens: its place (else the centre's name) and the centre's address,
    leaving out the parts of the address the place already names ("Sala 2, ul. Paca 40")."""
    centre = activity.centre
    place = activity.place.strip() or centre.name
    missing = [part.strip() for part in centre.address.split(",")
               if part.strip() and part.strip().lower() not in place.lower()]
    return ", ".join([place, *missing])


def activity_event(activity: Activity, url: str) -> Event:
    """The activity as a VEVENT in its centre's time zone, linking to its page at ``url``."""
    zone = ZoneInfo(activity.centre.timezone)
    host = urlsplit(url).hostname or "localhost"
    event = Event()
    event.add("uid", f"activity-{activity.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("summary", activity.title)
    event.add("description", "\n\n".join(part for part in (activity.description.strip(), url)
                                          if part))
    event.add("location", activity_location(activity))
    event.add("dtstart", activity.starts_at.astimezone(zone))
    event.add("dtend", activity.ends_at.astimezone(zone))
    event.add("url", url)
    cancelled = activity.status is ActivityStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def activity_calendar(activity: Activity, url: str) -> bytes:
    """An .ics file holding one activity."""
    return _calendar([activity_event(activity, url)])


def centre_feed(centre: Centre, activities_with_urls: list[tuple[Activity, str]]) -> bytes:
    """A centre's subscribable calendar: the given activities, each with its page's URL."""
    return _calendar([activity_event(activity, url) for activity, url in activities_with_urls],
                     name=centre.name)


def _calendar(events: list[Event], name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name is not None:
        calendar.add("x-wr-calname", name)
        # The standard property (RFC 7986) and the older one Outlook reads.
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH)
    for event in events:
        calendar.add_component(event)
    if events:
        # A VTIMEZONE for every TZID the events use, inserted before them. Its rules cover the
        # events' span (with a margin), not icalendar's default 1970–2038: a few hundred bytes
        # instead of kilobytes on a phone's mobile data.
        calendar.add_missing_timezones(
            first_date=min(event.start.date() for event in events) - TIMEZONE_MARGIN,
            last_date=max(event.end.date() for event in events) + TIMEZONE_MARGIN,
        )
    return calendar.to_ical()
