"""Dog care of one config entry: walks, meals, weights, and what they add up to.

Every change happens synchronously on the event loop (validate, record,
schedule a save, tell the entities), so concurrent service calls can never
lose a record. Day figures are computed from the records for the local day
of Home Assistant's time zone. A timer at the start of the next local day
(``dt_util.start_of_local_day`` of tomorrow, so a day that starts at 01:00
because daylight saving time skips midnight still starts, and a repeated hour
starts it once) refreshes them; it is set again every day and whenever the
time zone changes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, Final

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..resilience.listeners import KeyedListeners
from .models import CLOCK_SKEW, FeedingRecord, WalkRecord, WeightRecord
from .store import RETENTION, CareStore, DogHistory
from .walks import ActiveWalk, Fix

EVENT_WALK_ENDED: Final = "pawcontrol_walk_ended"
# Meals and weighings are kept in the order of their time.
_BY_TIME: Final = attrgetter("time")


class CareError(Exception):
    """A care action that cannot be done; carries its translation key."""

    def __init__(self, translation_key: str, **placeholders: str) -> None:
        """Store the translation key and placeholders."""
        super().__init__(translation_key)
        self.translation_key = translation_key
        self.placeholders = placeholders


def _local_day(moment: datetime) -> date:
    """Return the day of ``moment`` in Home Assistant's time zone."""
    return dt_util.as_local(moment).date()


def day_start(day: date) -> datetime:
    """Return when a local day starts, in UTC.

    Where daylight saving time skips midnight, the day starts at the first
    moment it has (01:00); compared in UTC, a repeated hour is no new day.
    """
    return dt_util.as_utc(dt_util.start_of_local_day(day))


def today_start(now: datetime) -> datetime:
    """Return when the local day of ``now`` started, in UTC."""
    return day_start(_local_day(now))


def next_day_start(now: datetime) -> datetime:
    """Return when the local day after that of ``now`` starts, in UTC."""
    return day_start(_local_day(now) + timedelta(days=1))


