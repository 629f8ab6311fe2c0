"""What the options forms say: texts for one dog or several, and forms shown again."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import (
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_SERVICES,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    DOMAIN,
)

from .conftest import dog_options
from .helpers import collar_reports, suggested_values, translated

COLLAR = "device_tracker.buddy_collar"


async def _setup(
    hass: HomeAssistant, entry: MockConfigEntry, **options: Any
) -> MockConfigEntry:
    """Set up the entry with these options changed."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=entry.options | options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _open(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    """Open an options step and return its form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _submit(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> Any:
    """Submit an options form and let a reload finish."""
    result = await hass.config_entries.options.async_configure(flow_id, user_input)
    await hass.async_block_till_done()
    return result


async def _step_text(hass: HomeAssistant, result: Any, key: str, language: str) -> str:
    """Return a text of the shown options step, filled in."""
    return await translated(
        hass,
        f"options.step.{result['step_id']}.{key}",
        result["description_placeholders"],
        language,
    )


THREE_DOGS = [dog_options(), dog_options("luna", "Luna"), dog_options("rex", "Rex")]


async def test_removal_is_confirmed_in_german_for_one_dog_or_several(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The German confirmation speaks of one dog or of several."""
    await _setup(hass, mock_config_entry, **{CONF_DOGS: THREE_DOGS})
    result = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, result["flow_id"], {CONF_DOGS: ["luna"]})
    assert await _step_text(hass, result, "title", "de") == "Luna entfernen?"
    assert await _step_text(hass, result, "description", "de") == (
        "Das Gerät und die Entitäten von Luna werden aus Home Assistant gelöscht,"
        " und mit ihnen die Spaziergänge, Mahlzeiten und Gewichte des Hundes. Das"
        " lässt sich nicht rückgängig machen."
    )
    result = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, result["flow_id"], {CONF_DOGS: ["luna", "rex"]})
    assert await _step_text(hass, result, "title", "de") == "Diese Hunde entfernen?"
    assert (await _step_text(hass, result, "description", "de")).startswith(
        "Luna, Rex entfernen? Ihre Geräte"
    )


async def test_dogs_removed_meanwhile_are_named_in_the_plural(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A confirmation of two dogs another flow removed says so for both."""
    await _setup(hass, mock_config_entry, **{CONF_DOGS: THREE_DOGS})
    first = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, first["flow_id"], {CONF_DOGS: ["luna", "rex"]})
    assert result["step_id"] == "remove_dogs_confirm"
    other = await _open(hass, mock_config_entry, "remove_dog")
    await _submit(hass, other["flow_id"], {CONF_DOGS: ["rex", "luna"]})
    result = await _submit(hass, other["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await _submit(hass, first["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "dogs_removed"
    assert await translated(hass, "options.abort.dogs_removed") == (
        "These dogs were removed in the meantime, so nothing was saved. Open the"
        " options again to see the current dogs."
    )
    assert mock_config_entry.options[CONF_DOGS] == [dog_options()]


async def test_update_interval_text_fits_one_dog(hass: HomeAssistant) -> None:
    """The interval's description is right for one dog and for many."""
    key = "options.step.update_interval.data_description.update_interval"
    assert await translated(hass, key) == (
        "How often each dog's data is refreshed, in seconds; 15 is the shortest"
        " interval."
    )


async def test_edit_dog_shown_again_keeps_the_cleared_gps_source(
    hass: HomeAssistant, entry_options: dict[str, Any]
) -> None:
    """A refused edit shows what was typed, not the stored dog."""
    collar_reports(hass)
    entry = MockConfigEntry(domain=DOMAIN, data={}, options=entry_options)
    await _setup(hass, entry)
    result = await _open(hass, entry, "edit_dog")
    result = await _submit(hass, result["flow_id"], {"dog_id": "buddy"})
    shown = suggested_values(result)
    assert (shown["name"], shown[CONF_GPS_SOURCE]) == ("Buddy", COLLAR)
    assert shown["care"]["default_portion_g"] == 200
    typed = {"name": "Buddy Boy", "care": {"default_portion_g": 250}}
    result = await _submit(hass, result["flow_id"], typed)
    assert result["errors"] == {CONF_GPS_SOURCE: "location_source_required"}
    shown = suggested_values(result)
    assert CONF_GPS_SOURCE not in shown
    assert shown["name"] == "Buddy Boy"
    assert shown["care"]["default_portion_g"] == 250
    assert entry.options[CONF_DOGS][0][CONF_GPS_SOURCE] == COLLAR


@pytest.mark.parametrize(
    ("step", "stored", "typed", "error"),
    [
        pytest.param(
            "update_interval",
            {CONF_UPDATE_INTERVAL: 60},
            {CONF_UPDATE_INTERVAL: 5},
            {CONF_UPDATE_INTERVAL: "whole_number_range"},
            id="update-interval",
        ),
        pytest.param(
            "weather",
            {CONF_WEATHER_ENTITY: "weather.home", "weather_interval": 30},
            {"weather_interval": 0},
            {"weather_interval": "whole_number_range"},
            id="weather-cleared",
        ),
        pytest.param(
            "notifications",
            {
                CONF_NOTIFY_SERVICES: ["notify.pixel"],
                CONF_QUIET_HOURS_START: "22:00:00",
                CONF_QUIET_HOURS_END: "07:00:00",
            },
            {CONF_QUIET_HOURS_START: "23:00:00"},
            {"base": "quiet_hours_incomplete"},
            id="notifications-cleared",
        ),
    ],
)
async def test_form_shown_again_keeps_what_was_typed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    step: str,
    stored: dict[str, Any],
    typed: dict[str, Any],
    error: dict[str, str],
) -> None:
    """The stored values fill the form at first; after an error, the typed ones."""
    hass.services.async_register("notify", "pixel", lambda call: None)
    hass.config_entries.async_update_entry(
        init_integration, options=init_integration.options | stored
    )
    await hass.async_block_till_done()
    result = await _open(hass, init_integration, step)
    assert suggested_values(result).items() >= stored.items()
    result = await _submit(hass, result["flow_id"], typed)
    assert result["errors"] == error
    assert suggested_values(result) == typed
    assert init_integration.options.items() >= stored.items()
