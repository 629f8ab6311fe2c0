"""The dog care history on disk: one versioned Store, validated on load.

An unreadable file is set aside (renamed, never deleted) and reported with a
repair issue; PawControl then starts with an empty history instead of failing
to load. Single records that fail validation are dropped and reported the same
way as other PawControl stores. Records older than ``RETENTION`` are pruned,
but the latest record of each kind stays: the weight sensor shows the last
weighing however old it is. Care tasks are never pruned, only the record of
each one done. A file larger than any real history
(``MAX_FILE_BYTES``) is set aside before it is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..resilience.storage import DebouncedSave, PawControlStore, StoreTooLargeError
from .models import (
    ActiveWalkRecord,
    FeedingRecord,
    InvalidRecordError,
    WalkRecord,
    WeightRecord,
)
from .task_models import CareTask, TaskDoneRecord

STORAGE_KEY: Final = f"{DOMAIN}.care"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
RETENTION: Final = timedelta(days=90)
# Bounds against a damaged or hostile file: far above 90 days of real care.
MAX_RECORDS: Final = 5000
# About 100 dogs with 90 days of walks and meals fit in 16 MB; a 50 MB file
# would cost Home Assistant about 500 MB of memory to parse.
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
SET_ASIDE_ISSUE: Final = "care_history_set_aside"


@dataclass(slots=True)
class DogHistory:
    """Everything stored about one dog."""

    walks: list[WalkRecord] = field(default_factory=list)
    feedings: list[FeedingRecord] = field(default_factory=list)
    weights: list[WeightRecord] = field(default_factory=list)
    active_walk: ActiveWalkRecord | None = None
    # Care tasks in the order of the to-do list; they are never pruned.
    tasks: list[CareTask] = field(default_factory=list)
    tasks_done: list[TaskDoneRecord] = field(default_factory=list)

    def prune(self, now: datetime) -> None:
        """Forget records older than the retention period, but each kind's latest."""
        cutoff = now - RETENTION
        self.walks = _recent(self.walks, lambda w: w.end >= cutoff)
        self.feedings = _recent(self.feedings, lambda f: f.time >= cutoff)
        self.weights = _recent(self.weights, lambda w: w.time >= cutoff)
        self.tasks_done = _recent(self.tasks_done, lambda t: t.time >= cutoff)

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "walks": [w.as_dict() for w in self.walks],
            "feedings": [f.as_dict() for f in self.feedings],
            "weights": [w.as_dict() for w in self.weights],
            "active_walk": self.active_walk.as_dict() if self.active_walk else None,
            "tasks": [t.as_dict() for t in self.tasks],
            "tasks_done": [t.as_dict() for t in self.tasks_done],
        }


def _recent[R](records: Sequence[R], keep: Callable[[R], bool]) -> list[R]:
    """Return the records to keep (at most MAX_RECORDS), always the latest one."""
    kept = [record for record in records if keep(record)]
    if not kept and records:
        kept = [records[-1]]
    return kept[-MAX_RECORDS:]


def _records[R](raw: Any, read: Callable[[Any], R]) -> tuple[list[R], int]:
    """Return the valid records of a stored list and how many were dropped."""
    if not isinstance(raw, list):
        return [], 0 if raw is None else 1
    records: list[R] = []
    dropped = 0
    for item in raw[-MAX_RECORDS:]:
        try:
            records.append(read(item))
        except InvalidRecordError:
            dropped += 1
    return records, dropped + max(0, len(raw) - MAX_RECORDS)


