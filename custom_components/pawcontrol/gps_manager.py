"""Dog locations from a tracker entity or the device API, with retry and a last known fallback."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import partial
import math
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import DogStatus
from .availability import AvailabilityLog
from .const import DOMAIN, LOGGER
from .data import DogConfig
from .resilience import ResilienceManager, RetryConfig

COMPONENT = "gps"
SOURCE_DEVICE_API = "device_api"
STORAGE_KEY = f"{DOMAIN}.gps_last_known"
STORAGE_VERSION = 1
SAVE_DELAY = 10
REFRESH_TIMEOUT = 10.0


class GpsUnavailableError(Exception):
    """The source has no usable location right now."""


class GpsRejectedError(GpsUnavailableError):
    """The source reported a location that cannot be true or is too inaccurate."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DogLocation:
    """A dog's location and where it came from."""

    latitude: float
    longitude: float
    accuracy: float | None
    battery: int | None
    source: str
    updated_at: datetime
    stale: bool = False

    def age(self, now: datetime) -> float:
        """Return the location's age in seconds."""
        return max(0.0, (now - self.updated_at).total_seconds())

    def as_storage(self) -> dict[str, Any]:
        """Return the stored form."""
        stored = asdict(self)
        stored["updated_at"] = self.updated_at.isoformat()
        del stored["stale"]
        return stored

    @classmethod
    def from_storage(cls, stored: dict[str, Any]) -> DogLocation:
        """Rebuild a stored location; it is stale after a restart."""
        return cls(
            latitude=float(stored["latitude"]),
            longitude=float(stored["longitude"]),
            accuracy=stored.get("accuracy"),
            battery=stored.get("battery"),
            source=str(stored["source"]),
            updated_at=datetime.fromisoformat(stored["updated_at"]),
            stale=True,
        )


