"""Dog sensors and the resilience statistics sensor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import DATA_RESILIENCE
from .coordinator import DogData, PawControlCoordinator
from .data import DogConfig, PawControlConfigEntry
from .entity import PawControlDogEntity, hub_device_info
from .resilience import ResilienceManager, TransitionEvent

PARALLEL_UPDATES = 0
HEALTH_STATES = ["healthy", "degraded", "critical"]


def _battery(data: DogData) -> int | None:
    """Return the collar battery from the device API, else the tracker's."""
    if data.status is not None and data.status.battery is not None:
        return data.status.battery
    return data.location.battery if data.location else None


@dataclass(frozen=True, kw_only=True)
class PawControlDogSensorDescription(SensorEntityDescription):
    """How a dog sensor reads its value."""

    value_fn: Callable[[DogData], StateType | datetime]
    needs_api: bool = False


DOG_SENSORS: tuple[PawControlDogSensorDescription, ...] = (
    PawControlDogSensorDescription(
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_battery,
    ),
    PawControlDogSensorDescription(
        key="activity",
        translation_key="activity",
        value_fn=lambda data: data.status.activity if data.status else None,
        needs_api=True,
    ),
    PawControlDogSensorDescription(
        key="last_update",
        translation_key="last_update",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Changes on every refresh; useful for debugging, noisy otherwise.
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.last_success,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the dog sensors and the statistics sensor."""
    runtime = entry.runtime_data
    entities: list[SensorEntity] = [
        PawControlDogSensor(runtime.coordinator, dog, description)
        for dog in runtime.dogs.values()
        for description in DOG_SENSORS
        if runtime.api is not None or not description.needs_api
    ]
    entities.append(PawControlStatisticsSensor(entry, hass.data[DATA_RESILIENCE]))
    async_add_entities(entities)


class PawControlDogSensor(PawControlDogEntity, SensorEntity):
    """A value of one dog; keeps its last value, marked stale, during an outage."""

    entity_description: PawControlDogSensorDescription

    def __init__(
        self,
        coordinator: PawControlCoordinator,
        dog: DogConfig,
        description: PawControlDogSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, dog, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        data = self.dog_data
        return None if data is None else self.entity_description.value_fn(data)


class PawControlStatisticsSensor(SensorEntity):
    """The resilience health, with every statistic in the `resilience` attribute."""

    _attr_has_entity_name = True
    _attr_translation_key = "statistics"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = HEALTH_STATES
    _attr_should_poll = False
    # The attribute can be large and changes often; templates read it from the state machine.
    _unrecorded_attributes = frozenset({"resilience"})

    def __init__(
        self, entry: PawControlConfigEntry, resilience: ResilienceManager
    ) -> None:
        """Attach the sensor to the hub device."""
        self._entry = entry
        self._resilience = resilience
        self._attr_unique_id = f"{entry.entry_id}_statistics"
        self._attr_device_info = hub_device_info(entry)

    async def async_added_to_hass(self) -> None:
        """Update on every breaker transition and every coordinator refresh."""
        self.async_on_remove(self._resilience.async_add_listener(self._on_resilience))
        self.async_on_remove(
            self._entry.runtime_data.coordinator.async_add_listener(
                self.async_write_ha_state
            )
        )

    @callback
    def _on_resilience(self, event: TransitionEvent | None) -> None:
        """Write the state when a breaker changed state."""
        if event is not None:
            self.async_write_ha_state()

    @property
    def native_value(self) -> str:
        """Return the health."""
        return self._resilience.statistics()["summary"]["health"]

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the statistics."""
        return {"resilience": self._resilience.statistics()}
