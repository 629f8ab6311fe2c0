"""The "needs walk" and "needs feeding" binary sensors of a dog.

They show what the ReminderManager decided and write their state when it
turns a reminder on or off: on a care change, or at the moment it came due.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)

from ..data import DogConfig, PawControlConfigEntry
from .entities import PawControlCareEntity
from .reminders import Reminder, ReminderManager


@dataclass(frozen=True, kw_only=True)
class ReminderSensorDescription(BinarySensorEntityDescription):
    """Which reminder a sensor shows."""

    reminder: Reminder


REMINDER_SENSORS: tuple[ReminderSensorDescription, ...] = (
    ReminderSensorDescription(
        key="needs_walk", translation_key="needs_walk", reminder=Reminder.WALK
    ),
    ReminderSensorDescription(
        key="needs_feeding", translation_key="needs_feeding", reminder=Reminder.FEEDING
    ),
)


class PawControlReminderSensor(PawControlCareEntity, BinarySensorEntity):
    """On while the dog needs a walk, or needs feeding."""

    entity_description: ReminderSensorDescription

    def __init__(
        self,
        entry: PawControlConfigEntry,
        dog: DogConfig,
        description: ReminderSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(entry, dog, description.key)
        self.entity_description = description
        self._reminders: ReminderManager = entry.runtime_data.reminders

    async def async_added_to_hass(self) -> None:
        """Write the state whenever a reminder turns on or off."""
        self.async_on_remove(
            self._reminders.async_add_listener(
                self.dog.dog_id, self.async_write_ha_state
            )
        )

    @property
    def is_on(self) -> bool:
        """Return whether the reminder is due."""
        return self._reminders.is_due(self.dog.dog_id, self.entity_description.reminder)
