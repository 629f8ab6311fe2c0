"""Devices of PawControl: one hub device and one device per dog."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import DOMAIN
from .data import DogConfig, PawControlConfigEntry

MANUFACTURER = "PawControl"


def hub_identifier(entry: PawControlConfigEntry) -> tuple[str, str]:
    """Return the device identifier of the hub."""
    return (DOMAIN, entry.entry_id)


def dog_identifier(entry: PawControlConfigEntry, dog_id: str) -> tuple[str, str]:
    """Return the device identifier of a dog."""
    return (DOMAIN, f"{entry.entry_id}_{dog_id}")


def hub_device_info(entry: PawControlConfigEntry) -> DeviceInfo:
    """Return the device info of the hub device."""
    return DeviceInfo(
        identifiers={hub_identifier(entry)},
        name="PawControl",
        manufacturer=MANUFACTURER,
        model="Hub",
        entry_type=DeviceEntryType.SERVICE,
    )


def dog_device_info(entry: PawControlConfigEntry, dog: DogConfig) -> DeviceInfo:
    """Return the device info of a dog's device."""
    return DeviceInfo(
        identifiers={dog_identifier(entry, dog.dog_id)},
        name=dog.name,
        manufacturer=MANUFACTURER,
        model="Dog",
        via_device=hub_identifier(entry),
    )


@callback
def async_sync_devices(hass: HomeAssistant, entry: PawControlConfigEntry) -> None:
    """Create the hub and dog devices and remove the devices of removed dogs."""
    registry = dr.async_get(hass)
    registry.async_get_or_create(
        config_entry_id=entry.entry_id, **hub_device_info(entry)
    )
    wanted = {hub_identifier(entry)}
    for dog in entry.runtime_data.dogs.values():
        registry.async_get_or_create(
            config_entry_id=entry.entry_id, **dog_device_info(entry, dog)
        )
        wanted.add(dog_identifier(entry, dog.dog_id))
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not device.identifiers & wanted:
            # Removing the device also removes its entities from the registry.
            registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )
