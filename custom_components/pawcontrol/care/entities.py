"""Entities of dog care: day figures, last walk and meal, weight, walk buttons.

They read the CareManager and write their state when it tells them something
changed (a walk, a meal, a fix during a walk, local midnight); they never poll.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfLength, UnitOfMass, UnitOfTime
from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.typing import StateType

from ..const import DOMAIN
from ..data import DogConfig, PawControlConfigEntry
from ..entity import dog_device_info, dog_unique_id
from .manager import CareError, CareManager
from .meals import meal_for


class PawControlCareEntity(Entity):
    """An entity on a dog's device that shows what the CareManager knows."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: PawControlConfigEntry, dog: DogConfig, key: str) -> None:
        """Attach the entity to the dog's device."""
        self._care: CareManager = entry.runtime_data.care
        self._dogs = entry.runtime_data.dogs
        self._dog_id = dog.dog_id
        self._attr_unique_id = dog_unique_id(entry.entry_id, dog.dog_id, key)
        self._attr_device_info = dog_device_info(entry, dog)

    # The state and attributes at the last write (nothing written yet).
    _written: object = None

    @property
    def dog(self) -> DogConfig:
        """Return the dog's settings as they are now: care options apply live."""
        return self._dogs[self._dog_id]

    async def async_added_to_hass(self) -> None:
        """Write the state whenever the dog's care records change what it shows."""
        self.async_on_remove(
            self._care.async_add_listener(self.dog.dog_id, self._on_care_change)
        )

    @callback
    def _on_care_change(self) -> None:
        """Write only when the state or the attributes changed."""
        shown = (self.available, self.state, self.extra_state_attributes)
        if shown == self._written:
            return
        self._written = shown
        self.async_write_ha_state()


@dataclass(frozen=True, kw_only=True)
class CareSensorDescription(SensorEntityDescription):
    """How a care sensor reads its value."""

    value_fn: Callable[[CareManager, str], StateType | datetime]


def _last_walk_end(care: CareManager, dog_id: str) -> datetime | None:
    """Return when the last walk ended."""
    walk = care.last_walk(dog_id)
    return walk.end if walk else None


def _last_walk_minutes(care: CareManager, dog_id: str) -> float | None:
    """Return the last walk's duration in minutes."""
    walk = care.last_walk(dog_id)
    return round(walk.duration_s / 60, 1) if walk else None


def _last_walk_distance(care: CareManager, dog_id: str) -> int | None:
    """Return the last walk's distance in metres."""
    walk = care.last_walk(dog_id)
    return round(walk.distance_m) if walk else None


def _last_fed(care: CareManager, dog_id: str) -> datetime | None:
    """Return when the dog last ate."""
    feeding = care.last_feeding(dog_id)
    return feeding.time if feeding else None


def _weight(care: CareManager, dog_id: str) -> float | None:
    """Return the dog's last weight."""
    weight = care.weight(dog_id)
    return weight.weight_kg if weight else None


CARE_SENSORS: tuple[CareSensorDescription, ...] = (
    CareSensorDescription(
        key="walks_today",
        translation_key="walks_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda care, dog_id: len(care.walks_today(dog_id)),
    ),
    CareSensorDescription(
        key="walk_distance_today",
        translation_key="walk_distance_today",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.METERS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=0,
        value_fn=lambda care, dog_id: round(care.distance_today(dog_id)),
    ),
    CareSensorDescription(
        key="last_walk",
        translation_key="last_walk",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_last_walk_end,
    ),
    CareSensorDescription(
        key="last_walk_duration",
        translation_key="last_walk_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_last_walk_minutes,
    ),
    CareSensorDescription(
        key="last_walk_distance",
        translation_key="last_walk_distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.METERS,
        suggested_display_precision=0,
        value_fn=_last_walk_distance,
    ),
    CareSensorDescription(
        key="last_fed",
        translation_key="last_fed",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_last_fed,
    ),
    CareSensorDescription(
        key="meals_today",
        translation_key="meals_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda care, dog_id: len(care.meals_today(dog_id)),
    ),
    CareSensorDescription(
        key="food_today",
        translation_key="food_today",
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.GRAMS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=0,
        value_fn=lambda care, dog_id: sum(f.amount_g for f in care.meals_today(dog_id)),
    ),
    CareSensorDescription(
        key="weight",
        translation_key="weight",
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.KILOGRAMS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=_weight,
    ),
)


class PawControlCareSensor(PawControlCareEntity, SensorEntity):
    """A figure of a dog's care."""

    entity_description: CareSensorDescription

    def __init__(
        self,
        entry: PawControlConfigEntry,
        dog: DogConfig,
        description: CareSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(entry, dog, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        return self.entity_description.value_fn(self._care, self.dog.dog_id)


class PawControlWalkSensor(PawControlCareEntity, BinarySensorEntity):
    """On while the dog is out for a walk."""

    _attr_translation_key = "walk_in_progress"

    @property
    def is_on(self) -> bool:
        """Return whether a walk is in progress."""
        return self.dog.dog_id in self._care.walks

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """Return the walk's start and distance so far (no position)."""
        walk = self._care.walks.get(self.dog.dog_id)
        if walk is None:
            return {}
        return {
            "started": walk.start.isoformat(),
            "distance_m": round(walk.distance_m),
            "automatic": walk.automatic,
        }


CARE_BUTTONS: tuple[ButtonEntityDescription, ...] = (
    ButtonEntityDescription(key="start_walk", translation_key="start_walk"),
    ButtonEntityDescription(key="end_walk", translation_key="end_walk"),
    ButtonEntityDescription(key="fed", translation_key="fed"),
)


class PawControlCareButton(PawControlCareEntity, ButtonEntity):
    """Start or end a walk, or log the dog's default portion."""

    def __init__(
        self,
        entry: PawControlConfigEntry,
        dog: DogConfig,
        description: ButtonEntityDescription,
    ) -> None:
        """Describe the button."""
        super().__init__(entry, dog, description.key)
        self.entity_description = description

    async def async_added_to_hass(self) -> None:
        """Buttons have no state to refresh."""

    async def async_press(self) -> None:
        """Do what the button says; refuse what cannot be done, translated."""
        dog_id = self.dog.dog_id
        try:
            if self.entity_description.key == "start_walk":
                self._care.start_walk(dog_id)
            elif self.entity_description.key == "end_walk":
                self._care.end_walk(dog_id)
            else:
                portion = self.dog.care.default_portion_g
                self._care.log_feeding(dog_id, portion, meal_for(self.dog))
        except CareError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=err.translation_key,
                translation_placeholders={"dog_name": self.dog.name},
            ) from None
