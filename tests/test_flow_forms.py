"""What the options forms show: the resilience section, time pickers, ranges."""

from __future__ import annotations

from datetime import time
import json
from pathlib import Path
import re
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pawcontrol.const import (
    CONF_DOGS,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    DEFAULT_RESILIENCE,
    DOMAIN,
)
from custom_components.pawcontrol.flow_validation import (
    FORM_PLACEHOLDERS,
    RESILIENCE_FIELDS,
    parse_numbers,
)

from .conftest import dog_options
from .helpers import shown_errors

TRANSLATIONS = (
    Path(__file__).parents[1] / "custom_components" / "pawcontrol" / "translations"
)


async def _open(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    """Open an options step and return the form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _submit(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> Any:
    """Submit an options form and let the reload finish."""
    result = await hass.config_entries.options.async_configure(flow_id, user_input)
    await hass.async_block_till_done()
    return result


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


async def _shown_form(
    client: TestClient, entry: MockConfigEntry, step: str
) -> dict[str, Any]:
    """Open an options step as the frontend does; return the form it receives."""
    menu = await _post(client, "", {"handler": entry.entry_id})
    form: dict[str, Any] = await _post(
        client, f"/{menu['flow_id']}", {"next_step_id": step}
    )
    return form


async def test_remove_dogs_form_ticks_nothing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, client: TestClient
) -> None:
    """The dog list reaches the frontend optional and empty: no dog is ticked.

    The frontend ticks the first option of a required multi-select that has
    no default.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options
        | {CONF_DOGS: [dog_options(), dog_options("luna", "Luna")]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    form = await _shown_form(client, mock_config_entry, "remove_dog")
    [field] = form["data_schema"]
    assert field["name"] == CONF_DOGS
    # Newer releases also send "required": false.
    assert field.get("required", False) is False
    assert field["optional"] is True
    assert field["default"] == []
    assert "description" not in field
    assert field["selector"]["select"]["multiple"] is True
    assert field["selector"]["select"]["options"] == [
        {"value": "buddy", "label": "Buddy"},
        {"value": "luna", "label": "Luna"},
    ]
    result = await _post(client, f"/{form['flow_id']}", {})
    assert result["errors"] == {CONF_DOGS: "no_dog_selected"}
    assert len(mock_config_entry.options[CONF_DOGS]) == 2


async def test_resilience_fields_sit_in_a_collapsed_section(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient
) -> None:
    """The form opens with one collapsed section holding every field and value."""
    hass.config_entries.async_update_entry(
        init_integration, options=init_integration.options | {"failure_threshold": 7}
    )
    await hass.async_block_till_done()
    form = await _shown_form(client, init_integration, "resilience")
    [section] = form["data_schema"]
    assert section["name"] == "advanced"
    assert section["type"] == "expandable"
    assert section["expanded"] is False
    shown = {
        field["name"]: field["description"]["suggested_value"]
        for field in section["schema"]
    }
    assert shown == DEFAULT_RESILIENCE | {"failure_threshold": 7}
    strings = await async_get_translations(hass, "en", "options", [DOMAIN])
    prefix = f"component.{DOMAIN}.options.step.resilience.sections.advanced"
    assert strings[f"{prefix}.name"] == "Advanced: circuit breakers and retries"
    assert strings[f"{prefix}.data_description.jitter"] == (
        "Wait a random part of each delay, so that many tries do not happen at"
        " the same moment."
    )


async def test_resilience_section_saves_flat_options(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The section's values are stored under the same flat keys as before."""
    result = await _open(hass, init_integration, "resilience")
    given = dict(DEFAULT_RESILIENCE) | {"gps_retry_attempts": 5, "max_delay": 8.5}
    result = await _submit(hass, result["flow_id"], {"advanced": given})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "advanced" not in init_integration.options
    for key, value in given.items():
        assert init_integration.options[key] == value
    assert init_integration.state is ConfigEntryState.LOADED


async def test_resilience_error_opens_the_section_and_keeps_the_input(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient
) -> None:
    """An invalid value is named above the open section; the typed values stay."""
    form = await _shown_form(client, init_integration, "resilience")
    given = dict(DEFAULT_RESILIENCE) | {"timeout_seconds": 5000, "max_delay": 9.0}
    result = await _post(client, f"/{form['flow_id']}", {"advanced": given})
    assert result["errors"] == {"advanced": "range_timeout_seconds"}
    assert await shown_errors(hass, result, "options") == [
        "Open time: enter a whole number from 1 to 3600 s."
    ]
    [section] = result["data_schema"]
    assert section["expanded"] is True
    shown = {f["name"]: f["description"]["suggested_value"] for f in section["schema"]}
    assert shown == given


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_section_field_has_a_one_line_description(language: str) -> None:
    """Each resilience field has a label and one plain line in en and de."""
    strings = json.loads((TRANSLATIONS / f"{language}.json").read_text())
    step = strings["options"]["step"]["resilience"]
    assert "data" not in step
    section = step["sections"]["advanced"]
    assert section["name"]
    assert section["data"].keys() == set(DEFAULT_RESILIENCE)
    assert section["data_description"].keys() == set(DEFAULT_RESILIENCE)
    for text in section["data_description"].values():
        assert "\n" not in text
        # One sentence, in words: no circuit-breaker jargon.
        assert text.count(". ") == 0, text
        assert "circuit" not in text.lower()
        assert "schutzschalter" not in text.lower()


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_resilience_field_has_a_range_error(language: str) -> None:
    """Each number field of the section has an error that names it."""
    errors = json.loads((TRANSLATIONS / f"{language}.json").read_text())["options"][
        "error"
    ]
    for key in DEFAULT_RESILIENCE:
        if key != "jitter":
            assert "{minimum}" in errors[f"range_{key}"]
            assert "{maximum}" in errors[f"range_{key}"]


async def test_quiet_hours_pickers_hide_seconds(
    init_integration: MockConfigEntry, client: TestClient
) -> None:
    """Both time pickers ask the frontend to show hours and minutes only."""
    form = await _shown_form(client, init_integration, "notifications")
    selectors = {field["name"]: field["selector"] for field in form["data_schema"]}
    assert selectors[CONF_QUIET_HOURS_START] == {"time": {"no_second": True}}
    assert selectors[CONF_QUIET_HOURS_END] == {"time": {"no_second": True}}


@pytest.mark.parametrize(
    ("start", "end", "stored"),
    [
        ("22:00:00", "07:00:00", ("22:00:00", "07:00:00")),
        ("22:30", "6:45", ("22:30:00", "06:45:00")),
        ("22:00:30", "07:15:10", ("22:00:30", "07:15:10")),
    ],
)
async def test_quiet_hours_are_stored_as_hh_mm_ss(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    start: str,
    end: str,
    stored: tuple[str, str],
) -> None:
    """Times with or without seconds are stored in the form setup reads back."""
    result = await _open(hass, init_integration, "notifications")
    result = await _submit(
        hass,
        result["flow_id"],
        {CONF_QUIET_HOURS_START: start, CONF_QUIET_HOURS_END: end},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    options = init_integration.options
    assert (options[CONF_QUIET_HOURS_START], options[CONF_QUIET_HOURS_END]) == stored
    assert all(time.fromisoformat(value) for value in stored)
    assert init_integration.state is ConfigEntryState.LOADED


async def test_stored_quiet_hours_with_seconds_are_shown(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient
) -> None:
    """Quiet hours stored with seconds before still load and fill the form."""
    quiet = {CONF_QUIET_HOURS_START: "21:59:30", CONF_QUIET_HOURS_END: "06:00:15"}
    hass.config_entries.async_update_entry(
        init_integration, options=init_integration.options | quiet
    )
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    form = await _shown_form(client, init_integration, "notifications")
    shown = {
        field["name"]: field["description"]["suggested_value"]
        for field in form["data_schema"]
        if "description" in field
    }
    assert shown[CONF_QUIET_HOURS_START] == "21:59:30"
    assert shown[CONF_QUIET_HOURS_END] == "06:00:15"


async def test_second_invalid_number_with_another_range(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """One form has one set of placeholders: a second range gets the general text."""
    result = await _open(hass, init_integration, "add_dog")
    result = await _submit(
        hass,
        result["flow_id"],
        {
            "name": "Luna",
            "gps_max_age": 10,
            "gps_accuracy_limit": 0,
            "care": {},
            "collar": {},
        },
    )
    assert result["errors"] == {
        "gps_max_age": "whole_number_range",
        "gps_accuracy_limit": "invalid_number",
    }
    assert await shown_errors(hass, result, "options") == [
        "Enter a whole number from 30 to 86400 s.",
        "Enter a number within the allowed range of this field. Fields without"
        " decimals take whole numbers only.",
    ]


def test_flow_texts_use_only_placeholders_the_flows_fill() -> None:
    """Static examples plus what the flows add: dog names and number ranges."""
    supplied = set(FORM_PLACEHOLDERS) | {"dog_name", "dog_names", "minimum", "maximum"}
    for language in ("en", "de"):
        strings = json.loads((TRANSLATIONS / f"{language}.json").read_text())
        for section in ("config", "options"):
            found = set(re.findall(r"\{(\w+)\}", json.dumps(strings[section])))
            assert found <= supplied, (language, section, found - supplied)


def test_decimal_field_names_its_range() -> None:
    """A field with decimals says "number", one without says "whole number"."""
    fields = {
        "initial_delay": RESILIENCE_FIELDS["initial_delay"],
        "failure_threshold": RESILIENCE_FIELDS["failure_threshold"],
    }
    values, errors, placeholders = parse_numbers(
        {"initial_delay": 61.5, "failure_threshold": 3.0}, fields
    )
    assert values == {"failure_threshold": 3}
    assert errors == {"initial_delay": "number_range"}
    english = json.loads((TRANSLATIONS / "en.json").read_text())["options"]["error"]
    assert english["number_range"].format(**placeholders) == (
        "Enter a number from 0 to 60 s."
    )
