"""The coordinator: each dog behind its own breaker, with cached fallback."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DogStatus,
    PawControlApiAuthError,
    PawControlApiClient,
    PawControlApiError,
    PawControlApiNotFoundError,
)
from .availability import AvailabilityLog
from .const import DEFAULT_API_TIMEOUT, DOMAIN, LOGGER
from .data import DogConfig, PawControlConfigEntry
from .gps_manager import DogLocation, GpsManager
from .resilience import (
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    ResilienceManager,
    RetryConfig,
)
from .resilience.breaker import format_error
from .weather_manager import WeatherManager, WeatherSnapshot

COMPONENT = "coordinator"
DOG_BUDGET_SHARE = 0.8
"""Each dog's refresh ends within this share of the update interval."""


MIN_API_TIMEOUT = 2.0
DEVICE_API_EXCLUDED: tuple[type[BaseException], ...] = (
    PawControlApiAuthError,
    PawControlApiNotFoundError,
)
"""Auth and unknown-dog answers are not outages: they never trip a dog's breaker."""


def dog_budget(update_interval: timedelta) -> float:
    """Return the seconds a dog's refresh may take: 80 % of the interval."""
    return update_interval.total_seconds() * DOG_BUDGET_SHARE


def api_timeout(update_interval: timedelta, attempts: int) -> float:
    """Return the device API timeout per attempt that fits the dog's budget.

    The attempts take at most ``attempts / (attempts + 1)`` of the budget,
    leaving the rest for the location; never more than the default 10 s.
    """
    share = dog_budget(update_interval) / (attempts + 1)
    return max(MIN_API_TIMEOUT, min(DEFAULT_API_TIMEOUT, share))


def dog_breaker_name(dog_id: str) -> str:
    """Return the circuit breaker name of a dog."""
    return f"dog_{dog_id}"


