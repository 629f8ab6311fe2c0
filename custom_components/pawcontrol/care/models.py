"""What dog care records: walks, meals and weights, and how they are stored.

Records are immutable; the stored form is plain JSON with ISO times. Reading a
stored record validates every field, so a hand-edited or damaged file can
drop a record but never load a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math
from typing import Any, Final

MEALS: Final = ("breakfast", "lunch", "dinner", "snack")
MIN_AMOUNT_G: Final = 1
MAX_AMOUNT_G: Final = 5000
MIN_WEIGHT_KG: Final = 0.5
MAX_WEIGHT_KG: Final = 120.0
# A walk longer than a day or farther than 100 km is not a stored walk.
MAX_WALK_SECONDS: Final = 86_400.0
MAX_WALK_DISTANCE_M: Final = 100_000.0


class InvalidRecordError(ValueError):
    """A stored record has a missing or impossible field."""


def _time(raw: Any) -> datetime:
    """Return an aware datetime from an ISO string."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise InvalidRecordError("time")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as err:
        raise InvalidRecordError("time") from err
    if value.tzinfo is None:
        raise InvalidRecordError("time without zone")
    return value


def _number(raw: Any, low: float, high: float, field: str) -> float:
    """Return a finite number within [low, high]."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidRecordError(field)
    value = float(raw)
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidRecordError(field)
    return value


@dataclass(frozen=True, slots=True)
class WalkRecord:
    """A finished walk: when, how far, and whether it started by itself."""

    start: datetime
    end: datetime
    distance_m: float
    automatic: bool = False

    @property
    def duration_s(self) -> float:
        """Return the walk's duration in seconds."""
        return (self.end - self.start).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "distance_m": round(self.distance_m, 1),
            "automatic": self.automatic,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> WalkRecord:
        """Read a stored walk or raise InvalidRecordError."""
        if not isinstance(raw, dict):
            raise InvalidRecordError("walk")
        start, end = _time(raw.get("start")), _time(raw.get("end"))
        if not 0 <= (end - start).total_seconds() <= MAX_WALK_SECONDS:
            raise InvalidRecordError("walk duration")
        distance = _number(raw.get("distance_m"), 0, MAX_WALK_DISTANCE_M, "distance")
        automatic = raw.get("automatic", False)
        if not isinstance(automatic, bool):
            raise InvalidRecordError("automatic")
        return cls(start, end, distance, automatic)


@dataclass(frozen=True, slots=True)
class FeedingRecord:
    """A meal: when, how much and which."""

    time: datetime
    amount_g: int
    meal: str

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "time": self.time.isoformat(),
            "amount_g": self.amount_g,
            "meal": self.meal,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> FeedingRecord:
        """Read a stored meal or raise InvalidRecordError."""
        if not isinstance(raw, dict) or raw.get("meal") not in MEALS:
            raise InvalidRecordError("meal")
        amount = _number(raw.get("amount_g"), MIN_AMOUNT_G, MAX_AMOUNT_G, "amount")
        if amount != int(amount):
            raise InvalidRecordError("amount")
        return cls(_time(raw.get("time")), int(amount), raw["meal"])


@dataclass(frozen=True, slots=True)
class WeightRecord:
    """A weighing."""

    time: datetime
    weight_kg: float

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {"time": self.time.isoformat(), "weight_kg": self.weight_kg}

    @classmethod
    def from_dict(cls, raw: Any) -> WeightRecord:
        """Read a stored weight or raise InvalidRecordError."""
        if not isinstance(raw, dict):
            raise InvalidRecordError("weight")
        weight = _number(raw.get("weight_kg"), MIN_WEIGHT_KG, MAX_WEIGHT_KG, "weight")
        return cls(_time(raw.get("time")), weight)


@dataclass(frozen=True, slots=True)
class ActiveWalkRecord:
    """The stored part of a walk in progress: no position, only what it adds up to."""

    start: datetime
    distance_m: float
    automatic: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "start": self.start.isoformat(),
            "distance_m": round(self.distance_m, 1),
            "automatic": self.automatic,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> ActiveWalkRecord:
        """Read a stored walk in progress or raise InvalidRecordError."""
        if not isinstance(raw, dict):
            raise InvalidRecordError("active walk")
        distance = _number(raw.get("distance_m"), 0, MAX_WALK_DISTANCE_M, "distance")
        automatic = raw.get("automatic", False)
        if not isinstance(automatic, bool):
            raise InvalidRecordError("automatic")
        return cls(_time(raw.get("start")), distance, automatic)
