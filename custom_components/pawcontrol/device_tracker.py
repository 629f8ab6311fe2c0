"""The location of each dog."""

from __future__ import annotations

from typing import Any

# device_tracker.config_entry.TrackerEntity is a deprecated alias from 2026.6;
# the package itself has exported the class on every supported release (mypy
# sees no explicit re-export on the older ones).
from homeassistant.components.device_tracker import (  # type: ignore[attr-defined,unused-ignore]
    TrackerEntity,
)
from homeassistant.components.device_tracker.const import SourceType
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .data import PawControlConfigEntry
from .entity import PawControlDogEntity

PARALLEL_UPDATES = 0

# From 2026.7 a tracker's battery_level is deprecated (gone in 2027.7) and an
# override warns at import: there the battery is only the dog's battery sensor.
TRACKER_BATTERY_DEPRECATED = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 7)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one tracker per dog."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        PawControlDogTracker(coordinator, dog, "location")
        for dog in entry.runtime_data.dogs.values()
    )


class PawControlDogTracker(PawControlDogEntity, TrackerEntity):
    """Where a dog is, from its tracker entity or the device API."""

    _attr_name = None
    _attr_translation_key = "location"
    _attr_source_type = SourceType.GPS

    def _shown(self) -> object:
        """Return what a write would store; the zone (the state) is worked out now."""
        return (
            self.available,
            self.state,
            self.state_attributes,
            self.extra_state_attributes,
        )

    @property
    def entity_category(self) -> EntityCategory | None:
        """Return None: the dog's location is its primary entity, not a diagnostic one."""
        return None

    @property
    def force_update(self) -> bool:
        """Return False: a refresh with the same fix writes no new state.

        TrackerEntity forces a write on every update when not polling; for a
        dog refreshed every minute that is a history row per minute.
        """
        return False

    @property
    def available(self) -> bool:
        """Return whether a fresh location, or a last known one within the stale limit, exists."""
        data = self.dog_data
        if data is None or data.location is None:
            return False
        limit = self.coordinator.max_stale
        location = data.location
        return (
            not location.stale
            or limit is None
            or location.age(dt_util.utcnow()) <= limit.total_seconds()
        )

    @property
    def latitude(self) -> float | None:
        """Return the latitude."""
        data = self.dog_data
        return data.location.latitude if data and data.location else None

    @property
    def longitude(self) -> float | None:
        """Return the longitude."""
        data = self.dog_data
        return data.location.longitude if data and data.location else None

    @property
    def location_accuracy(self) -> int:
        """Return the accuracy in metres, 0 when unknown."""
        data = self.dog_data
        if data and data.location and data.location.accuracy is not None:
            return round(data.location.accuracy)
        return 0

    if not TRACKER_BATTERY_DEPRECATED:  # pragma: no branch

        @property
        def battery_level(self) -> int | None:
            """Return the tracker's battery level (releases before 2026.7)."""
            data = self.dog_data
            return data.location.battery if data and data.location else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return how fresh the location is, where it came from and why."""
        data = self.dog_data
        if data is None or data.location is None:
            return {}
        location = data.location
        attributes: dict[str, Any] = {
            "stale": location.stale,
            "source": location.source,
        }
        # The fix's own time, fixed while it is shown: no new state per refresh.
        attributes["stale_since"] = (
            location.updated_at.isoformat() if location.stale else None
        )
        # Only while the first source's newest fix is not the one shown.
        if location.rejected_reason is not None:
            attributes["rejected_reason"] = location.rejected_reason
        return attributes