def unknown_dog_issue_id(dog_id: str) -> str:
    """Return the repair issue id for a dog the device API does not know."""
    return f"unknown_dog_{dog_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class DogData:
    """Everything known about one dog after a refresh."""

    dog_id: str
    status: DogStatus | None
    location: DogLocation | None
    last_success: datetime | None
    stale: bool
    last_error: str | None = None

    def shown(self, now: datetime, max_stale: timedelta | None) -> bool:
        """Return whether the dog's measured values may still be shown.

        Fresh data always; cached data only while younger than ``max_stale``.
        """
        if not self.stale or max_stale is None or self.last_success is None:
            return True
        return now - self.last_success <= max_stale

    @property
    def stale_since(self) -> datetime | None:
        """Return since when the shown data is stale: its last success; None while fresh.

        A fixed time, unlike an age: an entity that shows it writes no new
        state while an outage goes on.
        """
        return self.last_success if self.stale else None

    def data_age_seconds(self, now: datetime) -> float | None:
        """Return seconds since the last successful update, or None."""
        if self.last_success is None:
            return None
        return round(max(0.0, (now - self.last_success).total_seconds()), 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class PawControlData:
    """The coordinator's data: every dog and the weather."""

    dogs: dict[str, DogData]
    weather: WeatherSnapshot | None


class PawControlCoordinator(DataUpdateCoordinator[PawControlData]):
    """Refresh all dogs concurrently; one failing dog never fails the others."""

    config_entry: PawControlConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        *,
        dogs: dict[str, DogConfig],
        resilience: ResilienceManager,
        api: PawControlApiClient | None,
        gps: GpsManager,
        weather: WeatherManager | None,
        breaker_config: CircuitBreakerConfig,
        retry_config: RetryConfig,
        update_interval: timedelta,
        cache: dict[str, DogData],
        max_stale: timedelta | None = None,
    ) -> None:
        """Store the sources, the resilience settings and the dogs' last data."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=update_interval,
        )
        self.dogs = dogs
        self._resilience = resilience
        self._api = api
        self._gps = gps
        self._weather = weather
        self._breaker_config = breaker_config
        self._retry_config = retry_config
        self._availability = AvailabilityLog(LOGGER, "Device API for dog")
        self._cache = cache
        self._budget = dog_budget(update_interval)
        # Cached data older than this is no longer shown (None: no limit).
        self.max_stale = max_stale

    def apply_settings(
        self,
        breaker_config: CircuitBreakerConfig,
        retry_config: RetryConfig,
        max_stale: timedelta | None,
    ) -> None:
        """Use new breaker, retry and stale-limit settings from the next refresh on."""
        self._breaker_config = breaker_config
        self._retry_config = retry_config
        self.max_stale = max_stale

    async def _async_update_data(self) -> PawControlData:
        """Update every dog and, at the same time, the weather."""
        weather_task = asyncio.create_task(self._async_weather())
        try:
            dogs = await self._async_update_dogs()
        except BaseException:
            weather_task.cancel()
            raise
        return PawControlData(dogs=dogs, weather=await weather_task)

    async def _async_update_dogs(self) -> dict[str, DogData]:
        """Update every dog concurrently; raise only when the device API fails all."""
        results = await asyncio.gather(
            *(self._async_update_dog(dog) for dog in self.dogs.values()),
            return_exceptions=True,
        )
        dogs: dict[str, DogData] = {}
        for dog_id, result in zip(self.dogs, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            dogs[dog_id] = result
        self._cache.clear()
        self._cache.update(dogs)
        # Only the device API can fail a dog; a tracker has its own last-known
        # fallback, and an isolated circuit is closed to calls on purpose.
        if (
            self._api is not None
            and dogs
            and all(
                d.last_error is not None
                and d.status is None
                and d.location is None
                and not self._resilience.breaker(dog_breaker_name(d.dog_id)).isolated
                for d in dogs.values()
            )
        ):
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="all_dogs_failed"
            )
        return dogs

    async def _async_weather(self) -> WeatherSnapshot | None:
        """Return the weather; a weather problem never fails the dogs."""
        if self._weather is None:
            return None
        deadline = asyncio.get_running_loop().time() + self._budget
        try:
            return await self._weather.async_get_weather(deadline)
        except Exception as err:
            # The weather manager already turns source errors into stale data;
            # this guards the dogs against a bug in reading the weather.
            LOGGER.debug("Weather entity gave unusable data: %s", type(err).__name__)
            return self._weather.snapshot

    def _previous(self, dog_id: str) -> DogData | None:
        """Return the dog's data from the last refresh, also from before a reload."""
        return self._cache.get(dog_id)

    async def _async_update_dog(self, dog: DogConfig) -> DogData:
        """Fetch one dog; on failure keep its last good data, marked stale."""
        previous = self._previous(dog.dog_id)
        # The device API is bounded by its own timeouts; the location by what is left.
        deadline = asyncio.get_running_loop().time() + self._budget
        if self._api is None:
            return await self._async_update_gps_only(dog, previous, deadline)
        try:
            status = await self._async_fetch_status(self._api, dog)
        except (PawControlApiError, CircuitBreakerOpenError) as err:
            return await self._async_cached(dog, previous, err, deadline)
        return DogData(
            dog_id=dog.dog_id,
            status=status,
            location=await self._async_location(dog, status, deadline),
            last_success=dt_util.utcnow(),
            stale=False,
        )

    async def _async_location(
        self, dog: DogConfig, status: DogStatus | None, deadline: float
    ) -> DogLocation | None:
        """Return the dog's location; the tracker gets until ``deadline`` (loop time)."""
        return await self._gps.async_get_location(dog, status, deadline)

    async def _async_update_gps_only(
        self, dog: DogConfig, previous: DogData | None, deadline: float
    ) -> DogData:
        """Update a dog whose only source is its GPS tracker, if it has one."""
        if dog.gps_source is None:
            return DogData(
                dog_id=dog.dog_id,
                status=None,
                location=None,
                last_success=None,
                stale=False,
            )
        location = await self._async_location(dog, None, deadline)
        if location is not None and not location.stale:
            return DogData(
                dog_id=dog.dog_id,
                status=None,
                location=location,
                last_success=dt_util.utcnow(),
                stale=False,
            )
        return DogData(
            dog_id=dog.dog_id,
            status=None,
            location=location,
            last_success=previous.last_success if previous else None,
            stale=True,
        )

    async def _async_fetch_status(
        self, api: PawControlApiClient, dog: DogConfig
    ) -> DogStatus:
        """Ask the device API for the dog's status through its breaker and retries."""
        breaker = self._resilience.breaker(
            dog_breaker_name(dog.dog_id), self._breaker_config
        )
        try:
            status = await self._resilience.async_call(
                COMPONENT,
                partial(api.async_get_dog_status, dog.dog_id),
                breaker=breaker,
                retry=self._retry_config,
            )
        except PawControlApiAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except PawControlApiNotFoundError:
            self._async_raise_unknown_dog(dog)
            raise
        except PawControlApiError as err:
            self._availability.failed(dog.dog_id, err)
            raise
        self._availability.succeeded(dog.dog_id)
        ir.async_delete_issue(self.hass, DOMAIN, unknown_dog_issue_id(dog.dog_id))
        return status

    async def _async_cached(
        self,
        dog: DogConfig,
        previous: DogData | None,
        err: Exception,
        deadline: float,
    ) -> DogData:
        """Return the dog's last good data, marked stale."""
        if previous is not None and previous.status is not None:
            self._resilience.record_stale_served()
        if dog.gps_source:
            location = await self._async_location(dog, None, deadline)
        else:
            location = self._gps.last_known_stale(dog.dog_id)
        return DogData(
            dog_id=dog.dog_id,
            status=previous.status if previous else None,
            location=location,
            last_success=previous.last_success if previous else None,
            stale=True,
            last_error=format_error(err),
        )

    def _async_raise_unknown_dog(self, dog: DogConfig) -> None:
        """Open the "unknown dog" repair issue."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            unknown_dog_issue_id(dog.dog_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="unknown_dog",
            translation_placeholders={"dog_name": dog.name, "dog_id": dog.dog_id},
        )
