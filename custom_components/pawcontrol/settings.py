"""What the options mean at runtime, and which changes need a reload.

An options save that changes none of these settings does nothing; one that
changes only settings read while PawControl runs is applied to the running
entry (`live_options.py`); the rest reload it, because they decide which
entities, devices, timers and subscriptions exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from .const import (
    CONF_GPS_RETRY_ATTEMPTS,
    CONF_MAX_STALE_MINUTES,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_INTERVAL,
    CONF_WEATHER_RETRY_ATTEMPTS,
    DEFAULT_RESILIENCE,
    DEFAULT_UPDATE_INTERVAL,
    DEFAULT_WEATHER_INTERVAL,
    MIN_UPDATE_INTERVAL,
)
from .data import (
    DogConfig,
    breaker_config_from_options,
    dogs_from_options,
    number_option,
    retry_config_from_options,
)
from .resilience import CircuitBreakerConfig, RetryConfig


def max_stale(options: Mapping[str, Any]) -> timedelta | None:
    """Return how long cached dog data may be shown; None for no limit."""
    minutes = number_option(
        options, CONF_MAX_STALE_MINUTES, int(DEFAULT_RESILIENCE[CONF_MAX_STALE_MINUTES])
    )
    return timedelta(minutes=minutes) if minutes > 0 else None


def quiet_hours(options: Mapping[str, Any]) -> tuple[time, time] | None:
    """Return the configured quiet hours, if both ends are set."""
    start, end = options.get(CONF_QUIET_HOURS_START), options.get(CONF_QUIET_HOURS_END)
    if not start or not end:
        return None
    return time.fromisoformat(start), time.fromisoformat(end)


def _targets(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """Return a list option of notification targets as a tuple."""
    return tuple(options.get(key) or ())


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Every option as PawControl uses it, defaults filled in."""

    dogs: tuple[DogConfig, ...]
    update_interval: timedelta
    weather_entity: str | None
    weather_interval: timedelta
    notify_services: tuple[str, ...]
    notify_entities: tuple[str, ...]
    quiet_hours: tuple[time, time] | None
    breaker: CircuitBreakerConfig
    coordinator_retry: RetryConfig
    gps_retry: RetryConfig
    weather_retry: RetryConfig
    max_stale: timedelta | None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """Read the options; a missing or broken one is its default."""
        return cls(
            dogs=tuple(dogs_from_options(options).values()),
            update_interval=timedelta(
                seconds=number_option(
                    options,
                    CONF_UPDATE_INTERVAL,
                    DEFAULT_UPDATE_INTERVAL,
                    MIN_UPDATE_INTERVAL,
                )
            ),
            weather_entity=options.get(CONF_WEATHER_ENTITY) or None,
            weather_interval=timedelta(
                minutes=number_option(
                    options, CONF_WEATHER_INTERVAL, DEFAULT_WEATHER_INTERVAL, 1
                )
            ),
            notify_services=_targets(options, CONF_NOTIFY_SERVICES),
            notify_entities=_targets(options, CONF_NOTIFY_ENTITIES),
            quiet_hours=quiet_hours(options),
            breaker=breaker_config_from_options(options),
            coordinator_retry=retry_config_from_options(options),
            gps_retry=retry_config_from_options(options, CONF_GPS_RETRY_ATTEMPTS),
            weather_retry=retry_config_from_options(
                options, CONF_WEATHER_RETRY_ATTEMPTS
            ),
            max_stale=max_stale(options),
        )

    def _structure(self) -> tuple[object, ...]:
        """Return what decides the entities, devices, timers and subscriptions."""
        return (
            tuple((dog.dog_id, dog.name, dog.gps_source) for dog in self.dogs),
            self.update_interval,
            self.weather_entity,
            self.notify_services,
            self.notify_entities,
        )

    def needs_reload(self, other: Settings) -> bool:
        """Return whether changing from these settings to ``other`` needs a reload."""
        return self._structure() != other._structure()
