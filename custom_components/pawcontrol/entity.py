"""Devices and base entities: one hub device and one device per dog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import DogData, PawControlCoordinator
from .data import DogConfig, PawControlConfigEntry

MANUFACTURER = "PawControl"


def hub_identifier(entry: PawControlConfigEntry) -> tuple[str, str]:
    """Return the device identifier of the hub."""
    return (DOMAIN, entry.entry_id)


def dog_identifier(entry: PawControlConfigEntry, dog_id: str) -> tuple[str, str]:
    """Return the device identifier of a dog."""
    return (DOMAIN, f"{entry.entry_id}_{dog_id}")


# Every kind of entity has its own unique id prefix, so a cleanup of one kind
# (removed circuits) can never match another (a dog named "Circuit").
DOG_KEYS = frozenset({"location", "battery", "activity", "last_update", "connectivity"})


def dog_unique_id(entry_id: str, dog_id: str, key: str) -> str:
    """Return the unique id of a dog's entity."""
    return f"{entry_id}_dog_{dog_id}_{key}"


def circuit_unique_id(entry_id: str, circuit_name: str) -> str:
    """Return the unique id of a circuit's problem sensor."""
    return f"{entry_id}_circuit_{circuit_name}"


def hub_unique_id(entry_id: str, key: str) -> str:
    """Return the unique id of a hub sensor (the statistics sensor keeps its old id)."""
    return f"{entry_id}_statistics" if key == "statistics" else f"{entry_id}_hub_{key}"


def hub_device_info(entry: PawControlConfigEntry) -> DeviceInfo:
    """Return the device info of the hub device."""
    return DeviceInfo(
        identifiers={hub_identifier(entry)},
        name="PawControl",
        manufacturer=MANUFACTURER,
        model="Hub",
        entry_type=DeviceEntryType.SERVICE,
        sw_version=entry.runtime_data.version,
    )


def dog_device_info(entry: PawControlConfigEntry, dog: DogConfig) -> DeviceInfo:
    """Return the device info of a dog's device."""
    return DeviceInfo(
        identifiers={dog_identifier(entry, dog.dog_id)},
        name=dog.name,
        manufacturer=MANUFACTURER,
        model="Dog",
    )


@callback
def async_sync_devices(hass: HomeAssistant, entry: PawControlConfigEntry) -> None:
    """Create the hub and dog devices and remove the devices of removed dogs."""
    registry = dr.async_get(hass)
    hub = registry.async_get_or_create(
        config_entry_id=entry.entry_id, **hub_device_info(entry)
    )
    wanted = {hub_identifier(entry)}
    for dog in entry.runtime_data.dogs.values():
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id, **dog_device_info(entry, dog)
        )
        # Linked by id: the `via_device` identifier is deprecated from 2026
        # and would be logged for every entity that carries it.
        if device.via_device_id != hub.id:
            registry.async_update_device(device.id, via_device_id=hub.id)
        wanted.add(dog_identifier(entry, dog.dog_id))
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not device.identifiers & wanted:
            # Removing the device also removes its entities from the registry.
            # The device is PawControl's alone: removed, not detached (from
            # 2026.10 detaching by `remove_config_entry_id` is deprecated).
            registry.async_remove_device(device.id)


class PawControlDogEntity(CoordinatorEntity[PawControlCoordinator]):
    """An entity on a dog's device, fed by the coordinator."""

    _attr_has_entity_name = True
    # The same time as stale_since, kept for templates that read it.
    _unrecorded_attributes = frozenset({"last_success"})

    def __init__(
        self, coordinator: PawControlCoordinator, dog: DogConfig, key: str
    ) -> None:
        """Attach the entity to the dog's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.dog_id = dog.dog_id
        self._attr_unique_id = dog_unique_id(entry.entry_id, dog.dog_id, key)
        self._attr_device_info = dog_device_info(entry, dog)

    # What the state was computed from, and what it was, at the last write.
    _written: object = None
    _written_shown: object = None

    @property
    def dog_data(self) -> DogData | None:
        """Return the dog's latest data."""
        return self.coordinator.data.dogs.get(self.dog_id)

    def _shown_inputs(self) -> object:
        """Return everything the state and attributes are computed from.

        The time of the last success is shown only while the data is stale.
        """
        data = self.dog_data
        if data is None:
            return self.coordinator.last_update_success
        return (
            self.coordinator.last_update_success,
            data.status,
            data.location,
            data.stale,
            data.last_error,
            data.last_success if data.stale else None,
        )

    def _changes_by_itself(self) -> bool:
        """Return whether the state changes with time alone (an age grows)."""
        data = self.dog_data
        return data is not None and (
            data.stale or (data.location is not None and data.location.stale)
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write only when this dog's data changed: a refresh of others writes nothing."""
        inputs = self._shown_inputs()
        if inputs == self._written and not self._changes_by_itself():
            return
        self._written = inputs
        shown = self._shown()
        if shown is not None and shown == self._written_shown:
            return
        self._written_shown = shown
        super()._handle_coordinator_update()

    def _shown(self) -> object:
        """Return the state and attributes a write would store (None: always write)."""
        return (self.available, self.state, self.extra_state_attributes)

    def within_stale_limit(self) -> bool:
        """Return whether the dog's cached data is young enough to be shown."""
        data = self.dog_data
        return data is None or data.shown(dt_util.utcnow(), self.coordinator.max_stale)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return whether the data is stale and since when (fixed times, no ages).

        Nothing here changes by itself: an outage writes one new state, when
        the data turns stale, and none for every refresh after it.
        """
        data = self.dog_data
        if data is None:
            return {}
        if not data.stale:
            return {"stale": False, "stale_since": None}
        return {
            "stale": True,
            "stale_since": iso_or_none(data.stale_since),
            "last_success": iso_or_none(data.last_success),
        }


def iso_or_none(moment: datetime | None) -> str | None:
    """Return a time as ISO-8601, as Home Assistant shows timestamp attributes."""
    return moment.isoformat() if moment is not None else None
