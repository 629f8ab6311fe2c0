"""A dog's collar watch options, read robustly from the entry options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
import math
from typing import Any, Final

from ..const import CONF_BATTERY_LOW_PERCENT, CONF_NOT_REPORTING_MINUTES, DEFAULT_WATCH

# The range of each option: minutes of silence, battery percent.
WATCH_RANGES: Final[dict[str, tuple[int, int]]] = {
    CONF_NOT_REPORTING_MINUTES: (5, 1440),
    CONF_BATTERY_LOW_PERCENT: (5, 50),
}
BATTERY_REARM_MARGIN: Final = 10
"""Points above the limit the battery must reach before it can be low again."""


def _whole(raw: Mapping[str, Any], key: str) -> int:
    """Return a whole-number option within its range, or its default."""
    default = DEFAULT_WATCH[key]
    low, high = WATCH_RANGES[key]
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if not math.isfinite(value) or not low <= value <= high:
        return default
    return int(value)


@dataclass(frozen=True, kw_only=True, slots=True)
class WatchConfig:
    """When a dog's collar counts as not reporting and its battery as low."""

    not_reporting_minutes: int = DEFAULT_WATCH[CONF_NOT_REPORTING_MINUTES]
    battery_low_percent: int = DEFAULT_WATCH[CONF_BATTERY_LOW_PERCENT]

    @property
    def not_reporting_after(self) -> timedelta:
        """Return how long the collar may be quiet before it is not reporting."""
        return timedelta(minutes=self.not_reporting_minutes)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WatchConfig:
        """Read a dog's watch options; a missing or broken one is its default."""
        return cls(
            not_reporting_minutes=_whole(raw, CONF_NOT_REPORTING_MINUTES),
            battery_low_percent=_whole(raw, CONF_BATTERY_LOW_PERCENT),
        )
