"""A read-only diary calendar per dog: its walks and meals in the calendar panel."""

from __future__ import annotations

from datetime import datetime
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

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
        self._event: CalendarEvent | None = None
        self._event_valid = False

    @override
    @callback
    def _on_care_change(self) -> None:
        """Build the current event again, then write what changed."""
        self._event_valid = False
        super()._on_care_change()

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """Return the walk in progress, else the latest walk or meal.

        Built once per care change: the state, its attributes and the end timer
        all read it. A walk in progress lasts to the next minute, so its event is
        built again once that minute has come, with the walk's new duration.
        """
        dog_id = self.dog.dog_id
        walk = self._care.walks.get(dog_id)
        if not self._event_valid or (
            walk is not None
            and self._event is not None
            and self._event.end <= dt_util.utcnow()
        ):
            self._event = self._diary.current(self._care.histories[dog_id], walk)
            self._event_valid = True
        return self._event

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
