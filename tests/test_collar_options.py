"""The collar section of a dog's form: its fields, its checks, what a save does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pawcontrol.const import (
    CONF_BATTERY_LOW_PERCENT,
    CONF_DEFAULT_PORTION,
    CONF_DOGS,
    CONF_NOT_REPORTING_MINUTES,
    DEFAULT_WATCH,
)

from .collar import NOT_REPORTING, at, berlin, shown
from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import shown_errors

TRANSLATIONS = (
    Path(__file__).parents[1] / "custom_components" / "pawcontrol" / "translations"
)
COLLAR = "device_tracker.buddy_collar"
WATCH_KEYS = [CONF_NOT_REPORTING_MINUTES, CONF_BATTERY_LOW_PERCENT]


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> TestClient:
    """Return a client of Home Assistant's HTTP API, which the frontend uses."""
    assert await async_setup_component(hass, "config", {})
    return await hass_client()


async def _post(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """Post to the options flow API and return the answer as the frontend reads it."""
    response = await client.post(
        f"/api/config/config_entries/options/flow{path}", json=body
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def _form(client: TestClient, entry: MockConfigEntry, step: str) -> Any:
    """Open the add form or Buddy's edit form as the frontend does."""
    menu = await _post(client, "", {"handler": entry.entry_id})
    path = f"/{menu['flow_id']}"
    form = await _post(client, path, {"next_step_id": step})
    if step == "edit_dog":
        form = await _post(client, path, {"dog_id": "buddy"})
    return form


def _section(form: dict[str, Any], name: str) -> dict[str, Any]:
    """Return a serialized section of a form."""
    [part] = [field for field in form["data_schema"] if field["name"] == name]
    return part


def _shown(form: dict[str, Any]) -> dict[str, Any]:
    """Return the values the frontend fills the collar fields with."""
    values = {}
    for field in _section(form, "collar")["schema"]:
        suggested = field.get("description", {}).get("suggested_value")
        values[field["name"]] = field.get("default") if suggested is None else suggested
    return values


def _input(form: dict[str, Any], **collar: Any) -> dict[str, Any]:
    """Return Buddy's form as the frontend sends it, with these collar values."""
    care = {
        field["name"]: field.get("description", {}).get("suggested_value")
        for field in _section(form, "care")["schema"]
    }
    return {
        "name": "Buddy",
        "gps_source": COLLAR,
        "gps_max_age": 600,
        "gps_accuracy_limit": 100,
        "care": care,
        "collar": _shown(form) | collar,
    }


@pytest.mark.parametrize("step", ["add_dog", "edit_dog"])
async def test_dog_forms_have_a_collapsed_collar_section(
    init_integration: MockConfigEntry, client: TestClient, step: str
) -> None:
    """Adding or editing a dog offers Collar, collapsed, after Care, with defaults."""
    form = await _form(client, init_integration, step)
    collar = _section(form, "collar")
    assert collar["type"] == "expandable"
    assert collar["expanded"] is False
    assert [field["name"] for field in collar["schema"]] == WATCH_KEYS
    assert (
        _shown(form)
        == DEFAULT_WATCH
        == {
            CONF_NOT_REPORTING_MINUTES: 30,
            CONF_BATTERY_LOW_PERCENT: 20,
        }
    )
    numbers = {f["name"]: f["selector"]["number"] for f in collar["schema"]}
    assert {
        name: (n["min"], n["max"], n["unit_of_measurement"], n["mode"])
        for name, n in numbers.items()
    } == {
        CONF_NOT_REPORTING_MINUTES: (5, 1440, "min", "box"),
        CONF_BATTERY_LOW_PERCENT: (5, 50, "%", "box"),
    }


async def test_edit_form_shows_the_limits_in_effect(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient,
) -> None:
    """Stored limits are shown; a broken stored one shows (and is) its default."""
    for stored, expected in [
        ({CONF_NOT_REPORTING_MINUTES: 90, CONF_BATTERY_LOW_PERCENT: 35}, (90, 35)),
        ({CONF_NOT_REPORTING_MINUTES: "soon", CONF_BATTERY_LOW_PERCENT: 99}, (30, 20)),
        ({CONF_NOT_REPORTING_MINUTES: float("nan")}, (30, 20)),
    ]:
        hass.config_entries.async_update_entry(
            init_integration,
            options=init_integration.options
            | {CONF_DOGS: [dog_options(gps_source=COLLAR, **stored)]},
        )
        form = await _form(client, init_integration, "edit_dog")
        assert tuple(_shown(form).values()) == expected, stored


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        (CONF_NOT_REPORTING_MINUTES, 4, "from 5 to 1440 min"),
        (CONF_NOT_REPORTING_MINUTES, 1441, "from 5 to 1440 min"),
        (CONF_NOT_REPORTING_MINUTES, 12.5, "from 5 to 1440 min"),
        (CONF_NOT_REPORTING_MINUTES, "nan", "from 5 to 1440 min"),
        (CONF_NOT_REPORTING_MINUTES, True, "from 5 to 1440 min"),
        (CONF_BATTERY_LOW_PERCENT, 4, "from 5 to 50 %"),
        (CONF_BATTERY_LOW_PERCENT, 51, "from 5 to 50 %"),
    ],
)
async def test_out_of_range_limit_is_refused_with_its_range(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient,
    key: str,
    value: Any,
    text: str,
) -> None:
    """The section opens with the error and the input; a valid value is saved flat."""
    options = dict(init_integration.options)
    form = await _form(client, init_integration, "edit_dog")
    result = await _post(client, f"/{form['flow_id']}", _input(form, **{key: value}))
    assert result["errors"] == {"collar": f"range_{key}"}
    label = {
        CONF_NOT_REPORTING_MINUTES: "Collar, not reporting after",
        CONF_BATTERY_LOW_PERCENT: "Collar, battery low below",
    }[key]
    assert await shown_errors(hass, result, "options") == [
        f"{label}: enter a whole number {text}."
    ]
    assert _section(result, "collar")["expanded"] is True
    assert _section(result, "care")["expanded"] is False
    assert init_integration.options == options
    edge = {CONF_NOT_REPORTING_MINUTES: 1440, CONF_BATTERY_LOW_PERCENT: 5}
    given = _input(form, **{key: edge[key]})
    result = await _post(client, f"/{form['flow_id']}", given)
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    buddy = init_integration.options[CONF_DOGS][0]
    assert "collar" not in buddy
    assert buddy[key] == edge[key]


