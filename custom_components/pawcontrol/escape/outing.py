"""A dog's time away from home, its alert, and their stored form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .place import Place


def stored_time(raw: object, now: datetime) -> datetime | None:
    """Return a stored aware time not after now, or None."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None or value > now:
        return None
    return value


@dataclass(slots=True)
class Outing:
    """The dog left home (or its safe zones) and is not back yet."""

    left: datetime
    escape: bool
    # True until acknowledged, a walk starts or the dog is back.
    alerting: bool
    sent: datetime | None = None

    def stored(self) -> dict[str, Any]:
        """Return what survives a restart."""
        return {
            "left": self.left.isoformat(),
            "escape": self.escape,
            "alerting": self.alerting,
            "sent": None if self.sent is None else self.sent.isoformat(),
        }

    @classmethod
    def from_stored(cls, raw: object, now: datetime) -> Outing | None:
        """Read a stored outing; None when it is unusable."""
        if not isinstance(raw, dict):
            return None
        left = stored_time(raw.get("left"), now)
        escape, alerting = raw.get("escape"), raw.get("alerting")
        if left is None or not isinstance(escape, bool):
            return None
        return cls(
            left,
            escape,
            alerting is True and escape,
            stored_time(raw.get("sent"), now),
        )


def stored_place(raw: object) -> Place | None:
    """Return a stored place, or None."""
    if isinstance(raw, str) and raw in (Place.INSIDE, Place.OUTSIDE):
        return Place(raw)
    return None
