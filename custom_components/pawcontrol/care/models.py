"""What dog care records: walks, meals and weights, and how they are stored.

Records are immutable and check themselves when they are made: the same
checks run for a record PawControl creates and for one read back from disk,
so whatever PawControl writes it can read again, and a hand-edited or damaged
file can drop a record but never load a wrong one. The stored form is plain
JSON with ISO times. Whether a time lies in the future is a question of the
clock at the moment of writing; the manager asks it (``CLOCK_SKEW``), the
records do not, so a file never depends on the clock it is read at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import math
from typing import Any, Final

MEALS: Final = ("breakfast", "lunch", "dinner", "snack")
MIN_AMOUNT_G: Final = 1
MAX_AMOUNT_G: Final = 5000
MIN_WEIGHT_KG: Final = 0.5
MAX_WEIGHT_KG: Final = 120.0
# Far beyond any walk, even one forgotten for days: a bound against damaged
# files. A walk in progress stops counting there, so every walk can be stored.
MAX_WALK_DISTANCE_M: Final = 1_000_000.0
# How far ahead of Home Assistant's clock a new record's time may be.
CLOCK_SKEW: Final = timedelta(minutes=5)


class InvalidRecordError(ValueError):
    """A record has a missing or impossible field."""


def _time(raw: Any) -> datetime:
    """Return an aware datetime from an ISO string."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise InvalidRecordError("time")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as err:
        raise InvalidRecordError("time") from err
    return value


def _optional_time(raw: Any) -> datetime | None:
    """Return an aware datetime from an ISO string, or None when it is missing."""
    return None if raw is None else _time(raw)


def _check_time(value: datetime | None) -> None:
    """Refuse a time without a zone."""
    if value is not None and value.tzinfo is None:
        raise InvalidRecordError("time without zone")


def _number(raw: Any, low: float, high: float, field: str) -> float:
    """Return a finite number within [low, high]."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidRecordError(field)
    value = float(raw)
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidRecordError(field)
    return value


def _flag(raw: Any, field: str) -> bool:
    """Return a stored boolean (missing is False)."""
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise InvalidRecordError(field)
    return raw


def _check_flag(value: Any, field: str) -> None:
    """Refuse a flag that is not a boolean."""
    if not isinstance(value, bool):
        raise InvalidRecordError(field)


def _dict(raw: Any, what: str) -> dict[str, Any]:
    """Return a stored object or raise."""
    if not isinstance(raw, dict):
        raise InvalidRecordError(what)
    return raw


@dataclass(frozen=True, slots=True)
class WalkRecord:
    """A finished walk: when, how far, and whether it started by itself.

    ``before_day_m`` is the part of the distance walked before the local day
    the walk ended on began: it counted for an earlier day's distance.
    """

    start: datetime
    end: datetime
    distance_m: float
    automatic: bool = False
    before_day_m: float = 0.0

    def __post_init__(self) -> None:
        """Refuse an impossible walk (the same check for new and stored ones)."""
        _check_time(self.start)
        _check_time(self.end)
        if self.end < self.start:
            raise InvalidRecordError("walk duration")
        _number(self.distance_m, 0, MAX_WALK_DISTANCE_M, "distance")
        _number(self.before_day_m, 0, self.distance_m, "distance before the day")
        _check_flag(self.automatic, "automatic")

    @property
    def duration_s(self) -> float:
        """Return the walk's duration in seconds."""
        return (self.end - self.start).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        stored: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "distance_m": self.distance_m,
            "automatic": self.automatic,
        }
        if self.before_day_m:
            stored["before_day_m"] = self.before_day_m
        return stored

    @classmethod
    def from_dict(cls, raw: Any) -> WalkRecord:
        """Read a stored walk or raise InvalidRecordError."""
        raw = _dict(raw, "walk")
        return cls(
            _time(raw.get("start")),
            _time(raw.get("end")),
            raw.get("distance_m"),
            _flag(raw.get("automatic"), "automatic"),
            raw.get("before_day_m", 0.0),
        )