def _dog_history(raw: Any) -> tuple[DogHistory, int]:
    """Return a dog's valid history and how many records were dropped."""
    if not isinstance(raw, dict):
        return DogHistory(), 1
    walks, bad_walks = _records(raw.get("walks"), WalkRecord.from_dict)
    feedings, bad_feedings = _records(raw.get("feedings"), FeedingRecord.from_dict)
    weights, bad_weights = _records(raw.get("weights"), WeightRecord.from_dict)
    tasks, bad_tasks = _tasks(raw.get("tasks"))
    done, bad_done = _records(raw.get("tasks_done"), TaskDoneRecord.from_dict)
    dropped = bad_walks + bad_feedings + bad_weights + bad_tasks + bad_done
    active = None
    if raw.get("active_walk") is not None:
        try:
            active = ActiveWalkRecord.from_dict(raw["active_walk"])
        except InvalidRecordError:
            dropped += 1
    history = DogHistory(
        walks=sorted(walks, key=lambda w: w.end),
        feedings=sorted(feedings, key=lambda f: f.time),
        weights=sorted(weights, key=lambda w: w.time),
        active_walk=active,
        tasks=tasks,
        tasks_done=sorted(done, key=lambda t: t.time),
    )
    return history, dropped


def _tasks(raw: Any) -> tuple[list[CareTask], int]:
    """Return the valid stored tasks in their order; a repeated uid is invalid."""
    tasks, dropped = _records(raw, CareTask.from_dict)
    unique: dict[str, CareTask] = {}
    for task in tasks:
        unique.setdefault(task.uid, task)
    return list(unique.values()), dropped + len(tasks) - len(unique)


class CareStore:
    """Load, prune and save the care history of every dog."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Open the store (nothing is read yet)."""
        self._hass = hass
        self._store: PawControlStore[dict[str, Any]] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True, max_bytes=MAX_FILE_BYTES
        )
        self._histories: dict[str, DogHistory] = {}
        self._saver = DebouncedSave(hass, self._store, self._snapshot, SAVE_DELAY)

    async def async_load(self) -> dict[str, DogHistory]:
        """Return the stored history; set an unreadable file aside first."""
        try:
            raw = await self._store.async_load()
        except StoreTooLargeError as err:
            await self._async_set_aside(f"larger than {err.limit_mb} MB")
            return {}
        except Exception as err:  # any unreadable file is set aside
            await self._async_set_aside(type(err).__name__)
            return {}
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not isinstance(raw.get("dogs"), dict):
            await self._async_set_aside("not a care history")
            return {}
        histories: dict[str, DogHistory] = {}
        dropped = 0
        now = dt_util.utcnow()
        for dog_id, dog_raw in list(raw["dogs"].items())[:1000]:
            if not isinstance(dog_id, str) or len(dog_id) > 100:
                dropped += 1
                continue
            histories[dog_id], bad = _dog_history(dog_raw)
            histories[dog_id].prune(now)
            dropped += bad
        if dropped:
            self._store.report_reset(f"{dropped} invalid records")
        return histories

    async def _async_set_aside(self, reason: str) -> None:
        """Rename the unreadable file and tell the user where it is."""
        path = Path(self._store.path)
        kept = path.with_name(
            f"{path.name}.corrupt-{dt_util.utcnow().strftime('%Y%m%d%H%M%S')}"
        )
        try:
            await self._hass.async_add_executor_job(path.replace, kept)
        except OSError as err:
            LOGGER.warning("Could not set the care history aside: %s", err.strerror)
            kept = path
        LOGGER.warning(
            "The dog care history could not be read (%s); it was kept as %s "
            "and PawControl starts with an empty history",
            reason,
            kept.name,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            SET_ASIDE_ISSUE,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="care_history_set_aside",
            translation_placeholders={
                "reason": reason,
                "file": kept.name,
            },
        )

    @callback
    def schedule_save(self, histories: dict[str, DogHistory]) -> None:
        """Save soon; the data is built once, on the event loop, when it is written."""
        self._histories = histories
        self._saver.schedule()

    async def async_save(self, histories: dict[str, DogHistory]) -> None:
        """Save now."""
        self._histories = histories
        await self._saver.async_flush()

    def _snapshot(self) -> dict[str, Any]:
        """Return what the store writes."""
        return {"dogs": {dog_id: h.as_dict() for dog_id, h in self._histories.items()}}
