"""A dog's care options, read robustly from the entry options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
import math
from typing import Any

from ..const import (
    CONF_AUTO_WALK,
    CONF_COLD_AVOID,
    CONF_DEFAULT_PORTION,
    CONF_FEEDING_TIMES,
    CONF_HEAT_AVOID,
    CONF_HEAT_CAUTION,
    CONF_WALK_INTERVAL,
    DEFAULT_CARE,
)
from .models import MAX_AMOUNT_G, MIN_AMOUNT_G

MAX_FEEDING_TIMES = 6


def _float(raw: Mapping[str, Any], key: str, low: float, high: float) -> float:
    """Return an option within [low, high], or its default."""
    value = raw.get(key, DEFAULT_CARE[key])
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float(DEFAULT_CARE[key])
    if not math.isfinite(value) or not low <= value <= high:
        return float(DEFAULT_CARE[key])
    return float(value)


def _times(raw: Any) -> tuple[time, ...]:
    """Return the valid feeding times of an option, sorted and unique."""
    if not isinstance(raw, list):
        return ()
    times: set[time] = set()
    for value in raw[:MAX_FEEDING_TIMES]:
        try:
            parsed = time.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is not None:
            times.add(parsed.replace(second=0, microsecond=0, tzinfo=None))
    return tuple(sorted(times))


@dataclass(frozen=True, kw_only=True, slots=True)
class CareConfig:
    """How PawControl cares for one dog; defaults in const.DEFAULT_CARE."""

    auto_walk: bool = bool(DEFAULT_CARE[CONF_AUTO_WALK])
    default_portion_g: int = int(DEFAULT_CARE[CONF_DEFAULT_PORTION])
    walk_interval_hours: float = float(DEFAULT_CARE[CONF_WALK_INTERVAL])
    feeding_times: tuple[time, ...] = ()
    heat_caution_c: float = float(DEFAULT_CARE[CONF_HEAT_CAUTION])
    heat_avoid_c: float = float(DEFAULT_CARE[CONF_HEAT_AVOID])
    cold_avoid_c: float = float(DEFAULT_CARE[CONF_COLD_AVOID])

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CareConfig:
        """Read a dog's care options; a missing or broken one is its default."""
        return cls(
            auto_walk=raw.get(CONF_AUTO_WALK) is True,
            default_portion_g=int(
                _float(raw, CONF_DEFAULT_PORTION, MIN_AMOUNT_G, MAX_AMOUNT_G)
            ),
            walk_interval_hours=_float(raw, CONF_WALK_INTERVAL, 0, 72),
            feeding_times=_times(raw.get(CONF_FEEDING_TIMES)),
            heat_caution_c=_float(raw, CONF_HEAT_CAUTION, -50, 60),
            heat_avoid_c=_float(raw, CONF_HEAT_AVOID, -50, 60),
            cold_avoid_c=_float(raw, CONF_COLD_AVOID, -60, 40),
        )