@dataclass(frozen=True, slots=True)
class FeedingRecord:
    """A meal: when, how much, which, and the feeding reminder it answered."""

    time: datetime
    amount_g: int
    meal: str
    # The feeding time whose reminder's "Fed" action logged this meal.
    reminder: datetime | None = None

    def __post_init__(self) -> None:
        """Refuse an impossible meal (the same check for new and stored ones)."""
        _check_time(self.time)
        _check_time(self.reminder)
        if not isinstance(self.meal, str) or self.meal not in MEALS:
            raise InvalidRecordError("meal")
        if not isinstance(self.amount_g, int) or isinstance(self.amount_g, bool):
            raise InvalidRecordError("amount")  # whole grams only
        _number(self.amount_g, MIN_AMOUNT_G, MAX_AMOUNT_G, "amount")

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        stored: dict[str, Any] = {
            "time": self.time.isoformat(),
            "amount_g": self.amount_g,
            "meal": self.meal,
        }
        if self.reminder is not None:
            stored["reminder"] = self.reminder.isoformat()
        return stored

    @classmethod
    def from_dict(cls, raw: Any) -> FeedingRecord:
        """Read a stored meal or raise InvalidRecordError."""
        raw = _dict(raw, "meal")
        amount = raw.get("amount_g")
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)  # 120.0 in a hand-edited file is 120 g
        return cls(
            _time(raw.get("time")),
            amount,
            raw.get("meal"),
            _optional_time(raw.get("reminder")),
        )


@dataclass(frozen=True, slots=True)
class WeightRecord:
    """A weighing."""

    time: datetime
    weight_kg: float

    def __post_init__(self) -> None:
        """Refuse an impossible weight (the same check for new and stored ones)."""
        _check_time(self.time)
        _number(self.weight_kg, MIN_WEIGHT_KG, MAX_WEIGHT_KG, "weight")

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {"time": self.time.isoformat(), "weight_kg": self.weight_kg}

    @classmethod
    def from_dict(cls, raw: Any) -> WeightRecord:
        """Read a stored weight or raise InvalidRecordError."""
        raw = _dict(raw, "weight")
        return cls(_time(raw.get("time")), raw.get("weight_kg"))


@dataclass(frozen=True, slots=True)
class ActiveWalkRecord:
    """The stored part of a walk in progress: no position, only what it adds up to.

    ``day_start`` is the start of the local day that the distance beyond
    ``before_day_m`` counts for; ``left_home`` says whether a fix lay outside
    the home zone, so that an automatic walk still ends when the dog is back.
    """

    start: datetime
    distance_m: float
    automatic: bool
    left_home: bool = False
    day_start: datetime | None = None
    before_day_m: float = 0.0

    def __post_init__(self) -> None:
        """Refuse an impossible walk in progress."""
        _check_time(self.start)
        _check_time(self.day_start)
        _number(self.distance_m, 0, MAX_WALK_DISTANCE_M, "distance")
        _number(self.before_day_m, 0, self.distance_m, "distance before the day")
        _check_flag(self.automatic, "automatic")
        _check_flag(self.left_home, "left home")

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "start": self.start.isoformat(),
            "distance_m": self.distance_m,
            "automatic": self.automatic,
            "left_home": self.left_home,
            "day_start": self.day_start.isoformat() if self.day_start else None,
            "before_day_m": self.before_day_m,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> ActiveWalkRecord:
        """Read a stored walk in progress or raise InvalidRecordError."""
        raw = _dict(raw, "active walk")
        return cls(
            _time(raw.get("start")),
            raw.get("distance_m"),
            _flag(raw.get("automatic"), "automatic"),
            _flag(raw.get("left_home"), "left home"),
            _optional_time(raw.get("day_start")),
            raw.get("before_day_m", 0.0),
        )
