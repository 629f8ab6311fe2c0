"""Dog locations from a chain of sources: tracker entity, device API, last known."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
import math
from typing import Any, Final

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api import DogStatus
from .availability import AvailabilityLog
from .const import DOMAIN, LOGGER
from .data import DogConfig
from .resilience import ResilienceManager, RetryConfig
from .resilience.storage import DebouncedSave, PawControlStore

COMPONENT = "gps"
SOURCE_DEVICE_API = "device_api"
STORAGE_KEY = f"{DOMAIN}.gps_last_known"
STORAGE_VERSION = 1
SAVE_DELAY = 10
REFRESH_TIMEOUT = 10.0
MAX_SOURCE_LENGTH = 255
MAX_FUTURE = timedelta(minutes=5)

REASON_INACCURATE: Final = "inaccurate"
REASON_TOO_OLD: Final = "too_old"
REASON_OUT_OF_RANGE: Final = "out_of_range"
REASON_UNAVAILABLE: Final = "unavailable"

type StoredLocations = dict[str, dict[str, Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class DogLocation:
    """A dog's location, where it came from and why a newer fix was not shown."""

    latitude: float
    longitude: float
    accuracy: float | None
    battery: int | None
    source: str
    updated_at: datetime
    stale: bool = False
    rejected_reason: str | None = None

    def age(self, now: datetime) -> float:
        """Return the location's age in seconds."""
        return max(0.0, (now - self.updated_at).total_seconds())

    def as_storage(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy": self.accuracy,
            "battery": self.battery,
            "source": self.source,
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_storage(cls, stored: Any) -> DogLocation:
        """Rebuild a stored location, stale after a restart; raise if it is invalid."""
        if not isinstance(stored, dict):
            raise TypeError("Stored location is not an object")
        battery, source = stored.get("battery"), stored.get("source")
        if battery is not None and _battery(battery) is None:
            raise ValueError("Invalid battery")
        if not isinstance(source, str) or not 0 < len(source) <= MAX_SOURCE_LENGTH:
            raise ValueError("Invalid source")
        lat, lon = _coordinates(stored.get("latitude"), stored.get("longitude"))
        return cls(
            latitude=lat,
            longitude=lon,
            accuracy=_accuracy(stored.get("accuracy")),
            battery=battery,
            source=source,
            updated_at=_stored_time(stored.get("updated_at")),
            stale=True,
        )


class GpsUnavailableError(Exception):
    """The source has no usable location right now."""

    reason: str = REASON_UNAVAILABLE


class GpsTooOldError(GpsUnavailableError):
    """The source's last report is older than the dog's maximum age."""

    reason = REASON_TOO_OLD


class GpsRejectedError(GpsUnavailableError, ValueError):
    """The source reported a location that cannot be true."""

    reason = REASON_OUT_OF_RANGE


class GpsInaccurateError(GpsRejectedError):
    """The source reported a location less accurate than the dog's limit."""

    reason = REASON_INACCURATE

    def __init__(self, location: DogLocation) -> None:
        """Keep the fix: it is shown when the dog has no better one."""
        super().__init__("Accuracy worse than the limit")
        self.location = location


def _number(value: Any) -> float | None:
    """Return a finite number as float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _coordinates(latitude: Any, longitude: Any) -> tuple[float, float]:
    """Return checked coordinates or raise GpsRejectedError (without the values)."""
    lat, lon = _number(latitude), _number(longitude)
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise GpsRejectedError("Coordinates out of range")
    # (0, 0) is what broken receivers report, not where a dog is.
    if lat == 0 and lon == 0:
        raise GpsRejectedError("Coordinates at null island")
    return lat, lon


def _accuracy(accuracy: Any) -> float | None:
    """Return a checked accuracy in metres or raise GpsRejectedError."""
    if accuracy is None:
        return None
    acc = _number(accuracy)
    if acc is None or acc < 0:
        raise GpsRejectedError("Invalid accuracy")
    return acc


def _battery(value: Any) -> int | None:
    """Return a battery level from 0 to 100, else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= 100 else None


def _stored_time(value: Any) -> datetime:
    """Return a stored timezone-aware time not in the future, or raise."""
    if not isinstance(value, str):
        raise TypeError("Invalid time")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None or when - dt_util.utcnow() > MAX_FUTURE:
        raise ValueError("Invalid time")
    return when


def _restore(stored: Any) -> tuple[dict[str, DogLocation], bool]:
    """Return the valid stored locations and whether anything was dropped."""
    if stored is None:
        return {}, False
    if not isinstance(stored, dict):
        return {}, True
    restored: dict[str, DogLocation] = {}
    for dog_id, raw in stored.items():
        try:
            restored[dog_id] = DogLocation.from_storage(raw)
        except (TypeError, ValueError):
            continue
    return restored, len(restored) < len(stored)


def _fix(
    dog: DogConfig,
    *,
    latitude: Any,
    longitude: Any,
    accuracy: Any,
    battery: int | None,
    source: str,
    updated_at: datetime,
) -> DogLocation:
    """Return a fix the dog may use, or raise the reason it is rejected."""
    if (dt_util.utcnow() - updated_at).total_seconds() > dog.gps_max_age:
        raise GpsTooOldError("Location is older than the maximum age")
    lat, lon = _coordinates(latitude, longitude)
    location = DogLocation(
        latitude=lat,
        longitude=lon,
        accuracy=_accuracy(accuracy),
        battery=battery,
        source=source,
        updated_at=updated_at,
    )
    if _is_inaccurate(dog, location):
        raise GpsInaccurateError(location)
    return location


def _is_inaccurate(dog: DogConfig, location: DogLocation) -> bool:
    """Return whether the location is less accurate than the dog's limit."""
    return location.accuracy is not None and location.accuracy > dog.gps_accuracy_limit


def _from_state(dog: DogConfig, state: State | None) -> DogLocation:
    """Return the location of a device_tracker or person state."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        raise GpsUnavailableError("Source is unavailable")
    attrs = state.attributes
    if attrs.get("latitude") is None or attrs.get("longitude") is None:
        raise GpsUnavailableError("Source has no coordinates")
    return _fix(
        dog,
        latitude=attrs["latitude"],
        longitude=attrs["longitude"],
        accuracy=attrs.get("gps_accuracy"),
        # Legacy device_tracker entities (the demo's too) report "battery".
        battery=_battery(attrs.get("battery_level", attrs.get("battery"))),
        source=state.entity_id,
        # last_reported moves on every report, also when the position did not change.
        updated_at=state.last_reported,
    )


def _from_status(dog: DogConfig, status: DogStatus | None) -> DogLocation:
    """Return the location reported by the device API."""
    if status is None or status.location is None:
        raise GpsUnavailableError("The device API reported no location")
    return _fix(
        dog,
        latitude=status.location.latitude,
        longitude=status.location.longitude,
        accuracy=status.location.accuracy,
        battery=_battery(status.battery),
        source=SOURCE_DEVICE_API,
        updated_at=status.updated_at,
    )


class GpsManager:
    """Read each dog's location along its chain of sources and remember the last one."""

    def __init__(
        self, hass: HomeAssistant, resilience: ResilienceManager, *, retry: RetryConfig
    ) -> None:
        """Use ``retry`` for tracker entities."""
        self._hass = hass
        self._resilience = resilience
        # Read on every call, so an options change applies to the next read.
        self.retry = retry
        self._store: PawControlStore[StoredLocations] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True
        )
        self._saver = DebouncedSave(hass, self._store, self._data_to_save, SAVE_DELAY)
        self._last_known: dict[str, DogLocation] = {}
        self._reasons: dict[str, str | None] = {}
        self._availability = AvailabilityLog(LOGGER, "GPS source")

    async def async_load(self) -> None:
        """Restore the last known locations saved before a restart."""
        restored, dropped = _restore(await self._store.async_load_or_reset())
        self._last_known.update(restored)
        if dropped:
            self._store.report_reset("a last known location is invalid")

    async def async_shutdown(self) -> None:
        """Write the last known locations now instead of after the save delay."""
        await self._saver.async_flush()

    def last_known(self, dog_id: str) -> DogLocation | None:
        """Return the last known location of a dog."""
        return self._last_known.get(dog_id)

    def retain(self, dog_ids: set[str]) -> None:
        """Drop the stored locations of dogs that are no longer configured."""
        removed = set(self._last_known) - dog_ids
        for dog_id in removed:
            del self._last_known[dog_id]
        for dog_id in set(self._reasons) - dog_ids:
            del self._reasons[dog_id]
        if removed:
            self._schedule_save()

    async def async_get_location(
        self,
        dog: DogConfig,
        status: DogStatus | None,
        deadline: float | None = None,
    ) -> DogLocation | None:
        """Return the first usable fix of tracker, device API, else the last known one.

        The tracker (with its retries) gets until ``deadline`` (loop time);
        the other sources need no waiting.
        """
        errors: list[GpsUnavailableError] = []
        if dog.gps_source:
            try:
                async with asyncio.timeout_at(deadline):
                    location = await self._async_from_tracker(dog, dog.gps_source)
            except GpsUnavailableError as err:
                errors.append(err)
            except TimeoutError:
                slow = GpsUnavailableError("The tracker took too long")
                self._availability.failed(f"{dog.gps_source} of {dog.dog_id}", slow)
                errors.append(slow)
            else:
                return self._accept(dog, location, errors)
        try:
            location = self._from_device_api(dog, status, first=not errors)
        except GpsUnavailableError as err:
            errors.append(err)
        else:
            return self._accept(dog, location, errors)
        return self._fallback(dog, errors)

    def last_known_stale(self, dog_id: str) -> DogLocation | None:
        """Return the last known location, stale, because the first source is unavailable."""
        self._explain(dog_id, REASON_UNAVAILABLE)
        last = self._last_known.get(dog_id)
        if last is None:
            return None
        return replace(last, stale=True, rejected_reason=REASON_UNAVAILABLE)

    async def _async_from_tracker(self, dog: DogConfig, entity_id: str) -> DogLocation:
        """Read the tracker with retries; log when it goes down and comes back."""
        name = f"{entity_id} of {dog.dog_id}"
        try:
            location = await self._resilience.async_call(
                COMPONENT,
                partial(self._async_attempt_entity, dog, entity_id),
                retry=self.retry,
                source=dog.dog_id,
            )
        except GpsUnavailableError as err:
            self._availability.failed(name, err)
            raise
        self._availability.succeeded(name)
        return location

    def _from_device_api(
        self, dog: DogConfig, status: DogStatus | None, *, first: bool
    ) -> DogLocation:
        """Return the device API's fix; log its availability when it is the first source."""
        name = f"{SOURCE_DEVICE_API} of {dog.dog_id}"
        try:
            location = _from_status(dog, status)
        except GpsUnavailableError as err:
            # Without a status the device API failed; the coordinator logs that.
            if first and status is not None:
                self._availability.failed(name, err)
            raise
        if first:
            self._availability.succeeded(name)
        return location

    def _accept(
        self, dog: DogConfig, location: DogLocation, errors: list[GpsUnavailableError]
    ) -> DogLocation:
        """Remember a usable fix and explain why an earlier source was skipped."""
        self._remember(dog.dog_id, location)
        reason = errors[0].reason if errors else None
        self._explain(dog.dog_id, reason)
        return replace(location, rejected_reason=reason)

    def _fallback(
        self, dog: DogConfig, errors: list[GpsUnavailableError]
    ) -> DogLocation | None:
        """Return an inaccurate fix if nothing better was ever seen, else the last known."""
        reason = errors[0].reason
        self._explain(dog.dog_id, reason)
        last = self._last_known.get(dog.dog_id)
        inaccurate = next(
            (e.location for e in errors if isinstance(e, GpsInaccurateError)), None
        )
        # An inaccurate fix only stands in for other inaccurate fixes, never for an accurate one.
        if inaccurate is not None and (last is None or _is_inaccurate(dog, last)):
            self._remember(dog.dog_id, inaccurate)
            return replace(inaccurate, rejected_reason=reason)
        if last is None:
            return None
        return replace(last, stale=True, rejected_reason=reason)

    def _remember(self, dog_id: str, location: DogLocation) -> None:
        """Make the location the dog's last known one."""
        self._last_known[dog_id] = location
        self._schedule_save()

    def _explain(self, dog_id: str, reason: str | None) -> None:
        """Log once per dog when the reason for not showing the first source changes."""
        if self._reasons.get(dog_id) == reason:
            return
        self._reasons[dog_id] = reason
        LOGGER.debug("Rejected GPS fix reason of %s is now %s", dog_id, reason)

    async def _async_attempt_entity(
        self, dog: DogConfig, entity_id: str
    ) -> DogLocation:
        """Read the tracker once; on failure ask it to refresh before the next attempt."""
        state = self._hass.states.get(entity_id)
        try:
            return _from_state(dog, state)
        except GpsUnavailableError:
            # Only entities that an integration registered can be asked to refresh.
            if state is not None and er.async_get(self._hass).async_get(entity_id):
                await self._async_request_refresh(entity_id)
            raise

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
        """Save the last known locations after the save delay, built once then."""
        self._saver.schedule()

    def _data_to_save(self) -> StoredLocations:
        """Return what the store writes, built on the event loop."""
        return {dog_id: loc.as_storage() for dog_id, loc in self._last_known.items()}
