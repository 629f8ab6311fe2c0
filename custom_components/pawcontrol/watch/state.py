"""What the collar watch knows of one dog, and the rules that decide its states.

Pure functions of the reports, the clock and the dog's limits; the manager
applies them on every refresh, tracker change and timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from .config import BATTERY_REARM_MARGIN

REASON_NO_NEW_DATA: Final = "no_new_data"
REASON_UNREACHABLE: Final = "device_api_unreachable"
MAX_SOURCE_LENGTH: Final = 255
MAX_TIME_LENGTH: Final = 40
CLOCK_SKEW: Final = timedelta(minutes=5)
"""A stored report may be this far ahead of the clock (it is then taken as now)."""


@dataclass(frozen=True, slots=True)
class Report:
    """The newest data of a dog's collar: when it was measured, and by which source."""

    at: datetime
    source: str

    def stored(self) -> dict[str, str]:
        """Return the stored form."""
        return {"at": self.at.isoformat(), "source": self.source}

    @classmethod
    def from_stored(cls, raw: object, now: datetime) -> Report | None:
        """Read a stored report; None when it is unusable."""
        if not isinstance(raw, dict):
            return None
        at, source = raw.get("at"), raw.get("source")
        if not isinstance(source, str) or not 0 < len(source) <= MAX_SOURCE_LENGTH:
            return None
        if not isinstance(at, str) or len(at) > MAX_TIME_LENGTH:
            return None
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            return None
        if when.tzinfo is None or when > now + CLOCK_SKEW:
            return None
        return cls(min(when, now), source)


def newer(current: Report | None, candidate: Report | None) -> Report | None:
    """Return the newer of two reports."""
    if candidate is None:
        return current
    if current is None or candidate.at > current.at:
        return candidate
    return current


def not_reporting(
    report: Report | None,
    now: datetime,
    limit: timedelta,
    *,
    unreachable: bool,
    was: bool | None,
) -> bool | None:
    """Return whether the collar stopped reporting (None: nothing was ever reported).

    While the device API cannot be reached nobody knows whether the collar
    reports: the state stays what it was (the device connection sensor tells).
    """
    if report is None:
        return was
    if now - report.at < limit:
        return False
    return was if unreachable else True


def battery_low(
    battery: int | None, charging: bool | None, limit: int, *, was: bool
) -> bool:
    """Return whether the battery is low, with a margin before it is low again."""
    if charging:
        return False
    if battery is None:
        return was
    if was:
        return battery < limit + BATTERY_REARM_MARGIN
    return battery < limit


def _flag(raw: dict[str, Any], key: str) -> bool | None:
    """Return a stored boolean, None when it is missing or not a boolean."""
    value = raw.get(key)
    return value if isinstance(value, bool) else None


@dataclass(slots=True)
class DogWatch:
    """The collar watch of one dog."""

    report: Report | None = None
    not_reporting: bool | None = None
    unreachable: bool = False
    battery: int | None = None
    battery_low: bool = False
    charging: bool | None = None

    def stored(self) -> dict[str, Any]:
        """Return the stored form: what must be right at once after a restart."""
        return {
            "report": None if self.report is None else self.report.stored(),
            "not_reporting": self.not_reporting,
            "battery_low": self.battery_low,
        }

    @classmethod
    def from_stored(cls, raw: object, now: datetime) -> DogWatch:
        """Read a dog's stored watch; whatever is unusable starts afresh."""
        if not isinstance(raw, dict):
            return cls()
        report = Report.from_stored(raw.get("report"), now)
        return cls(
            report=report,
            # A state without the report it was decided on cannot be trusted.
            not_reporting=_flag(raw, "not_reporting") if report else None,
            battery_low=_flag(raw, "battery_low") is True,
        )

    def kept(self) -> tuple[object, ...]:
        """Return what the store keeps, to tell whether it must be written."""
        return (self.report, self.not_reporting, self.battery_low)

    def reporting_attributes(self) -> dict[str, str | None]:
        """Return the not-reporting sensor's attributes: fixed values, no ages."""
        report = self.report if self.not_reporting else None
        reason = REASON_NO_NEW_DATA if report else None
        return {
            "source": report.source if report else None,
            "quiet_since": report.at.isoformat() if report else None,
            "reason": REASON_UNREACHABLE if self.unreachable else reason,
        }

    def battery_low_shown(self) -> bool | None:
        """Return the battery-low state; unknown while no battery level is known."""
        if self.battery_low:
            return True
        return None if self.battery is None else False

    def shown(self) -> tuple[object, ...]:
        """Return everything the dog's watch entities show."""
        return (
            self.not_reporting,
            self.reporting_attributes(),
            self.battery_low_shown(),
            self.charging,
        )
