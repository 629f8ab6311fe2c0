"""Dog sensors, and the hub's statistics and health sensors (see hub_sensor.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api import ACTIVITIES, ACTIVITY_UNKNOWN
from .care.advice_entity import walk_advice_sensors
from .care.entities import CARE_SENSORS, PawControlCareSensor
from .const import DATA_RESILIENCE
from .coordinator import DogData, PawControlCoordinator
from .data import DogConfig, PawControlConfigEntry
from .entity import PawControlDogEntity
from .hub_sensor import (
    HEALTH_SENSORS,
    PawControlHealthSensor,
    PawControlStatisticsSensor,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PawControlDogSensorDescription(SensorEntityDescription):
    """How a dog sensor reads its value."""

    value_fn: Callable[[DogData], StateType | datetime]
    needs_api: bool = False
    # Measured values become unavailable when cached data passes the stale limit.
    measured: bool = True


DOG_SENSORS: tuple[PawControlDogSensorDescription, ...] = (
    PawControlDogSensorDescription(
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=DogData.battery_level,
    ),
    PawControlDogSensorDescription(
        key="activity",
        translation_key="activity",
        device_class=SensorDeviceClass.ENUM,
        options=[*ACTIVITIES, ACTIVITY_UNKNOWN],
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
        measured=False,
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
    entities += [
        PawControlCareSensor(entry, dog, description)
        for dog in runtime.dogs.values()
        for description in CARE_SENSORS
    ]
    entities += walk_advice_sensors(hass, entry)
    resilience = hass.data[DATA_RESILIENCE]
    entities.append(PawControlStatisticsSensor(entry, resilience))
    entities += [
        PawControlHealthSensor(entry, resilience, description)
        for description in HEALTH_SENSORS
    ]
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
    def available(self) -> bool:
        """Return False once a measured value's cached data passed the stale limit."""
        if self.entity_description.measured and not self.within_stale_limit():
            return False
        return super().available

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        data = self.dog_data
        return None if data is None else self.entity_description.value_fn(data)
