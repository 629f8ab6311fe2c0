"""Walk advice from the weather: good, caution or avoid, and the reason.

The advice is the worst of the current conditions and the hourly forecast
of the next hours. Each moment is judged by its temperature against the
dog's thresholds (in °C) and by Home Assistant's weather condition; when two
moments are equally bad, the earlier one names the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from homeassistant.components.weather import (
    ATTR_CONDITION_EXCEPTIONAL,
    ATTR_CONDITION_HAIL,
    ATTR_CONDITION_LIGHTNING,
    ATTR_CONDITION_LIGHTNING_RAINY,
    ATTR_CONDITION_POURING,
    ATTR_CONDITION_RAINY,
    ATTR_CONDITION_SNOWY,
    ATTR_CONDITION_SNOWY_RAINY,
    ATTR_CONDITION_WINDY,
    ATTR_CONDITION_WINDY_VARIANT,
    ATTR_FORECAST_CONDITION,
    ATTR_FORECAST_TEMP,
    ATTR_FORECAST_TIME,
)
from homeassistant.const import UnitOfTemperature
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from ..weather_manager import WeatherSnapshot
from .config import CareConfig

FORECAST_WINDOW: Final = timedelta(hours=3)
"""How far ahead the hourly forecast counts."""
HOURLY_SLOT: Final = timedelta(hours=1)


class Advice(StrEnum):
    """Whether to go for a walk; the sensor's states, mildest first."""

    GOOD = "good"
    CAUTION = "caution"
    AVOID = "avoid"


class Reason(StrEnum):
    """Why the advice is what it is; the `reason` attribute, a stable code."""

    NONE = "none"
    THUNDERSTORM = "thunderstorm"
    EXCEPTIONAL = "exceptional"
    HEAT = "heat"
    COLD = "cold"
    HAIL = "hail"
    SNOW = "snow"
    RAIN = "rain"
    WIND = "wind"


SEVERITY: Final = {advice: rank for rank, advice in enumerate(Advice)}
# Within one moment and one level, the first reason of this order is named.
PRIORITY: Final = {reason: -rank for rank, reason in enumerate(Reason)}

CONDITIONS: Final[Mapping[str, tuple[Advice, Reason]]] = {
    ATTR_CONDITION_LIGHTNING: (Advice.AVOID, Reason.THUNDERSTORM),
    ATTR_CONDITION_LIGHTNING_RAINY: (Advice.AVOID, Reason.THUNDERSTORM),
    ATTR_CONDITION_EXCEPTIONAL: (Advice.AVOID, Reason.EXCEPTIONAL),
    ATTR_CONDITION_HAIL: (Advice.CAUTION, Reason.HAIL),
    ATTR_CONDITION_SNOWY: (Advice.CAUTION, Reason.SNOW),
    ATTR_CONDITION_SNOWY_RAINY: (Advice.CAUTION, Reason.SNOW),
    # Heavy rain is unpleasant, not dangerous: shorter walks, not none.
    ATTR_CONDITION_POURING: (Advice.CAUTION, Reason.RAIN),
    ATTR_CONDITION_RAINY: (Advice.CAUTION, Reason.RAIN),
    ATTR_CONDITION_WINDY: (Advice.CAUTION, Reason.WIND),
    ATTR_CONDITION_WINDY_VARIANT: (Advice.CAUTION, Reason.WIND),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class WalkAdvice:
    """The advice, its reason and the forecast hour it comes from (None: now)."""

    advice: Advice
    reason: Reason
    reason_time: datetime | None = None


GOOD: Final = WalkAdvice(advice=Advice.GOOD, reason=Reason.NONE)


def to_celsius(value: float | None, unit: str | None) -> float | None:
    """Return a temperature in °C; an unknown unit is taken as °C."""
    if value is None or unit not in TemperatureConverter.VALID_UNITS:
        return value
    return TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS)


def _number(value: Any) -> float | None:
    """Return a number as float, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def judge(condition: str | None, celsius: float | None, care: CareConfig) -> WalkAdvice:
    """Return the advice for one moment's condition and temperature."""
    found: list[tuple[Advice, Reason]] = []
    if condition is not None and condition in CONDITIONS:
        found.append(CONDITIONS[condition])
    if celsius is not None:
        if celsius > care.heat_avoid_c:
            found.append((Advice.AVOID, Reason.HEAT))
        elif celsius > care.heat_caution_c:
            found.append((Advice.CAUTION, Reason.HEAT))
        elif celsius < care.cold_avoid_c:
            found.append((Advice.AVOID, Reason.COLD))
    if not found:
        return GOOD
    advice, reason = max(found, key=lambda f: (SEVERITY[f[0]], PRIORITY[f[1]]))
    return WalkAdvice(advice=advice, reason=reason)


def _next_hours(
    snapshot: WeatherSnapshot, now: datetime
) -> Iterator[tuple[datetime, Mapping[str, Any]]]:
    """Yield the hourly forecast slots that overlap the next hours, in time order."""
    if snapshot.forecast_type != "hourly":
        # A daily forecast's high would speak for the whole day, morning included.
        return
    slots = []
    for item in snapshot.forecast:
        raw = item.get(ATTR_FORECAST_TIME)
        start = dt_util.parse_datetime(raw) if isinstance(raw, str) else None
        if start is None:
            continue
        start = dt_util.as_utc(start)
        if now - HOURLY_SLOT < start < now + FORECAST_WINDOW:
            slots.append((start, item))
    yield from sorted(slots, key=lambda slot: slot[0])


def walk_advice(
    snapshot: WeatherSnapshot, care: CareConfig, unit: str | None, now: datetime
) -> WalkAdvice:
    """Return the advice for the current weather and the next hours' forecast.

    ``unit`` is the weather entity's temperature unit, in which the snapshot's
    current and forecast temperatures are given.
    """
    worst = judge(snapshot.condition, to_celsius(snapshot.temperature, unit), care)
    for start, item in _next_hours(snapshot, now):
        condition = item.get(ATTR_FORECAST_CONDITION)
        celsius = to_celsius(_number(item.get(ATTR_FORECAST_TEMP)), unit)
        found = judge(condition if isinstance(condition, str) else None, celsius, care)
        if SEVERITY[found.advice] > SEVERITY[worst.advice]:
            worst = WalkAdvice(
                advice=found.advice, reason=found.reason, reason_time=start
            )
    return worst
