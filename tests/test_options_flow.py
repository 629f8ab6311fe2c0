"""Tests for the PawControl options flow."""

from __future__ import annotations

import logging
import math
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import (
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    DEFAULT_CARE,
    DEFAULT_RESILIENCE,
    DOMAIN,
)

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import collar_reports, entry_device, shown_errors

# The care of a dog saved with the section's defaults.
DEFAULT_STORED_CARE: dict[str, Any] = {**DEFAULT_CARE, "feeding_times": []}


def _dog(**fields: Any) -> dict[str, Any]:
    """Return a dog form's input with the care section as the frontend sends it.

    The frontend always sends a section; an empty one takes its defaults.
    """
    return {**fields, "care": {}}


def _stored(dog: dict[str, Any]) -> dict[str, Any]:
    """Return a dog as a dog form stores it: with its care options, flat."""
    return dog | DEFAULT_STORED_CARE


async def _open(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> str:
    """Open the options menu, choose a step and return the flow id."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "add_dog",
        "edit_dog",
        "remove_dog",
        "update_interval",
        "weather",
        "notifications",
        "resilience",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return str(result["flow_id"])


async def _submit(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> Any:
    """Submit an options form and let the reload finish."""
    result = await hass.config_entries.options.async_configure(flow_id, user_input)
    await hass.async_block_till_done()
    return result


def assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    """Assert nothing was logged with a traceback and PawControl logged no error."""
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()
        if record.name.startswith("custom_components.pawcontrol"):
            assert record.levelno < logging.ERROR, record.getMessage()


def _dog_names(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the names of the dog devices of an entry."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return sorted(str(device.name) for device in devices if device.model == "Dog")


async def test_add_dog(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A new dog gets an id from its name and a device after the reload."""
    flow_id = await _open(hass, init_integration, "add_dog")
    result = await _submit(
        hass,
        flow_id,
        _dog(name="Max Müller", gps_max_age=300, gps_accuracy_limit=50),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_DOGS][1] == _stored(
        dog_options("max_muller", "Max Müller", gps_max_age=300, gps_accuracy_limit=50)
    )
    assert init_integration.state is ConfigEntryState.LOADED
    assert _dog_names(hass, init_integration) == ["Buddy", "Max Müller"]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("buddy", "dog_already_exists"),
        ("BUDDY!", "dog_already_exists"),
        ("", "invalid_name"),
    ],
)
async def test_add_dog_refused_then_recovery(
    hass: HomeAssistant, init_integration: MockConfigEntry, name: str, error: str
) -> None:
    """A name whose id is taken or empty is refused; another name works."""
    flow_id = await _open(hass, init_integration, "add_dog")
    result = await _submit(hass, flow_id, _dog(name=name))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": error}
    result = await _submit(hass, flow_id, _dog(name="Luna"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [dog["dog_id"] for dog in init_integration.options[CONF_DOGS]] == [
        "buddy",
        "luna",
    ]


async def test_edit_dog_keeps_id(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Renaming a dog keeps its id; clearing the GPS source removes it."""
    flow_id = await _open(hass, init_integration, "edit_dog")
    result = await _submit(hass, flow_id, {"dog_id": "buddy"})
    assert result["step_id"] == "edit_dog_details"
    assert result["description_placeholders"]["dog_name"] == "Buddy"
    result = await _submit(hass, result["flow_id"], _dog(name=""))
    assert result["errors"] == {"name": "invalid_name"}
    result = await _submit(
        hass,
        result["flow_id"],
        _dog(name="Buddy Boy", gps_max_age=120, gps_accuracy_limit=25),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_DOGS] == [
        _stored(
            dog_options("buddy", "Buddy Boy", gps_max_age=120, gps_accuracy_limit=25)
        )
    ]
    assert _dog_names(hass, init_integration) == ["Buddy Boy"]


@pytest.mark.parametrize("name", ["Buddy", "BUDDY!", "Rex"])
async def test_a_dog_cannot_be_renamed_to_another_dogs_name(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, name: str
) -> None:
    """Max renamed to Buddy (or to Rex, Buddy's new name) is refused, as when adding."""
    dogs = [dog_options(), dog_options("max", "Max")]
    dogs[0] = dogs[0] | {"name": "Rex"} if name == "Rex" else dogs[0]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options=mock_config_entry.options | {CONF_DOGS: dogs}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    flow_id = await _open(hass, mock_config_entry, "edit_dog")
    result = await _submit(hass, flow_id, {"dog_id": "max"})
    result = await _submit(hass, result["flow_id"], _dog(name=name))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "dog_already_exists"}
    assert mock_config_entry.options[CONF_DOGS] == dogs
    # Max may keep his own name.
    result = await _submit(hass, result["flow_id"], _dog(name="max"))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_remove_dog_removes_device(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Removing a dog removes its device; the last dog cannot be removed."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options
        | {CONF_DOGS: [dog_options(), dog_options("luna", "Luna")]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert _dog_names(hass, mock_config_entry) == ["Buddy", "Luna"]
    entity_registry = er.async_get(hass)
    assert entity_registry.async_get("sensor.buddy_battery") is not None

    flow_id = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_id, {CONF_DOGS: ["buddy", "luna"]})
    assert result["errors"] == {CONF_DOGS: "last_dog"}
    assert _dog_names(hass, mock_config_entry) == ["Buddy", "Luna"]
    result = await _submit(hass, flow_id, {CONF_DOGS: ["buddy"]})
    assert result["step_id"] == "remove_dog_confirm"
    assert result["description_placeholders"] == {"dog_name": "Buddy"}
    assert _dog_names(hass, mock_config_entry) == ["Buddy", "Luna"]
    result = await _submit(hass, flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_DOGS] == [dog_options("luna", "Luna")]
    assert _dog_names(hass, mock_config_entry) == ["Luna"]
    assert (
        entry_device(hass, mock_config_entry, f"{mock_config_entry.entry_id}_buddy")
        is None
    )
    buddy_entities = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, mock_config_entry.entry_id
        )
        if entry.entity_id.startswith(("sensor.buddy", "device_tracker.buddy"))
    ]
    assert buddy_entities == []
    assert hass.states.get("sensor.luna_battery") is not None


async def _setup_with_dogs(
    hass: HomeAssistant, entry: MockConfigEntry, *dogs: dict[str, Any]
) -> None:
    """Set up the entry with these dogs."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options=entry.options | {CONF_DOGS: list(dogs)}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _step_text(hass: HomeAssistant, result: Any, key: str) -> str:
    """Return a text of the shown step in English, placeholders filled in."""
    strings = await async_get_translations(hass, "en", "options", [DOMAIN])
    text = strings[f"component.{DOMAIN}.options.step.{result['step_id']}.{key}"]
    return text.format(**result["description_placeholders"])


async def test_remove_dogs_ticks_nothing_and_asks_first(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """No dog is ticked when the form opens; removal needs a confirmation."""
    await _setup_with_dogs(
        hass, mock_config_entry, dog_options(), dog_options("luna", "Luna")
    )
    # What the frontend receives is in test_flow_forms.py: nothing is ticked.
    flow_id = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_id, {})
    assert result["errors"] == {CONF_DOGS: "no_dog_selected"}
    assert await shown_errors(hass, result, "options") == [
        "Tick at least one dog to remove."
    ]
    result = await _submit(hass, flow_id, {CONF_DOGS: ["luna", "buddy"]})
    assert result["errors"] == {CONF_DOGS: "last_dog"}
    result = await _submit(hass, flow_id, {CONF_DOGS: ["luna"]})
    # One dog: the step with the texts for one dog.
    assert result["step_id"] == "remove_dog_confirm"
    assert await _step_text(hass, result, "title") == "Remove Luna?"
    assert await _step_text(hass, result, "description") == (
        "The device and entities of Luna are deleted from Home Assistant, and with"
        " them the dog's walks, meals and weights. This cannot be undone."
    )
    assert await _step_text(hass, result, "submit") == "Remove"
    # Closing the dialog instead of confirming removes nothing.
    hass.config_entries.options.async_abort(flow_id)
    await hass.async_block_till_done()
    assert _dog_names(hass, mock_config_entry) == ["Buddy", "Luna"]
    assert len(mock_config_entry.options[CONF_DOGS]) == 2


async def test_remove_confirmation_names_every_dog(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The confirmation names all ticked dogs by name, then removes exactly them."""
    await _setup_with_dogs(
        hass,
        mock_config_entry,
        dog_options(),
        dog_options("luna", "Luna"),
        dog_options("max_muller", "Max Müller"),
    )
    flow_id = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_id, {CONF_DOGS: ["max_muller", "luna"]})
    assert result["step_id"] == "remove_dogs_confirm"
    assert result["description_placeholders"] == {"dog_names": "Luna, Max Müller"}
    assert await _step_text(hass, result, "title") == "Remove these dogs?"
    assert await _step_text(hass, result, "description") == (
        "Remove Luna, Max Müller? Their devices and entities are deleted from Home"
        " Assistant, and their walks, meals and weights with them. This cannot be"
        " undone."
    )
    assert await _step_text(hass, result, "submit") == "Remove"
    result = await _submit(hass, flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_DOGS] == [dog_options()]
    assert _dog_names(hass, mock_config_entry) == ["Buddy"]


async def test_remove_confirmation_after_another_flow_removed_dogs(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A confirmation never removes the last dog, nor brings back removed ones."""
    await _setup_with_dogs(
        hass,
        mock_config_entry,
        dog_options(),
        dog_options("luna", "Luna"),
        dog_options("rex", "Rex"),
    )
    flow_a = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_a, {CONF_DOGS: ["buddy", "luna"]})
    assert result["step_id"] == "remove_dogs_confirm"
    flow_b = await _open(hass, mock_config_entry, "remove_dog")
    await _submit(hass, flow_b, {CONF_DOGS: ["rex"]})
    result = await _submit(hass, flow_b, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Confirming now would leave no dog: back to the choice, with the error.
    result = await _submit(hass, flow_a, {})
    assert result["step_id"] == "remove_dog"
    assert result["errors"] == {CONF_DOGS: "last_dog"}
    flow_c = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_c, {CONF_DOGS: ["luna"]})
    await _submit(hass, flow_a, {CONF_DOGS: ["luna"]})
    await _submit(hass, flow_a, {})
    result = await _submit(hass, flow_c, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "dog_removed"
    assert mock_config_entry.options[CONF_DOGS] == [dog_options()]


@pytest.fixture
def entry_without_api(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return a PawControl entry without a device API: GPS entities only."""
    return MockConfigEntry(
        domain=DOMAIN, title="PawControl", data={}, options=entry_options
    )


async def test_dogs_need_a_gps_source_without_a_device_api(
    hass: HomeAssistant, entry_without_api: MockConfigEntry
) -> None:
    """Without a device API, a dog added or edited must keep a GPS source."""
    collar_reports(hass)
    await _setup_with_dogs(
        hass, entry_without_api, *entry_without_api.options[CONF_DOGS]
    )
    options = dict(entry_without_api.options)
    flow_id = await _open(hass, entry_without_api, "add_dog")
    result = await _submit(hass, flow_id, _dog(name="Luna"))
    assert result["errors"] == {CONF_GPS_SOURCE: "location_source_required"}
    assert await shown_errors(hass, result, "options") == [
        "Choose a GPS source. PawControl has no device API, so without one it cannot"
        " tell where the dog is or whether it is connected."
    ]
    assert entry_without_api.options == options
    result = await _submit(
        hass, flow_id, _dog(name="Luna", **{CONF_GPS_SOURCE: "person.anna"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry_without_api.options[CONF_DOGS][1] == _stored(
        dog_options("luna", "Luna", **{CONF_GPS_SOURCE: "person.anna"})
    )

    result = await _open_details(hass, entry_without_api, "buddy")
    result = await _submit(hass, result["flow_id"], _dog(name="Buddy"))
    assert result["errors"] == {CONF_GPS_SOURCE: "location_source_required"}
    assert entry_without_api.options[CONF_DOGS][0][CONF_GPS_SOURCE] == (
        "device_tracker.buddy_collar"
    )


async def test_update_interval(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The interval is stored; below 15 s it is refused on the form."""
    flow_id = await _open(hass, init_integration, "update_interval")
    result = await _submit(hass, flow_id, {CONF_UPDATE_INTERVAL: 5})
    assert result["errors"] == {CONF_UPDATE_INTERVAL: "whole_number_range"}
    assert await shown_errors(hass, result, "options") == [
        "Enter a whole number from 15 to 3600 s."
    ]
    assert init_integration.options[CONF_UPDATE_INTERVAL] == 60
    result = await _submit(hass, flow_id, {CONF_UPDATE_INTERVAL: 30})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_UPDATE_INTERVAL] == 30


async def test_weather(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The weather entity can be set and cleared; its interval defaults to 10 min."""
    flow_id = await _open(hass, init_integration, "weather")
    await _submit(
        hass, flow_id, {CONF_WEATHER_ENTITY: "weather.home", "weather_interval": 30}
    )
    assert init_integration.options[CONF_WEATHER_ENTITY] == "weather.home"
    assert init_integration.options["weather_interval"] == 30
    flow_id = await _open(hass, init_integration, "weather")
    result = await _submit(hass, flow_id, {"weather_interval": 0})
    assert result["errors"] == {"weather_interval": "whole_number_range"}
    assert await shown_errors(hass, result, "options") == [
        "Enter a whole number from 1 to 180 min."
    ]
    assert init_integration.options["weather_interval"] == 30
    await _submit(hass, flow_id, {})
    assert CONF_WEATHER_ENTITY not in init_integration.options
    assert init_integration.options["weather_interval"] == 10


async def test_notifications(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Targets and quiet hours are validated and stored."""
    hass.services.async_register("notify", "mobile_app_pixel_7", lambda call: None)
    flow_id = await _open(hass, init_integration, "notifications")
    result = await _submit(hass, flow_id, {CONF_QUIET_HOURS_START: "22:00:00"})
    assert result["errors"] == {"base": "quiet_hours_incomplete"}
    result = await _submit(hass, flow_id, {CONF_NOTIFY_SERVICES: ["notify.missing"]})
    assert result["errors"] == {CONF_NOTIFY_SERVICES: "unknown_notify_service"}
    assert await shown_errors(hass, result, "options") == [
        "At least one notify service does not exist. Use the form notify.service_name."
    ]
    result = await _submit(
        hass,
        flow_id,
        {
            CONF_NOTIFY_SERVICES: ["notify.mobile_app_pixel_7"],
            CONF_NOTIFY_ENTITIES: ["notify.kitchen"],
            CONF_QUIET_HOURS_START: "22:00:00",
            CONF_QUIET_HOURS_END: "07:00:00",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_NOTIFY_SERVICES] == [
        "notify.mobile_app_pixel_7"
    ]
    assert init_integration.options[CONF_NOTIFY_ENTITIES] == ["notify.kitchen"]
    assert init_integration.options[CONF_QUIET_HOURS_START] == "22:00:00"
    assert init_integration.options[CONF_QUIET_HOURS_END] == "07:00:00"

    flow_id = await _open(hass, init_integration, "notifications")
    await _submit(hass, flow_id, {})
    assert CONF_QUIET_HOURS_START not in init_integration.options
    assert init_integration.options[CONF_NOTIFY_SERVICES] == []


async def test_resilience(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Resilience settings are stored; contradicting and non-positive values are refused."""
    flow_id = await _open(hass, init_integration, "resilience")
    values = dict(DEFAULT_RESILIENCE) | {"initial_delay": 6.0}
    result = await _submit(hass, flow_id, {"advanced": values})
    assert result["errors"] == {"advanced": "initial_delay_above_max_delay"}
    result = await _submit(
        hass, flow_id, {"advanced": dict(DEFAULT_RESILIENCE) | {"failure_threshold": 0}}
    )
    assert result["errors"] == {"advanced": "range_failure_threshold"}
    assert await shown_errors(hass, result, "options") == [
        "Failure threshold: enter a whole number from 1 to 100."
    ]
    assert init_integration.options["failure_threshold"] == 3
    result = await _submit(
        hass,
        flow_id,
        {
            "advanced": dict(DEFAULT_RESILIENCE)
            | {"failure_threshold": 5.0, "jitter": False}
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["failure_threshold"] == 5
    assert isinstance(init_integration.options["failure_threshold"], int)
    assert init_integration.options["jitter"] is False
    assert (
        init_integration.options[CONF_DOGS][0][CONF_GPS_SOURCE]
        == "device_tracker.buddy_collar"
    )


async def _open_details(
    hass: HomeAssistant, entry: MockConfigEntry, dog_id: str
) -> Any:
    """Open the details of a dog in a new options flow."""
    flow_id = await _open(hass, entry, "edit_dog")
    return await hass.config_entries.options.async_configure(
        flow_id, {"dog_id": dog_id}
    )


@pytest.mark.parametrize("chosen_before_removal", [True, False])
async def test_dog_removed_by_another_flow(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    chosen_before_removal: bool,
) -> None:
    """A flow that refers to a dog another flow removed aborts; nothing comes back."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options
        | {CONF_DOGS: [dog_options(), dog_options("rex", "Rex")]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    flow_a = await _open(hass, mock_config_entry, "edit_dog")
    if chosen_before_removal:
        result = await hass.config_entries.options.async_configure(
            flow_a, {"dog_id": "rex"}
        )
        assert result["step_id"] == "edit_dog_details"
    flow_b = await _open(hass, mock_config_entry, "remove_dog")
    result = await _submit(hass, flow_b, {CONF_DOGS: ["rex"]})
    result = await _submit(hass, flow_b, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    answer = {"dog_id": "rex"}
    if chosen_before_removal:
        answer = _dog(name="Rex the Second", gps_max_age=600, gps_accuracy_limit=100)
    result = await _submit(hass, flow_a, answer)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "dog_removed"
    assert mock_config_entry.options[CONF_DOGS] == [dog_options()]
    assert _dog_names(hass, mock_config_entry) == ["Buddy"]
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert_clean_log(caplog)


NOT_NUMBERS = ["nan", "inf", "-inf", math.nan, math.inf, -math.inf, "1e999", 10**400]
# (step, field) for every number field of the options flow.
NUMBER_FIELDS = [
    *(("resilience", key) for key in DEFAULT_RESILIENCE if key != "jitter"),
    ("update_interval", CONF_UPDATE_INTERVAL),
    ("weather", "weather_interval"),
    ("add_dog", "gps_max_age"),
    ("add_dog", "gps_accuracy_limit"),
    ("edit_dog_details", "gps_max_age"),
    ("edit_dog_details", "gps_accuracy_limit"),
]
VALID_INPUT: dict[str, dict[str, Any]] = {
    "resilience": {"advanced": dict(DEFAULT_RESILIENCE)},
    "update_interval": {CONF_UPDATE_INTERVAL: 30},
    "weather": {"weather_interval": 30},
    "add_dog": _dog(name="Luna", gps_max_age=600, gps_accuracy_limit=100),
    "edit_dog_details": _dog(name="Buddy", gps_max_age=300, gps_accuracy_limit=50),
}


# The error text of each number field: its range, in the field's unit.
RANGE_TEXTS: dict[tuple[str, str], str] = {
    ("resilience", "failure_threshold"): "Failure threshold: enter a whole number"
    " from 1 to 100.",
    ("resilience", "success_threshold"): "Success threshold: enter a whole number"
    " from 1 to 100.",
    ("resilience", "timeout_seconds"): "Open time: enter a whole number from 1 to"
    " 3600 s.",
    ("resilience", "half_open_max_calls"): "Test calls at a time: enter a whole"
    " number from 1 to 100.",
    ("resilience", "coordinator_retry_attempts"): "Attempts per dog update: enter a"
    " whole number from 1 to 10.",
    ("resilience", "gps_retry_attempts"): "Attempts per GPS read: enter a whole"
    " number from 1 to 10.",
    ("resilience", "weather_retry_attempts"): "Attempts per weather read: enter a"
    " whole number from 1 to 10.",
    ("resilience", "initial_delay"): "First retry delay: enter a number from 0 to"
    " 60 s.",
    ("resilience", "max_delay"): "Maximum retry delay: enter a number from 0 to 300 s.",
    ("resilience", "exponential_base"): "Backoff factor: enter a number from 1 to 10.",
    ("resilience", "max_stale_minutes"): "Maximum age of shown data: enter a whole"
    " number from 0 to 1440 min.",
    ("update_interval", CONF_UPDATE_INTERVAL): "Enter a whole number from 15 to"
    " 3600 s.",
    ("weather", "weather_interval"): "Enter a whole number from 1 to 180 min.",
    ("add_dog", "gps_max_age"): "Enter a whole number from 30 to 86400 s.",
    ("add_dog", "gps_accuracy_limit"): "Enter a whole number from 1 to 10000 m.",
    ("edit_dog_details", "gps_max_age"): "Enter a whole number from 30 to 86400 s.",
    ("edit_dog_details", "gps_accuracy_limit"): "Enter a whole number from 1 to"
    " 10000 m.",
}


def _with(step: str, key: str, value: Any) -> dict[str, Any]:
    """Return the valid input of a step with one field changed."""
    if step == "resilience":
        return {"advanced": VALID_INPUT[step]["advanced"] | {key: value}}
    return VALID_INPUT[step] | {key: value}


def _range_error(step: str, key: str) -> dict[str, str]:
    """Return the error a number out of range shows.

    The frontend shows no error inside a section: the resilience errors sit on
    the section and name the field.
    """
    if step == "resilience":
        return {"advanced": f"range_{key}"}
    return {key: "whole_number_range"}


async def _open_step(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> str:
    """Open an options step, going through the dog choice for the details."""
    if step == "edit_dog_details":
        return str((await _open_details(hass, entry, "buddy"))["flow_id"])
    return await _open(hass, entry, step)


@pytest.mark.parametrize(
    ("step", "key", "value"),
    [
        *((step, key, "nan") for step, key in NUMBER_FIELDS),
        *(("resilience", "failure_threshold", value) for value in NOT_NUMBERS),
        *(("resilience", "initial_delay", value) for value in NOT_NUMBERS),
        ("resilience", "failure_threshold", 2.5),
        ("resilience", "max_stale_minutes", -1),
        ("resilience", "max_stale_minutes", True),
        ("resilience", "exponential_base", 10.5),
        ("update_interval", CONF_UPDATE_INTERVAL, 3601),
        ("add_dog", "gps_max_age", 29),
    ],
)
async def test_numbers_must_be_finite_and_in_range(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    step: str,
    key: str,
    value: Any,
) -> None:
    """A non-finite or out-of-range number is refused with the field's range."""
    options = dict(init_integration.options)
    flow_id = await _open_step(hass, init_integration, step)
    result = await _submit(hass, flow_id, _with(step, key, value))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == _range_error(step, key)
    assert await shown_errors(hass, result, "options") == [RANGE_TEXTS[step, key]]
    assert init_integration.options == options
    assert init_integration.state is ConfigEntryState.LOADED
    assert_clean_log(caplog)
    result = await _submit(hass, flow_id, VALID_INPUT[step])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("name", "error"),
    [("R" * 51, "name_too_long"), ("R" * 100_000, "name_too_long")],
)
async def test_dog_names_are_capped(
    hass: HomeAssistant, init_integration: MockConfigEntry, name: str, error: str
) -> None:
    """A name longer than 50 characters is refused when adding or editing a dog."""
    flow_id = await _open(hass, init_integration, "add_dog")
    result = await _submit(hass, flow_id, _dog(name=name))
    assert result["errors"] == {"name": error}
    assert await shown_errors(hass, result, "options") == [
        "Enter a name of at most 50 characters."
    ]
    result = await _open_details(hass, init_integration, "buddy")
    result = await _submit(hass, result["flow_id"], _dog(name=name))
    assert result["errors"] == {"name": error}
    assert [dog["name"] for dog in init_integration.options[CONF_DOGS]] == ["Buddy"]
    result = await _submit(hass, result["flow_id"], _dog(name="R" * 50))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        (Mode.UNAUTHORIZED, ConfigEntryState.SETUP_ERROR),
        (Mode.ERROR_500, ConfigEntryState.SETUP_RETRY),
    ],
)
async def test_saving_options_sets_up_an_entry_that_is_not_loaded(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    device_api: DeviceApiServer,
    mode: Mode,
    state: ConfigEntryState,
) -> None:
    """An entry that is not loaded is set up with the new options."""
    device_api.mode = mode
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options | {"initial_delay": 0.0, "max_delay": 0.0},
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is state
    device_api.mode = Mode.HEALTHY
    flow_id = await _open(hass, mock_config_entry, "update_interval")
    result = await _submit(hass, flow_id, {CONF_UPDATE_INTERVAL: 30})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.options[CONF_UPDATE_INTERVAL] == 30
    assert mock_config_entry.runtime_data.coordinator.update_interval is not None
    assert (
        mock_config_entry.runtime_data.coordinator.update_interval.total_seconds() == 30
    )


async def test_saving_changed_options_reloads_once(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A changed save reloads the entry once: the dog's tracker is briefly unavailable."""
    before = init_integration.runtime_data
    states: list[str] = []

    @callback
    def _record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            states.append(new.state)

    unsub = async_track_state_change_event(hass, "device_tracker.buddy", _record)
    flow_id = await _open(hass, init_integration, "update_interval")
    result = await _submit(hass, flow_id, {CONF_UPDATE_INTERVAL: 30})
    unsub()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is not before
    interval = init_integration.runtime_data.coordinator.update_interval
    assert interval is not None
    assert interval.total_seconds() == 30
    assert states.count(STATE_UNAVAILABLE) == 1
    assert states[-1] != STATE_UNAVAILABLE


async def test_saving_unchanged_options_does_not_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Saving the same options again reloads nothing and writes no state."""
    before = init_integration.runtime_data
    changes: list[str] = []

    @callback
    def _record(event: Event[EventStateChangedData]) -> None:
        changes.append(event.data["entity_id"])

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    flow_id = await _open(hass, init_integration, "update_interval")
    interval = init_integration.options[CONF_UPDATE_INTERVAL]
    result = await _submit(hass, flow_id, {CONF_UPDATE_INTERVAL: interval})
    unsub()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data is before
    assert changes == []
