"""Weather from a Home Assistant weather entity, with retry and a cache."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.weather.const import WeatherEntityFeature
from homeassistant.const import (
    ATTR_SUPPORTED_FEATURES,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .availability import AvailabilityLog
from .const import LOGGER
from .resilience import ResilienceManager, RetryConfig

COMPONENT = "weather"
DEFAULT_WEATHER_REFRESH = timedelta(minutes=10)
FORECAST_TIMEOUT = 10.0


class WeatherUnavailableError(Exception):
    """The weather entity has no usable state."""


@dataclass(frozen=True, kw_only=True, slots=True)
class WeatherSnapshot:
    """Current conditions and forecast of the weather entity."""

    entity_id: str
    condition: str
    temperature: float | None
    humidity: float | None
    wind_speed: float | None
    forecast_type: str | None
    forecast: tuple[dict[str, Any], ...]
    fetched_at: datetime
    stale: bool = False

    def age(self, now: datetime) -> float:
        """Return the snapshot's age in seconds."""
        return max(0.0, (now - self.fetched_at).total_seconds())


def _float(value: Any) -> float | None:
    """Return a number attribute as float, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class WeatherManager:
    """Refresh the weather at most once per interval; serve the cache on failure."""

    def __init__(
        self,
        hass: HomeAssistant,
        resilience: ResilienceManager,
        entity_id: str,
        *,
        retry: RetryConfig,
        refresh_interval: timedelta = DEFAULT_WEATHER_REFRESH,
    ) -> None:
        """Read ``entity_id`` with ``retry`` every ``refresh_interval``."""
        self._hass = hass
        self._resilience = resilience
        self.entity_id = entity_id
        self._retry = retry
        self._interval = refresh_interval
        self._cache: WeatherSnapshot | None = None
        self._next_refresh: datetime | None = None
        self._availability = AvailabilityLog(LOGGER, "Weather entity")

    def apply_settings(self, retry: RetryConfig, refresh_interval: timedelta) -> None:
        """Use new retries and interval from now on; the next read moves with it."""
        if self._next_refresh is not None:
            self._next_refresh += refresh_interval - self._interval
        self._retry = retry
        self._interval = refresh_interval

    @property
    def snapshot(self) -> WeatherSnapshot | None:
        """Return the latest snapshot, fresh or stale."""
        return self._cache

    async def async_get_weather(
        self, deadline: float | None = None
    ) -> WeatherSnapshot | None:
        """Return the weather, refreshing it when the interval has passed.

        The refresh (with its retries) ends by ``deadline`` (loop time); a
        source that takes longer counts as a failure and the cache is served.
        """
        now = dt_util.utcnow()
        if self._next_refresh is not None and now < self._next_refresh:
            return self._serve_cached()
        self._resilience.record_cache(hit=False)
        self._next_refresh = now + self._interval
        try:
            async with asyncio.timeout_at(deadline):
                snapshot = await self._resilience.async_call(
                    COMPONENT, self._async_fetch, retry=self._retry
                )
        except Exception as err:
            # A weather platform may raise anything (ClientError, OSError,
            # KeyError, ...); each is a weather failure and never fails the dogs.
            self._availability.failed(self.entity_id, err)
            if self._cache is not None:
                self._cache = replace(self._cache, stale=True)
                self._resilience.record_stale_served()
            return self._cache
        self._availability.succeeded(self.entity_id)
        self._cache = snapshot
        return snapshot

    def _serve_cached(self) -> WeatherSnapshot | None:
        """Return the cache between refreshes and count the hit."""
        if self._cache is not None:
            self._resilience.record_cache(hit=True)
            if self._cache.stale:
                self._resilience.record_stale_served()
        return self._cache

    async def _async_fetch(self) -> WeatherSnapshot:
        """Read the entity's state and forecast once."""
        state = self._hass.states.get(self.entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise WeatherUnavailableError(f"{self.entity_id} has no state")
        features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0)
        forecast_type: str | None = None
        if features & WeatherEntityFeature.FORECAST_HOURLY:
            forecast_type = "hourly"
        elif features & WeatherEntityFeature.FORECAST_DAILY:
            forecast_type = "daily"
        forecast: list[dict[str, Any]] = []
        if forecast_type is not None:
            forecast = await self._async_forecast(forecast_type)
        return WeatherSnapshot(
            entity_id=self.entity_id,
            condition=state.state,
            temperature=_float(state.attributes.get("temperature")),
            humidity=_float(state.attributes.get("humidity")),
            wind_speed=_float(state.attributes.get("wind_speed")),
            forecast_type=forecast_type,
            forecast=tuple(forecast),
            fetched_at=dt_util.utcnow(),
        )

    async def _async_forecast(self, forecast_type: str) -> list[dict[str, Any]]:
        """Call weather.get_forecasts and wait for its answer."""
        async with asyncio.timeout(FORECAST_TIMEOUT):
            response = await self._hass.services.async_call(
                "weather",
                "get_forecasts",
                {"entity_id": self.entity_id, "type": forecast_type},
                blocking=True,
                return_response=True,
            )
        entity_response = (response or {}).get(self.entity_id)
        forecast = (
            entity_response.get("forecast")
            if isinstance(entity_response, dict)
            else None
        )
        if not isinstance(forecast, list):
            raise WeatherUnavailableError("Malformed forecast response")
        return [item for item in forecast if isinstance(item, dict)]
