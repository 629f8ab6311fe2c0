"""Helpers shared by the PawControl tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
import logging
from typing import Any, Final

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.pawcontrol.const import DOMAIN

# Refresh every 15 s and retry without waiting, so request counts are exact.
FAST: Final = {"update_interval": 15, "initial_delay": 0.0, "max_delay": 0.0}


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 15
) -> None:
    """Let time pass so that the coordinator refreshes, and wait for it."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up a PawControl entry."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def get_statistics(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Return the statistics as pawcontrol.get_statistics answers them."""
    response = await hass.services.async_call(
        DOMAIN, "get_statistics", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def our_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the warnings PawControl logged."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
        and record.name.startswith("custom_components.pawcontrol")
    ]


async def shown_errors(
    hass: HomeAssistant, result: Any, category: str = "config"
) -> list[str]:
    """Return the form's error texts as the frontend shows them in English."""
    strings = await async_get_translations(hass, "en", category, [DOMAIN])
    placeholders = result.get("description_placeholders") or {}
    return [
        strings[f"component.{DOMAIN}.{category}.error.{error}"].format(**placeholders)
        for error in result["errors"].values()
    ]


def suggested_values(result: Any) -> dict[str, Any]:
    """Return the values the shown form fills in, by field (sections nested).

    A field without a suggested value is left out: the frontend shows it empty.
    """
    return _suggested(result["data_schema"].schema)


def _suggested(schema: Any) -> dict[str, Any]:
    """Return the suggested values of one schema's markers."""
    values: dict[str, Any] = {}
    for marker, validator in schema.items():
        if isinstance(validator, section):
            values[str(marker)] = _suggested(validator.schema.schema)
        elif marker.description and "suggested_value" in marker.description:
            values[str(marker)] = marker.description["suggested_value"]
    return values


async def translated(
    hass: HomeAssistant, key: str, placeholders: Any = None, language: str = "en"
) -> str:
    """Return a text by its key (``config.abort.x``), filled in as it is shown."""
    category = key.partition(".")[0]
    strings = await async_get_translations(hass, language, category, [DOMAIN])
    return strings[f"component.{DOMAIN}.{key}"].format(**(placeholders or {}))


def entry_device(
    hass: HomeAssistant, entry: MockConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """Return the entry's device with this PawControl identifier, or None.

    Looked up among the entry's devices: since Home Assistant 2026.10 a lookup
    by identifier alone raises in tests, because identifiers are no longer
    unique across config entries.
    """
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if (DOMAIN, identifier) in device.identifiers:
            return device
    return None


def collar_reports(hass: HomeAssistant) -> None:
    """Let Buddy's collar (the standard GPS source) report an accurate fix."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "home",
        {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8},
    )


async def repair_text(hass: HomeAssistant, issue: ir.IssueEntry) -> tuple[str, str]:
    """Return a repair's title and description as the frontend shows them in English."""
    translations = await async_get_translations(hass, "en", "issues", {DOMAIN})
    prefix = f"component.{DOMAIN}.issues.{issue.translation_key}"
    placeholders = issue.translation_placeholders or {}
    return (
        translations[f"{prefix}.title"].format(**placeholders),
        translations[f"{prefix}.description"].format(**placeholders),
    )


@asynccontextmanager
async def restarted(
    hass: HomeAssistant,
    old_entry: MockConfigEntry,
    prepare: Callable[[HomeAssistant], object] | None = None,
) -> AsyncGenerator[tuple[HomeAssistant, MockConfigEntry, list[Event]]]:
    """Stop ``hass`` (which saves) and start a new one on the same storage.

    ``prepare`` runs on the new Home Assistant before PawControl is set up
    (to register notify services, say). Yield the new Home Assistant, its
    PawControl entry (set up) and the circuit events it fired from the start.
    """
    await hass.async_stop()
    async with async_test_home_assistant() as second:
        second.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        if prepare is not None:
            prepare(second)
        events = async_capture_events(second, "pawcontrol_circuit_state_changed")
        entry = MockConfigEntry(
            domain=DOMAIN, data=dict(old_entry.data), options=dict(old_entry.options)
        )
        entry.add_to_hass(second)
        assert await second.config_entries.async_setup(entry.entry_id)
        await second.async_block_till_done()
        yield second, entry, events
        assert await second.config_entries.async_unload(entry.entry_id)
        await second.async_stop(force=True)


def care_file(**dogs: dict[str, Any]) -> dict[str, Any]:
    """Return a care store file holding these dogs' histories."""
    return {"version": 1, "key": "pawcontrol.care", "data": {"dogs": dogs}}