class CareManager:
    """The care records and walks in progress of the configured dogs."""

    def __init__(self, hass: HomeAssistant, store: CareStore) -> None:
        """Start empty; async_load reads the stored history."""
        self._hass = hass
        self._store = store
        self.histories: dict[str, DogHistory] = {}
        self.walks: dict[str, ActiveWalk] = {}
        self._listeners: KeyedListeners[str] = KeyedListeners()
        self._unsub_day: CALLBACK_TYPE | None = None
        self._unsub_config: CALLBACK_TYPE | None = None
        self._day_job = HassJob(self._at_day_start, cancel_on_shutdown=True)

    async def async_load(self, dog_ids: set[str]) -> None:
        """Read the history; keep only configured dogs; resume walks in progress."""
        stored = await self._store.async_load()
        self.histories = {
            dog_id: stored.get(dog_id, DogHistory()) for dog_id in dog_ids
        }
        now = dt_util.utcnow()
        for dog_id, history in self.histories.items():
            if history.active_walk is not None:
                walk = ActiveWalk.restore(history.active_walk)
                # A walk stored before days were split began on its start's day.
                walk.day_start = walk.day_start or today_start(walk.start)
                walk.start_day(today_start(now))
                self.walks[dog_id] = walk
                history.active_walk = walk.stored()
        if set(stored) - dog_ids:
            self._store.schedule_save(self.histories)
        self._schedule_day_start()
        self._unsub_config = self._hass.bus.async_listen(
            EVENT_CORE_CONFIG_UPDATE, self._on_core_config
        )

    async def async_shutdown(self) -> None:
        """Stop the day timer and write everything now."""
        if self._unsub_day is not None:
            self._unsub_day()
            self._unsub_day = None
        if self._unsub_config is not None:
            self._unsub_config()
            self._unsub_config = None
        await self._store.async_save(self.histories)

    @callback
    def async_add_listener(
        self, dog_id: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` after a change of the dog (or of every dog)."""
        return self._listeners.add(dog_id, listener)

    @callback
    def async_add_every_listener(
        self, listener: Callable[[str | None], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with the changed dog (None: every dog) after any change."""
        return self._listeners.add_every(listener)

    @callback
    def _changed(self, dog_id: str | None) -> None:
        """Save soon and tell whoever shows the dog (None: every dog)."""
        for changed in self.histories if dog_id is None else (dog_id,):
            walk = self.walks.get(changed)
            self.histories[changed].active_walk = walk.stored() if walk else None
        self._store.schedule_save(self.histories)
        self._listeners.notify(dog_id)

    @callback
    def notify_changed(self, dog_id: str) -> None:
        """Save soon and tell whoever shows the dog: its records were changed."""
        self._changed(dog_id)

    @callback
    def save_soon(self) -> None:
        """Save soon; nothing any entity shows has changed."""
        self._store.schedule_save(self.histories)

    @callback
    def _schedule_day_start(self) -> None:
        """Wake up when the next local day starts."""
        if self._unsub_day is not None:
            self._unsub_day()
        self._unsub_day = async_track_point_in_utc_time(
            self._hass, self._day_job, next_day_start(dt_util.utcnow())
        )

    @callback
    def _on_core_config(self, _event: Event[Any]) -> None:
        """Follow a change of Home Assistant's time zone: another day, another timer."""
        self._schedule_day_start()
        self._start_day()

    @callback
    def _at_day_start(self, _now: datetime) -> None:
        """Start the new day: prune old records, reset the day figures."""
        self._unsub_day = None
        self._schedule_day_start()
        for history in self.histories.values():
            history.prune(dt_util.utcnow())
        self._start_day()

    @callback
    def _start_day(self) -> None:
        """Let every walk in progress begin the current day; tell the entities."""
        start = today_start(dt_util.utcnow())
        for walk in self.walks.values():
            walk.start_day(start)
        self._changed(None)

    def _history(self, dog_id: str) -> DogHistory:
        """Return a configured dog's history or raise."""
        if dog_id not in self.histories:
            raise CareError("unknown_dog", dog=dog_id)
        return self.histories[dog_id]

    # Actions -----------------------------------------------------------------

    @callback
    def start_walk(
        self, dog_id: str, *, automatic: bool = False, start: datetime | None = None
    ) -> ActiveWalk:
        """Start a walk (now, or when the fix that started it was taken)."""
        self._history(dog_id)
        if dog_id in self.walks:
            raise CareError("walk_in_progress", dog=dog_id)
        now = dt_util.utcnow()
        begin = now if start is None else min(start, now)
        walk = self.walks[dog_id] = ActiveWalk(begin, automatic)
        walk.start_day(today_start(now))
        self._changed(dog_id)
        return walk

    @callback
    def end_walk(self, dog_id: str) -> WalkRecord:
        """End the walk in progress, store it and fire pawcontrol_walk_ended."""
        history = self._history(dog_id)
        if (walk := self.walks.pop(dog_id, None)) is None:
            raise CareError("no_walk_in_progress", dog=dog_id)
        now = dt_util.utcnow()
        walk.start_day(today_start(now))
        record = walk.finish(now)
        history.walks.append(record)
        self._changed(dog_id)
        self._hass.bus.async_fire(
            EVENT_WALK_ENDED,
            {
                "dog": dog_id,
                "start": record.start.isoformat(),
                "end": record.end.isoformat(),
                # The names (seconds, metres), and the same with units.
                "duration": round(record.duration_s),
                "distance": round(record.distance_m),
                "duration_s": round(record.duration_s),
                "distance_m": round(record.distance_m),
                "automatic": record.automatic,
            },
        )
        return record

    @callback
    def add_fix(self, dog_id: str, fix: Fix, accuracy_limit: float) -> bool:
        """Count a fix towards the dog's walk in progress, if any."""
        walk = self.walks.get(dog_id)
        if walk is None or not walk.add_fix(fix, accuracy_limit):
            return False
        self._changed(dog_id)
        return True

    @callback
    def log_feeding(
        self,
        dog_id: str,
        amount_g: int,
        meal: str,
        *,
        when: datetime | None = None,
        reminder: datetime | None = None,
    ) -> FeedingRecord:
        """Store a meal (now, or when it was given), maybe answering a reminder."""
        history = self._history(dog_id)
        record = FeedingRecord(self._record_time(when), amount_g, meal, reminder)
        bisect.insort(history.feedings, record, key=_BY_TIME)
        self._changed(dog_id)
        return record

    @callback
    def log_weight(
        self, dog_id: str, weight_kg: float, *, when: datetime | None = None
    ) -> WeightRecord:
        """Store a weighing (now, or when it was taken)."""
        history = self._history(dog_id)
        record = WeightRecord(self._record_time(when), weight_kg)
        bisect.insort(history.weights, record, key=_BY_TIME)
        self._changed(dog_id)
        return record

    @staticmethod
    def _record_time(when: datetime | None) -> datetime:
        """Return a new record's time; refuse the future and beyond the history."""
        now = dt_util.utcnow()
        if when is None:
            return now
        if when > now + CLOCK_SKEW:
            raise CareError(
                "time_in_future", minutes=str(int(CLOCK_SKEW.total_seconds() // 60))
            )
        if when < now - RETENTION:
            raise CareError("time_too_old", days=str(RETENTION.days))
        return dt_util.as_utc(when)

    @callback
    def answer_feeding(
        self, dog_id: str, amount_g: int, meal: str, reminder: datetime
    ) -> FeedingRecord | None:
        """Log a meal for a feeding reminder once; a second answer changes nothing."""
        if any(f.reminder == reminder for f in self._history(dog_id).feedings):
            LOGGER.debug(
                "%s was already fed for the reminder of %s; ignored",
                dog_id,
                reminder.isoformat(),
            )
            return None
        return self.log_feeding(dog_id, amount_g, meal, reminder=reminder)

    # What the entities show ------------------------------------------------------

    def walks_today(self, dog_id: str) -> list[WalkRecord]:
        """Return the walks that ended today (local time)."""
        today = _local_day(dt_util.utcnow())
        return [w for w in self.histories[dog_id].walks if _local_day(w.end) == today]

    def distance_today(self, dog_id: str) -> int:
        """Return whole metres walked today, including the walk in progress.

        Only what was walked since the day started counts. The walk in progress
        adds its distance rounded as its end will round it, so the figure never
        goes down when the walk ends.
        """
        done = sum(
            round(w.distance_m - w.before_day_m) for w in self.walks_today(dog_id)
        )
        walk = self.walks.get(dog_id)
        if walk is None:
            return done
        return done + round(walk.distance_m) - round(walk.before_day_m)

    def last_walk(self, dog_id: str) -> WalkRecord | None:
        """Return the dog's last finished walk."""
        walks = self.histories[dog_id].walks
        return walks[-1] if walks else None

    def meals_today(self, dog_id: str) -> list[FeedingRecord]:
        """Return today's meals (local time)."""
        today = _local_day(dt_util.utcnow())
        return [
            f for f in self.histories[dog_id].feedings if _local_day(f.time) == today
        ]

    def last_feeding(
        self, dog_id: str, *, before: datetime | None = None
    ) -> FeedingRecord | None:
        """Return the dog's last meal (not after ``before``, when given)."""
        feedings = self.histories[dog_id].feedings
        if before is not None:
            feedings = feedings[: bisect.bisect_right(feedings, before, key=_BY_TIME)]
        return feedings[-1] if feedings else None

    def weight(self, dog_id: str) -> WeightRecord | None:
        """Return the dog's last weighing."""
        weights = self.histories[dog_id].weights
        return weights[-1] if weights else None

    def diagnostics(self) -> dict[str, Any]:
        """Return counts only: no times, places or amounts of a single record."""
        return {
            dog_id: {
                "walks": len(history.walks),
                "feedings": len(history.feedings),
                "weights": len(history.weights),
                "walk_in_progress": dog_id in self.walks,
                "tasks": len(history.tasks),
                "tasks_done": len(history.tasks_done),
            }
            for dog_id, history in self.histories.items()
        }
