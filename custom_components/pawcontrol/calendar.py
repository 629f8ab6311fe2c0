"""A read-only diary calendar per dog: its walks and meals in the calendar panel."""

from __future__ import annotations

from datetime import datetime
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .care.diary import DiaryWording, DogDiary, async_load_wording
from .care.entities import PawControlCareEntity
from .data import DogConfig, PawControlConfigEntry

# The diary only reads PawControl's own records.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the diary of every dog, worded in Home Assistant's language."""
    wording = await async_load_wording(hass)
    async_add_entities(
        PawControlDiary(entry, dog, wording) for dog in entry.runtime_data.dogs.values()
    )


class PawControlDiary(PawControlCareEntity, CalendarEntity):
    """The dog's walks and meals; on while one of them is happening."""

    _attr_translation_key = "diary"

    def __init__(
        self, entry: PawControlConfigEntry, dog: DogConfig, wording: DiaryWording
    ) -> None:
        """Attach the diary to the dog's device."""
        super().__init__(entry, dog, "diary")
        self._diary = DogDiary(wording, dog.dog_id)

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """Return the walk in progress, else the latest walk or meal."""
        dog_id = self.dog.dog_id
        return self._diary.current(
            self._care.histories[dog_id], self._care.walks.get(dog_id)
        )

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the walks and meals overlapping the range, sorted by start."""
        dog_id = self.dog.dog_id
        return self._diary.events(
            self._care.histories[dog_id],
            self._care.walks.get(dog_id),
            start_date,
            end_date,
        )