async def test_care_and_collar_errors_together(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient
) -> None:
    """One form has one set of placeholders: Care names its range, Collar the general text."""
    form = await _form(client, init_integration, "edit_dog")
    given = _input(form, **{CONF_BATTERY_LOW_PERCENT: 90})
    given["care"][CONF_DEFAULT_PORTION] = 0
    result = await _post(client, f"/{form['flow_id']}", given)
    assert result["errors"] == {
        "care": "range_default_portion_g",
        "collar": "invalid_number",
    }
    assert await shown_errors(hass, result, "options") == [
        "Care, default portion: enter a whole number from 1 to 5000 g.",
        "Enter a number within the allowed range of this field. Fields without"
        " decimals take whole numbers only.",
    ]


def test_collar_texts_in_english_and_german() -> None:
    """The section and its errors read in both languages, each in its own words."""
    for language, name, error in [
        ("en", "Collar", "Collar, not reporting after: enter"),
        ("de", "Halsband", "Halsband, meldet sich nicht nach: Gib"),
    ]:
        strings = json.loads((TRANSLATIONS / f"{language}.json").read_text())
        options = strings["options"]
        for step in ("add_dog", "edit_dog_details"):
            section = options["step"][step]["sections"]["collar"]
            assert section["name"] == name
            assert section["data"].keys() == set(WATCH_KEYS)
            assert section["data_description"].keys() == set(WATCH_KEYS)
        assert options["error"]["range_not_reporting_minutes"].startswith(error)


async def test_saved_limit_takes_effect(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Five minutes typed into the form: the frozen collar is not reporting after five."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    device_api.reported_at["buddy"] = berlin(19)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options | {CONF_DOGS: [dog_options()]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    flow = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "edit_dog"}
    )
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"dog_id": "buddy"}
    )
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "name": "Buddy",
            "gps_max_age": 600,
            "gps_accuracy_limit": 100,
            "care": {},
            "collar": {CONF_NOT_REPORTING_MINUTES: 5},
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    buddy = mock_config_entry.options[CONF_DOGS][0]
    assert (buddy[CONF_NOT_REPORTING_MINUTES], buddy[CONF_BATTERY_LOW_PERCENT]) == (
        5,
        20,
    )
    await at(hass, freezer, berlin(19, 4, 59))
    assert shown(hass, NOT_REPORTING)[0] == "off"
    await at(hass, freezer, berlin(19, 5))
    assert shown(hass, NOT_REPORTING)[0] == "on"


async def test_form_without_the_section_keeps_the_defaults(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A client that sends no collar section (as before it existed) stores the defaults."""
    flow = await hass.config_entries.options.async_init(init_integration.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "add_dog"}
    )
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"name": "Luna", "care": {}}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    luna = init_integration.options[CONF_DOGS][1]
    assert {key: luna[key] for key in WATCH_KEYS} == DEFAULT_WATCH
