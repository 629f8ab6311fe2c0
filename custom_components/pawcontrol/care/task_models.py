"""Care tasks of a dog: what is to be done, by when, how often, and what was done.

A task is immutable and checks itself when it is made, like the other care
records: the same check runs for a task a user creates and for one read back
from disk, so a hand-edited or damaged file drops a task but never loads an
impossible one. A due date is a day (``date``) or a moment (an aware
``datetime``); both are stored as ISO text, a day without a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
import re
from typing import Any, Final

from .models import InvalidRecordError

KINDS: Final = (
    "medication",
    "vaccination",
    "deworming",
    "vet_visit",
    "grooming",
    "other",
)
UNITS: Final = ("days", "weeks", "months")
MAX_SUMMARY: Final = 255
MAX_DESCRIPTION: Final = 1000
MAX_REPEAT: Final = 365
MAX_TASKS: Final = 100
# Bounds of a due date: no care task is older, and repeats cannot overflow.
FIRST_DUE: Final = date(2000, 1, 1)
LAST_DUE: Final = date(2200, 12, 31)
_UID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")

type Due = date | datetime


def due_day(due: Due) -> date:
    """Return the day of a due date (a moment's own day, as it was given)."""
    return due.date() if isinstance(due, datetime) else due


def check_due(due: Due | None) -> None:
    """Refuse a due moment without a zone, or a due date out of bounds."""
    if due is None:
        return
    if isinstance(due, datetime) and due.tzinfo is None:
        raise InvalidRecordError("due without zone")
    if not FIRST_DUE <= due_day(due) <= LAST_DUE:
        raise InvalidRecordError("due out of range")


def due_from_stored(raw: Any) -> Due | None:
    """Return a stored due date or moment (None when there is none)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        raise InvalidRecordError("due")
    try:
        return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
    except ValueError as err:
        raise InvalidRecordError("due") from err


def due_to_stored(due: Due | None) -> str | None:
    """Return the stored form of a due date or moment."""
    return None if due is None else due.isoformat()


def _check_text(value: Any, limit: int, field: str, *, optional: bool) -> None:
    """Refuse a text that is missing, blank or longer than ``limit``."""
    if value is None and optional:
        return
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidRecordError(field)
    if not optional and not value.strip():
        raise InvalidRecordError(field)


def _stored_moment(raw: Any) -> datetime | None:
    """Return a stored aware moment, or None when there is none."""
    due = due_from_stored(raw)
    if due is not None and not isinstance(due, datetime):
        raise InvalidRecordError("moment")
    return due


def _dict(raw: Any, what: str) -> dict[str, Any]:
    """Return a stored object or raise."""
    if not isinstance(raw, dict):
        raise InvalidRecordError(what)
    return raw


@dataclass(frozen=True, slots=True)
class Repeat:
    """How often a task comes back: every ``every`` days, weeks or months."""

    every: int
    unit: str

    def __post_init__(self) -> None:
        """Refuse an impossible repeat."""
        if isinstance(self.every, bool) or not isinstance(self.every, int):
            raise InvalidRecordError("repeat")
        if not 1 <= self.every <= MAX_REPEAT or self.unit not in UNITS:
            raise InvalidRecordError("repeat")

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {"every": self.every, "unit": self.unit}

    @classmethod
    def from_dict(cls, raw: Any) -> Repeat | None:
        """Read a stored repeat (None: the task does not repeat)."""
        if raw is None:
            return None
        raw = _dict(raw, "repeat")
        return cls(raw.get("every"), raw.get("unit"))


@dataclass(frozen=True, slots=True)
class CareTask:
    """A task on a dog's care list.

    ``completed`` is when a one-off task was done (None while it is open).
    ``month_day`` is the day of the month a monthly repeat keeps (the 31st
    stays the 31st after a short month). ``reminded`` is the due date whose
    reminder went out, so it goes out once per due date.
    """

    uid: str
    summary: str
    kind: str = "other"
    description: str | None = None
    due: Due | None = None
    repeat: Repeat | None = None
    completed: datetime | None = None
    month_day: int | None = None
    reminded: Due | None = None

    def __post_init__(self) -> None:
        """Refuse an impossible task (the same check for new and stored ones)."""
        if not isinstance(self.uid, str) or not _UID.fullmatch(self.uid):
            raise InvalidRecordError("uid")
        _check_text(self.summary, MAX_SUMMARY, "summary", optional=False)
        _check_text(self.description, MAX_DESCRIPTION, "description", optional=True)
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise InvalidRecordError("kind")
        check_due(self.due)
        check_due(self.reminded)
        if self.completed is not None and (
            not isinstance(self.completed, datetime) or self.completed.tzinfo is None
        ):
            raise InvalidRecordError("completed")
        if self.month_day is not None and (
            isinstance(self.month_day, bool)
            or not isinstance(self.month_day, int)
            or not 1 <= self.month_day <= 31
        ):
            raise InvalidRecordError("month day")

    @property
    def is_open(self) -> bool:
        """Return whether the task still needs doing."""
        return self.completed is None

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "uid": self.uid,
            "summary": self.summary,
            "kind": self.kind,
            "description": self.description,
            "due": due_to_stored(self.due),
            "repeat": self.repeat.as_dict() if self.repeat else None,
            "completed": due_to_stored(self.completed),
            "month_day": self.month_day,
            "reminded": due_to_stored(self.reminded),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> CareTask:
        """Read a stored task or raise InvalidRecordError."""
        raw = _dict(raw, "task")
        return cls(
            raw.get("uid"),
            raw.get("summary"),
            raw.get("kind", "other"),
            raw.get("description"),
            due_from_stored(raw.get("due")),
            Repeat.from_dict(raw.get("repeat")),
            _stored_moment(raw.get("completed")),
            raw.get("month_day"),
            due_from_stored(raw.get("reminded")),
        )


@dataclass(frozen=True, slots=True)
class TaskDoneRecord:
    """A care task that was done: when, which kind, what, and which task."""

    time: datetime
    kind: str
    summary: str
    task: str

    def __post_init__(self) -> None:
        """Refuse an impossible record."""
        if self.time.tzinfo is None:
            raise InvalidRecordError("time")
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise InvalidRecordError("kind")
        _check_text(self.summary, MAX_SUMMARY, "summary", optional=False)
        if not isinstance(self.task, str) or not _UID.fullmatch(self.task):
            raise InvalidRecordError("task")

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "time": self.time.isoformat(),
            "kind": self.kind,
            "summary": self.summary,
            "task": self.task,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> TaskDoneRecord:
        """Read a stored record or raise InvalidRecordError."""
        raw = _dict(raw, "task done")
        time = _stored_moment(raw.get("time"))
        if time is None:
            raise InvalidRecordError("time")
        return cls(time, raw.get("kind"), raw.get("summary"), raw.get("task"))
