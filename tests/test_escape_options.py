"""The escape alert's options: the dog's form section, its errors and what is stored."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS

from .helpers import shown_errors, suggested_values, translated

ESCAPE = {
    "escape_alert": True,
    "escape_safe_zones": ["zone.garden"],
    "escape_people": ["person.anna", "person.ben"],
    "escape_repeat_minutes": 10,
}


@pytest.fixture(autouse=True)
def household(hass: HomeAssistant) -> None:
    """Give Home Assistant a garden zone and two people."""
    hass.states.async_set(
        "zone.garden", "0", {"latitude": 52.5, "longitude": 13.4, "radius": 50}
    )
    hass.states.async_set("person.anna", "home")
    hass.states.async_set("person.ben", "not_home")


async def _form(hass: HomeAssistant, entry: MockConfigEntry, dog: str = "") -> Any:
    """Open the add form, or the edit form of ``dog``."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    step = "edit_dog" if dog else "add_dog"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    if dog:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"dog_id": dog}
        )
    return result


async def _submit(hass: HomeAssistant, result: Any, **fields: Any) -> Any:
    """Submit a dog form with Luna's name, the care defaults and ``fields``."""
    given = {"name": "Luna", "care": {}, **fields}
    result = await hass.config_entries.options.async_configure(result["flow_id"], given)
    await hass.async_block_till_done()
    return result


def _luna(entry: MockConfigEntry) -> dict[str, Any]:
    """Return Luna's stored options."""
    return next(dog for dog in entry.options[CONF_DOGS] if dog["dog_id"] == "luna")


async def test_escape_section_is_collapsed_with_defaults(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The section is collapsed and off; saved unchanged, nothing of it is stored."""
    result = await _form(hass, init_integration)
    fields = dict(result["data_schema"].schema)
    escape = next(v for k, v in fields.items() if str(k) == "escape")
    assert escape.options == {"collapsed": True}
    defaults = {str(k): k.default() for k in escape.schema.schema}
    assert defaults == {
        "escape_alert": False,
        "escape_safe_zones": [],
        "escape_people": [],
        "escape_repeat_minutes": 5,
    }
    result = await _submit(hass, result, escape={})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not any(key.startswith("escape") for key in _luna(init_integration))
    assert init_integration.runtime_data.dogs["luna"].escape.enabled is False


async def test_escape_options_are_stored_and_shown_again(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Zones, people and the repeat are stored flat and filled in when editing."""
    result = await _submit(hass, await _form(hass, init_integration), escape=ESCAPE)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _luna(init_integration) | ESCAPE == _luna(init_integration)
    escape = init_integration.runtime_data.dogs["luna"].escape
    assert escape.people == ("person.anna", "person.ben")
    assert escape.repeat_minutes == 10
    result = await _form(hass, init_integration, "luna")
    assert suggested_values(result)["escape"] == ESCAPE


@pytest.mark.parametrize(
    ("escape", "care", "error", "text"),
    [
        (
            {"escape_safe_zones": ["zone.gone"]},
            {},
            "unknown_escape_zone",
            "Escape alert: a safe zone does not exist. Choose zones from the list.",
        ),
        (
            {"escape_people": ["person.anna", "person.gone"]},
            {},
            "unknown_escape_person",
            "Escape alert: a person of the household does not exist. "
            "Choose people from the list.",
        ),
        (
            {"escape_safe_zones": [f"zone.z{i}" for i in range(21)]},
            {},
            "too_many_escape_zone",
            "Escape alert: choose at most 20 safe zones.",
        ),
        (
            {"escape_repeat_minutes": 61},
            {},
            "range_escape_repeat_minutes",
            "Escape alert, repeat every: enter a whole number of minutes from 1 to 60.",
        ),
        (
            {"escape_alert": True},
            {"auto_walk": True},
            "escape_needs_people",
            "Escape alert: with automatic walks on, name the people of the "
            "household. Otherwise every time the dog leaves home is a walk and "
            "never an escape.",
        ),
    ],
)
async def test_bad_escape_input_is_refused_then_fixed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    escape: dict[str, Any],
    care: dict[str, Any],
    error: str,
    text: str,
) -> None:
    """Each mistake is named on the opened section; the corrected form saves."""
    result = await _submit(
        hass, await _form(hass, init_integration), escape=escape, care=care
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"escape": error}
    assert await shown_errors(hass, result, "options") == [text]
    fields = dict(result["data_schema"].schema)
    assert next(v for k, v in fields.items() if str(k) == "escape").options == {
        "collapsed": False
    }
    german = await translated(hass, f"options.error.{error}", language="de")
    assert german.startswith("Ausbruchsalarm")
    result = await _submit(hass, result, escape=ESCAPE, care=care)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _luna(init_integration)["escape_people"] == ESCAPE["escape_people"]
