"""A dog's diary: walks, meals and care tasks as calendar events, in the user's language.

Home Assistant translates entity names and states in the frontend, but event
summaries are text PawControl writes, so their wording comes from the
``common`` and ``selector`` sections of the translations, in Home Assistant's
language (English for keys a language lacks). Events carry times, distances
and amounts only, never a position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .diary_time import event_overlaps, overlaps, sort_key, span, stamp
from .models import MEALS, FeedingRecord, WalkRecord
from .store import DogHistory
from .task_diary import done_event, open_event
from .task_models import KINDS
from .walks import ActiveWalk

# A meal is a moment; a short slot keeps it visible in the week view.
FEEDING_EVENT_DURATION: Final = timedelta(minutes=15)
_WORDING_KEYS: Final = (
    "diary_walk",
    "diary_walk_in_progress",
    "diary_walk_automatic",
    "diary_minutes",
    "diary_hours_minutes",
    "diary_decimal_separator",
    "diary_task_done",
    "diary_task_due",
    "diary_task_overdue",
)


@dataclass(frozen=True, kw_only=True)
class DiaryWording:
    """The texts of the diary in one language."""

    texts: Mapping[str, str]
    meals: Mapping[str, str]
    kinds: Mapping[str, str]

    def distance(self, metres: float) -> str:
        """Return a distance in km with one decimal, e.g. 2.3."""
        separator = self.texts["diary_decimal_separator"]
        return f"{metres / 1000:.1f}".replace(".", separator)

    def duration(self, seconds: float) -> str:
        """Return a duration in minutes, or hours and minutes from an hour on."""
        minutes = max(0, round(seconds / 60))
        if minutes < 60:
            return self.texts["diary_minutes"].format(minutes=minutes)
        return self.texts["diary_hours_minutes"].format(
            hours=minutes // 60, minutes=minutes % 60
        )

    def walk(self, key: str, metres: float, seconds: float) -> str:
        """Return the summary of a walk."""
        return self.texts[key].format(
            distance=self.distance(metres), duration=self.duration(seconds)
        )

    def feeding(self, feeding: FeedingRecord) -> str:
        """Return the summary of a meal, e.g. Breakfast: 200 g."""
        return f"{self.meals.get(feeding.meal, feeding.meal)}: {feeding.amount_g} g"


async def async_load_wording(hass: HomeAssistant) -> DiaryWording:
    """Return the diary's texts in Home Assistant's language."""
    language = hass.config.language
    common = await async_get_translations(hass, language, "common", {DOMAIN})
    selector = await async_get_translations(hass, language, "selector", {DOMAIN})
    meal_prefix = f"component.{DOMAIN}.selector.meal.options."
    kind_prefix = f"component.{DOMAIN}.selector.care_task_kind.options."
    return DiaryWording(
        texts={
            key: common[f"component.{DOMAIN}.common.{key}"] for key in _WORDING_KEYS
        },
        meals={meal: selector.get(meal_prefix + meal, meal) for meal in MEALS},
        kinds={kind: selector.get(kind_prefix + kind, kind) for kind in KINDS},
    )


def _next_minute(now: datetime) -> datetime:
    """Return the next full minute after now."""
    return (now + timedelta(minutes=1)).replace(second=0, microsecond=0)


def _walk_event(wording: DiaryWording, dog_id: str, walk: WalkRecord) -> CalendarEvent:
    """Return a finished walk as an event."""
    start, end = span(walk.start, walk.end)
    return CalendarEvent(
        start=start,
        end=end,
        summary=wording.walk("diary_walk", walk.distance_m, walk.duration_s),
        description=wording.texts["diary_walk_automatic"] if walk.automatic else None,
        uid=f"{dog_id}-walk-{stamp(walk.start)}",
    )


def _ongoing_walk_event(
    wording: DiaryWording, dog_id: str, walk: ActiveWalk, now: datetime
) -> CalendarEvent:
    """Return the walk in progress as an event that lasts until the next minute.

    The calendar entity writes its state again when the event ends, so the
    summary's duration grows minute by minute and the state stays on. The uid
    is the one the walk keeps once it has ended.
    """
    start, end = span(walk.start, _next_minute(max(now, walk.start)))
    return CalendarEvent(
        start=start,
        end=end,
        summary=wording.walk(
            "diary_walk_in_progress",
            walk.distance_m,
            (now - walk.start).total_seconds(),
        ),
        description=wording.texts["diary_walk_automatic"] if walk.automatic else None,
        uid=f"{dog_id}-walk-{stamp(walk.start)}",
    )


def _feedings(
    dog_id: str, feedings: list[FeedingRecord]
) -> Iterator[tuple[str, FeedingRecord]]:
    """Yield each meal with its uid; meals logged at the same moment are numbered."""
    seen: Counter[datetime] = Counter()
    for feeding in feedings:
        count = seen[feeding.time]
        seen[feeding.time] += 1
        suffix = f"-{count}" if count else ""
        yield f"{dog_id}-meal-{stamp(feeding.time)}{suffix}", feeding


def _feeding_event(
    wording: DiaryWording, uid: str, feeding: FeedingRecord
) -> CalendarEvent:
    """Return a meal as a short event."""
    start, end = span(feeding.time, feeding.time + FEEDING_EVENT_DURATION)
    return CalendarEvent(
        start=start,
        end=end,
        summary=wording.feeding(feeding),
        uid=uid,
    )


@dataclass(frozen=True, slots=True)
class DogDiary:
    """The diary of one dog, worded in one language."""

    wording: DiaryWording
    dog_id: str

    def events(
        self,
        history: DogHistory,
        walk: ActiveWalk | None,
        low: datetime,
        high: datetime,
    ) -> list[CalendarEvent]:
        """Return the walks, meals and tasks overlapping [low, high), sorted by start."""
        wording, dog_id = self.wording, self.dog_id
        events = [
            _walk_event(wording, dog_id, record)
            for record in history.walks
            if overlaps(record.start, record.end, low, high)
        ]
        events += [
            _feeding_event(wording, uid, feeding)
            for uid, feeding in _feedings(dog_id, history.feedings)
            if overlaps(feeding.time, feeding.time + FEEDING_EVENT_DURATION, low, high)
        ]
        if walk is not None:
            now = dt_util.utcnow()
            if overlaps(walk.start, _next_minute(max(now, walk.start)), low, high):
                events.append(_ongoing_walk_event(wording, dog_id, walk, now))
        events += [
            event
            for event in self._task_events(history)
            if event_overlaps(event, low, high)
        ]
        return sorted(events, key=sort_key)

    def _task_events(self, history: DogHistory) -> Iterator[CalendarEvent]:
        """Yield the tasks done and the open tasks with a due date."""
        texts, kinds, now = self.wording.texts, self.wording.kinds, dt_util.utcnow()
        for done in history.tasks_done:
            yield done_event(texts, kinds, self.dog_id, done)
        for task in history.tasks:
            if (event := open_event(texts, kinds, self.dog_id, task, now)) is not None:
                yield event

    def current(
        self, history: DogHistory, walk: ActiveWalk | None
    ) -> CalendarEvent | None:
        """Return the walk in progress, else the latest walk, meal or task done."""
        wording, dog_id = self.wording, self.dog_id
        if walk is not None:
            return _ongoing_walk_event(wording, dog_id, walk, dt_util.utcnow())
        latest: list[CalendarEvent] = []
        if history.walks:
            latest.append(_walk_event(wording, dog_id, history.walks[-1]))
        if history.feedings:
            *_, (uid, feeding) = _feedings(dog_id, history.feedings)
            latest.append(_feeding_event(wording, uid, feeding))
        if history.tasks_done:
            latest.append(
                done_event(wording.texts, wording.kinds, dog_id, history.tasks_done[-1])
            )
        return max(latest, key=lambda e: e.start, default=None)
