"""Helpers of the collar watch tests: what notify.pixel got, a restart, the clock."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.pawcontrol.const import DOMAIN

PIXEL: Final = "notify.pixel"
BERLIN: Final = ZoneInfo("Europe/Berlin")
NOT_REPORTING: Final = "binary_sensor.buddy_not_reporting"
BATTERY_LOW: Final = "binary_sensor.buddy_battery_low"
CHARGING: Final = "binary_sensor.buddy_charging"
EVENT_NOT_REPORTING: Final = "pawcontrol_collar_not_reporting"
EVENT_BATTERY_LOW: Final = "pawcontrol_battery_low"
WATCH_STORE: Final = "pawcontrol.collar_watch"


def register_pixel(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Register notify.pixel; return the (title, message) of what it gets."""
    received: list[tuple[str, str]] = []

    async def pixel(call: ServiceCall) -> None:
        received.append((call.data["title"], call.data["message"]))

    hass.services.async_register("notify", "pixel", pixel)
    return received


def berlin(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> datetime:
    """Return a moment of November 2026 in Berlin (the pinned start is 19:00 there)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


async def at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and let what is due by then run."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def refresh(hass: HomeAssistant) -> None:
    """Ask for a refresh as a user or automation does (homeassistant.update_entity)."""
    await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": "sensor.buddy_battery"},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


def shown(hass: HomeAssistant, entity_id: str) -> tuple[str, dict[str, Any]]:
    """Return an entity's state and attributes as a user sees them."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state, dict(state.attributes)


@asynccontextmanager
async def restarted(
    hass: HomeAssistant, old_entry: MockConfigEntry, *, events: tuple[str, ...] = ()
) -> AsyncGenerator[tuple[HomeAssistant, list[tuple[str, str]], list[Event]]]:
    """Stop ``hass`` (which saves) and start a new one on the same storage.

    notify.pixel exists before PawControl starts; yield the new Home
    Assistant, what notify.pixel got and the events of these types it fired.
    """
    await hass.async_stop()
    async with async_test_home_assistant() as second:
        second.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await second.config.async_set_time_zone(hass.config.time_zone)
        second.config.language = hass.config.language
        received = register_pixel(second)
        fired: list[Event] = []

        @callback
        def capture(event: Event) -> None:
            fired.append(event)

        for event_type in events:
            second.bus.async_listen(event_type, capture)
        # The same entry: its entities keep their unique ids, as in a real restart.
        entry = MockConfigEntry(
            domain=DOMAIN,
            entry_id=old_entry.entry_id,
            data=dict(old_entry.data),
            options=dict(old_entry.options),
        )
        entry.add_to_hass(second)
        assert await second.config_entries.async_setup(entry.entry_id)
        await second.async_block_till_done()
        yield second, received, fired
        assert await second.config_entries.async_unload(entry.entry_id)
        await second.async_stop(force=True)
