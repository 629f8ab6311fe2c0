"""The collar watch's binary sensors: not reporting, battery low, charging.

They show what the CollarWatch decided and write only when that changed. The
charging sensor exists once a dog's source has said whether it charges: from
the first such report on, and after that from the entity registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, override

# 2026.10 keeps BinarySensorDeviceClass in binary_sensor.const and no longer
# lists it among the package's explicit exports.
from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined,unused-ignore]
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from ..const import DOMAIN
from ..data import DogConfig, PawControlConfigEntry
from ..entity import dog_device_info, dog_unique_id
from .manager import CollarWatch

KEY_NOT_REPORTING = "not_reporting"
KEY_BATTERY_LOW = "battery_low"
KEY_CHARGING = "charging"


class PawControlWatchEntity(BinarySensorEntity):
    """A binary sensor on a dog's device that shows what the CollarWatch knows."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    # The state and attributes at the last write.
    _written: object = None

    def __init__(self, entry: PawControlConfigEntry, dog: DogConfig, key: str) -> None:
        """Attach the sensor to the dog's device."""
        self._watch: CollarWatch = entry.runtime_data.watch
        self.dog_id = dog.dog_id
        self._attr_unique_id = dog_unique_id(entry.entry_id, dog.dog_id, key)
        self._attr_device_info = dog_device_info(entry, dog)

    async def async_added_to_hass(self) -> None:
        """Write the state whenever the dog's watch changes what it shows."""
        self._written = self._shown()
        self.async_on_remove(
            self._watch.async_add_listener(self.dog_id, self._on_change)
        )

    def _shown(self) -> object:
        """Return what a write would store."""
        return (self.is_on, self.extra_state_attributes)

    @callback
    def _on_change(self) -> None:
        """Write only when the state or the attributes changed."""
        shown = self._shown()
        if shown == self._written:
            return
        self._written = shown
        self.async_write_ha_state()


class PawControlNotReportingSensor(PawControlWatchEntity):
    """On while the dog's collar answers but its data stopped moving."""

    _attr_translation_key = "not_reporting"
    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the collar stopped reporting; None before any report."""
        return self._watch.state(self.dog_id).not_reporting

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return which source went quiet, since when, and why."""
        return self._watch.state(self.dog_id).reporting_attributes()


class PawControlBatteryLowSensor(PawControlWatchEntity):
    """On while the collar battery is low."""

    _attr_translation_key = "battery_low"
    _attr_device_class = BinarySensorDeviceClass.BATTERY

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the battery is low; None while no level is known."""
        return self._watch.state(self.dog_id).battery_low_shown()


class PawControlChargingSensor(PawControlWatchEntity):
    """On while the collar charges."""

    _attr_translation_key = "charging"
    _attr_device_class = BinarySensorDeviceClass.BATTERY_CHARGING

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the collar charges; None while its source does not say."""
        return self._watch.state(self.dog_id).charging


@callback
def async_setup_watch_sensors(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    add: Callable[[list[BinarySensorEntity]], None],
) -> list[BinarySensorEntity]:
    """Return every dog's watch sensors; add a charging sensor once one is needed."""
    runtime = entry.runtime_data
    registry = er.async_get(hass)
    sensors: list[BinarySensorEntity] = []
    charging: set[str] = set()
    for dog in runtime.dogs.values():
        sensors += [
            PawControlNotReportingSensor(entry, dog, KEY_NOT_REPORTING),
            PawControlBatteryLowSensor(entry, dog, KEY_BATTERY_LOW),
        ]
        unique_id = dog_unique_id(entry.entry_id, dog.dog_id, KEY_CHARGING)
        known = registry.async_get_entity_id(Platform.BINARY_SENSOR, DOMAIN, unique_id)
        if known or runtime.watch.state(dog.dog_id).charging is not None:
            charging.add(dog.dog_id)
            sensors.append(PawControlChargingSensor(entry, dog, KEY_CHARGING))

    @callback
    def on_change(dog_id: str | None) -> None:
        """Add the dog's charging sensor when its source first says it charges."""
        if dog_id is None or dog_id in charging:
            return
        if runtime.watch.state(dog_id).charging is None:
            return
        charging.add(dog_id)
        add([PawControlChargingSensor(entry, runtime.dogs[dog_id], KEY_CHARGING)])

    unsub: CALLBACK_TYPE = runtime.watch.async_add_every_listener(on_change)
    entry.async_on_unload(unsub)
    return sensors
