"""Times of diary events: local spans, compact uids, and which range they fall in."""

from __future__ import annotations

from datetime import date, datetime

from homeassistant.components.calendar import CalendarEvent
from homeassistant.util import dt as dt_util


def stamp(moment: datetime) -> str:
    """Return a compact UTC time for event uids."""
    return dt_util.as_utc(moment).strftime("%Y%m%dT%H%M%S%fZ")


def span(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Return an event's start and end in local time, end never before start.

    Home Assistant's calendar checks an event's length on the local clock, so
    a walk that goes on into the hour repeated when daylight saving time ends
    would look negative; its end is then moved to where the clock has caught up.
    """
    local_start, local_end = dt_util.as_local(start), dt_util.as_local(end)
    while local_end.replace(tzinfo=None) < local_start.replace(tzinfo=None):
        gap = local_start.replace(tzinfo=None) - local_end.replace(tzinfo=None)
        local_end = dt_util.as_local(local_end + gap)
    return local_start, local_end


def overlaps(start: datetime, end: datetime, low: datetime, high: datetime) -> bool:
    """Return whether [start, end] overlaps [low, high); an instant at low counts."""
    return start < high and (end > low or start == low)


def moment(value: date) -> datetime:
    """Return an event's start or end as a moment; a day starts at local midnight."""
    if isinstance(value, datetime):
        return value
    return dt_util.start_of_local_day(value)


def event_overlaps(event: CalendarEvent, low: datetime, high: datetime) -> bool:
    """Return whether an event, timed or all-day, overlaps [low, high)."""
    return overlaps(moment(event.start), moment(event.end), low, high)


def sort_key(event: CalendarEvent) -> tuple[datetime, datetime, str]:
    """Return the order of events: by start, end and uid; all-day ones at midnight."""
    return (moment(event.start), moment(event.end), event.uid or "")
