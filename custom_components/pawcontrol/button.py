"""Buttons per dog: start a walk, end it, log the default portion."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .care.entities import CARE_BUTTONS, PawControlCareButton
from .data import PawControlConfigEntry

# Presses only change PawControl's own records; nothing is sent anywhere.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the care buttons of every dog."""
    async_add_entities(
        PawControlCareButton(entry, dog, description)
        for dog in entry.runtime_data.dogs.values()
        for description in CARE_BUTTONS
    )