def _number(value: Any) -> float | None:
    """Return a finite number as float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def validate_location(
    latitude: Any, longitude: Any, accuracy: Any, accuracy_limit: float
) -> tuple[float, float, float | None]:
    """Return checked coordinates or raise GpsRejectedError (without the values)."""
    lat, lon = _number(latitude), _number(longitude)
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise GpsRejectedError("Coordinates out of range")
    acc = _number(accuracy)
    if accuracy is not None and (acc is None or acc < 0):
        raise GpsRejectedError("Invalid accuracy")
    if acc is not None and acc > accuracy_limit:
        raise GpsRejectedError("Accuracy worse than the limit")
    return lat, lon, acc


class GpsManager:
    """Read each dog's location with retries and remember the last good one."""

    def __init__(
        self, hass: HomeAssistant, resilience: ResilienceManager, *, retry: RetryConfig
    ) -> None:
        """Use ``retry`` for entity sources."""
        self._hass = hass
        self._resilience = resilience
        self._retry = retry
        self._store: Store[dict[str, dict[str, Any]]] = Store(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True
        )
        self._last_known: dict[str, DogLocation] = {}
        self._availability = AvailabilityLog(LOGGER, "GPS source")

    async def async_load(self) -> None:
        """Restore the last known locations saved before a restart."""
        stored = await self._store.async_load() or {}
        for dog_id, raw in stored.items():
            try:
                self._last_known[dog_id] = DogLocation.from_storage(raw)
            except (KeyError, TypeError, ValueError):
                LOGGER.debug("Ignoring an unreadable stored location for %s", dog_id)

    async def async_shutdown(self) -> None:
        """Write the last known locations now instead of after the save delay."""
        await self._store.async_save(self._data_to_save())

    def last_known(self, dog_id: str) -> DogLocation | None:
        """Return the last known location of a dog."""
        return self._last_known.get(dog_id)

    def retain(self, dog_ids: set[str]) -> None:
        """Drop the stored locations of dogs that are no longer configured."""
        removed = set(self._last_known) - dog_ids
        for dog_id in removed:
            del self._last_known[dog_id]
        if removed:
            self._schedule_save()

    async def async_get_location(
        self, dog: DogConfig, status: DogStatus | None
    ) -> DogLocation | None:
        """Return the dog's location, or its last known one marked stale."""
        source = dog.gps_source or SOURCE_DEVICE_API
        try:
            if dog.gps_source:
                location = await self._resilience.async_call(
                    COMPONENT,
                    partial(self._async_attempt_entity, dog, dog.gps_source),
                    retry=self._retry,
                    source=dog.dog_id,
                )
            else:
                location = self._from_status(dog, status)
        except GpsUnavailableError as err:
            self._availability.failed(f"{source} of {dog.dog_id}", err)
            return self.last_known_stale(dog.dog_id)
        self._availability.succeeded(f"{source} of {dog.dog_id}")
        self._last_known[dog.dog_id] = location
        self._schedule_save()
        return location

    def last_known_stale(self, dog_id: str) -> DogLocation | None:
        """Return the last known location marked stale."""
        last = self._last_known.get(dog_id)
        return None if last is None else replace(last, stale=True)

    async def _async_attempt_entity(
        self, dog: DogConfig, entity_id: str
    ) -> DogLocation:
        """Read the tracker once; on failure ask it to refresh before the next attempt."""
        state = self._hass.states.get(entity_id)
        try:
            return self._from_state(dog, state)
        except GpsUnavailableError:
            # Only entities that an integration registered can be asked to refresh.
            if state is not None and er.async_get(self._hass).async_get(entity_id):
                await self._async_request_refresh(entity_id)
            raise

    def _from_state(self, dog: DogConfig, state: State | None) -> DogLocation:
        """Return the location of a device_tracker or person state."""
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise GpsUnavailableError("Source is unavailable")
        attrs = state.attributes
        if attrs.get("latitude") is None or attrs.get("longitude") is None:
            raise GpsUnavailableError("Source has no coordinates")
        # last_reported moves on every report, also when the position did not change.
        if (dt_util.utcnow() - state.last_reported).total_seconds() > dog.gps_max_age:
            raise GpsUnavailableError("Location is older than the maximum age")
        lat, lon, acc = validate_location(
            attrs["latitude"],
            attrs["longitude"],
            attrs.get("gps_accuracy"),
            dog.gps_accuracy_limit,
        )
        battery = attrs.get("battery_level")
        return DogLocation(
            latitude=lat,
            longitude=lon,
            accuracy=acc,
            battery=battery
            if isinstance(battery, int) and not isinstance(battery, bool)
            else None,
            source=state.entity_id,
            updated_at=state.last_reported,
        )

    @staticmethod
    def _from_status(dog: DogConfig, status: DogStatus | None) -> DogLocation:
        """Return the location reported by the device API."""
        if status is None or status.location is None:
            raise GpsUnavailableError("The device API reported no location")
        if (dt_util.utcnow() - status.updated_at).total_seconds() > dog.gps_max_age:
            raise GpsUnavailableError("Location is older than the maximum age")
        loc = status.location
        lat, lon, acc = validate_location(
            loc.latitude, loc.longitude, loc.accuracy, dog.gps_accuracy_limit
        )
        return DogLocation(
            latitude=lat,
            longitude=lon,
            accuracy=acc,
            battery=status.battery,
            source=SOURCE_DEVICE_API,
            updated_at=status.updated_at,
        )

    async def _async_request_refresh(self, entity_id: str) -> None:
        """Ask the tracker's integration for a fresh state; ignore what it cannot do."""
        try:
            async with asyncio.timeout(REFRESH_TIMEOUT):
                await self._hass.services.async_call(
                    "homeassistant",
                    "update_entity",
                    {"entity_id": entity_id},
                    blocking=True,
                )
        except (HomeAssistantError, TimeoutError) as err:
            LOGGER.debug("Refreshing %s failed: %s", entity_id, type(err).__name__)

    def _schedule_save(self) -> None:
        """Save the last known locations soon."""
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY)

    def _data_to_save(self) -> dict[str, dict[str, Any]]:
        """Return what the store writes."""
        return {dog_id: loc.as_storage() for dog_id, loc in self._last_known.items()}
