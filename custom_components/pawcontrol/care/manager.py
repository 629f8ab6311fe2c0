"""Dog care of one config entry: walks, meals, weights, and what they add up to.

Every change happens synchronously on the event loop (validate, record,
schedule a save, tell the entities), so concurrent service calls can never
lose a record. Day figures are computed from the records for the local day
of Home Assistant's time zone; a timer at local midnight refreshes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .models import FeedingRecord, WalkRecord, WeightRecord
from .store import CareStore, DogHistory
from .walks import ActiveWalk, Fix

EVENT_WALK_ENDED: Final = "pawcontrol_walk_ended"


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


class CareManager:
    """The care records and walks in progress of the configured dogs."""

    def __init__(self, hass: HomeAssistant, store: CareStore) -> None:
        """Start empty; async_load reads the stored history."""
        self._hass = hass
        self._store = store
        self.histories: dict[str, DogHistory] = {}
        self.walks: dict[str, ActiveWalk] = {}
        self._listeners: list[Callable[[], None]] = []
        self._unsub_midnight: CALLBACK_TYPE | None = None

    async def async_load(self, dog_ids: set[str]) -> None:
        """Read the history; keep only configured dogs; resume walks in progress."""
        stored = await self._store.async_load()
        self.histories = {
            dog_id: stored.get(dog_id, DogHistory()) for dog_id in dog_ids
        }
        for dog_id, history in self.histories.items():
            if history.active_walk is not None:
                self.walks[dog_id] = ActiveWalk.restore(history.active_walk)
        if set(stored) - dog_ids:
            self._store.schedule_save(self.histories)
        self._unsub_midnight = async_track_time_change(
            self._hass, self._at_midnight, hour=0, minute=0, second=0
        )

    async def async_shutdown(self) -> None:
        """Stop the midnight timer and write everything now."""
        if self._unsub_midnight is not None:
            self._unsub_midnight()
            self._unsub_midnight = None
        await self._store.async_save(self.histories)

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after every change; return the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _changed(self) -> None:
        """Save soon and tell the entities."""
        for dog_id, history in self.histories.items():
            walk = self.walks.get(dog_id)
            history.active_walk = walk.stored() if walk else None
        self._store.schedule_save(self.histories)
        for listener in list(self._listeners):
            listener()

    @callback
    def _at_midnight(self, now: datetime) -> None:
        """Start the new day: prune old records, reset the day figures."""
        for history in self.histories.values():
            history.prune(dt_util.utcnow())
        self._changed()

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
        self._changed()
        return walk

    @callback
    def end_walk(self, dog_id: str) -> WalkRecord:
        """End the walk in progress, store it and fire pawcontrol_walk_ended."""
        history = self._history(dog_id)
        if (walk := self.walks.pop(dog_id, None)) is None:
            raise CareError("no_walk_in_progress", dog=dog_id)
        record = walk.finish(dt_util.utcnow())
        history.walks.append(record)
        self._changed()
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
        self._changed()
        return True

    @callback
    def log_feeding(self, dog_id: str, amount_g: int, meal: str) -> FeedingRecord:
        """Store a meal."""
        record = FeedingRecord(dt_util.utcnow(), amount_g, meal)
        self._history(dog_id).feedings.append(record)
        self._changed()
        return record

    @callback
    def log_weight(self, dog_id: str, weight_kg: float) -> WeightRecord:
        """Store a weighing."""
        record = WeightRecord(dt_util.utcnow(), weight_kg)
        self._history(dog_id).weights.append(record)
        self._changed()
        return record

    # What the entities show ------------------------------------------------------

    def walks_today(self, dog_id: str) -> list[WalkRecord]:
        """Return the walks that ended today (local time)."""
        today = _local_day(dt_util.utcnow())
        return [w for w in self.histories[dog_id].walks if _local_day(w.end) == today]

    def distance_today(self, dog_id: str) -> float:
        """Return metres walked today, including the walk in progress."""
        done = sum(w.distance_m for w in self.walks_today(dog_id))
        walk = self.walks.get(dog_id)
        return done + (walk.distance_m if walk else 0.0)

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

    def last_feeding(self, dog_id: str) -> FeedingRecord | None:
        """Return the dog's last meal."""
        feedings = self.histories[dog_id].feedings
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
            }
            for dog_id, history in self.histories.items()
        }
