"""Connectivity of each dog's data source and one problem sensor per circuit."""

from __future__ import annotations

from typing import Any

# 2026.10 keeps BinarySensorDeviceClass in binary_sensor.const and no longer
# lists it among the package's explicit exports.
from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined,unused-ignore]
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .care.entities import PawControlWalkSensor
from .care.reminder_entity import REMINDER_SENSORS, PawControlReminderSensor
from .const import DATA_RESILIENCE
from .coordinator import PawControlCoordinator, dog_breaker_name
from .data import DogConfig, PawControlConfigEntry
from .entity import (
    PawControlDogEntity,
    circuit_unique_id,
    dog_device_info,
    hub_device_info,
)
from .labels import CircuitLabel, channel_label
from .resilience import CircuitState, ResilienceManager
from .resilience.stats import current_error

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add connectivity per dog and a circuit sensor per dog and channel."""
    runtime = entry.runtime_data
    resilience = hass.data[DATA_RESILIENCE]
    entities: list[BinarySensorEntity] = [
        PawControlConnectivitySensor(runtime.coordinator, dog, "connectivity")
        for dog in runtime.dogs.values()
    ]
    entities += [
        PawControlWalkSensor(entry, dog, "walk_in_progress")
        for dog in runtime.dogs.values()
    ]
    entities += [
        PawControlReminderSensor(entry, dog, description)
        for dog in runtime.dogs.values()
        for description in REMINDER_SENSORS
    ]
    if runtime.api is not None:
        entities += [
            PawControlCircuitSensor(
                runtime.coordinator,
                resilience,
                dog_breaker_name(dog.dog_id),
                CircuitLabel("dog", {}),
                dog,
            )
            for dog in runtime.dogs.values()
        ]
    entities += [
        PawControlCircuitSensor(
            runtime.coordinator,
            resilience,
            channel.breaker_name,
            channel_label(hass, channel),
            None,
        )
        for channel in runtime.notifications.channels
    ]
    async_add_entities(entities)


class PawControlConnectivitySensor(PawControlDogEntity, BinarySensorEntity):
    """On while the dog's data source delivers fresh data."""

    _attr_translation_key = "connectivity"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def is_on(self) -> bool:
        """Return whether the dog's source delivered fresh data in the last refresh."""
        data = self.dog_data
        return data is not None and data.last_success is not None and not data.stale


class PawControlCircuitSensor(
    CoordinatorEntity[PawControlCoordinator], BinarySensorEntity
):
    """On while a circuit is open or half-open; counters refresh with the coordinator."""

    _attr_has_entity_name = True
    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    # The state and counters at the last refresh's write (nothing written yet).
    _written: object = None
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self,
        coordinator: PawControlCoordinator,
        resilience: ResilienceManager,
        circuit_name: str,
        label: CircuitLabel,
        dog: DogConfig | None,
    ) -> None:
        """Attach the sensor to the dog's device, or to the hub for channels."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._resilience = resilience
        self.circuit_name = circuit_name
        self._attr_unique_id = circuit_unique_id(entry.entry_id, circuit_name)
        # "Device connection" on the dog's device, "Notifications: Pixel 7" on
        # the hub; the circuit name stays in the attributes and the unique id.
        self._attr_translation_key = label.entity_key
        self._attr_translation_placeholders = label.placeholders
        self._attr_device_info = (
            dog_device_info(entry, dog) if dog is not None else hub_device_info(entry)
        )

    @property
    def available(self) -> bool:
        """Stay available: the circuit state is known even when the source is down."""
        return True

    async def async_added_to_hass(self) -> None:
        """Update on this circuit's transitions as well as on every refresh."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._resilience.async_add_circuit_listener(
                self.circuit_name, self._handle_coordinator_update
            )
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write what a refresh or a transition changed; an unchanged circuit writes nothing."""
        shown = (self.is_on, self.extra_state_attributes)
        if shown == self._written:
            return
        self._written = shown
        self.async_write_ha_state()

    @property
    def is_on(self) -> bool:
        """Return whether the circuit is open or testing the source."""
        if self.circuit_name not in self._resilience.names():
            return False
        return (
            self._resilience.breaker(self.circuit_name).state is not CircuitState.CLOSED
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the circuit's state, counters, and the last error while it lasts."""
        if self.circuit_name not in self._resilience.names():
            return {
                "circuit_name": self.circuit_name,
                "state": str(CircuitState.CLOSED),
            }
        stats = self._resilience.breaker(self.circuit_name).stats()
        return {
            "circuit_name": self.circuit_name,
            "state": stats["state"],
            "failure_count": stats["failure_count"],
            "failed_calls": stats["failed_calls"],
            "outages": stats["outages"],
            "reopened_after_probe": stats["reopened_after_probe"],
            # An error of an outage that is over is history: only its time stays.
            "last_error": current_error(stats),
            "last_error_at": stats["last_failure_time"],
            # A fixed time, unlike the seconds left (in get_statistics).
            "open_until": stats["open_until"],
            "isolated": stats["isolated"],
        }
