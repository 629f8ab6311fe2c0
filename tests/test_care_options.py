"""A dog's care in the options flow: the Care section, its checks, and its effect."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.pawcontrol.const import (
    CONF_AUTO_WALK,
    CONF_COLD_AVOID,
    CONF_DEFAULT_PORTION,
    CONF_DOGS,
    CONF_FEEDING_TIMES,
    CONF_HEAT_AVOID,
    CONF_HEAT_CAUTION,
    CONF_WALK_INTERVAL,
    CONF_WEATHER_ENTITY,
    DEFAULT_CARE,
    DEFAULT_WATCH,
    DOMAIN,
)

from .conftest import dog_options
from .helpers import collar_reports, setup_entry, shown_errors
from .platforms import async_setup_test_platforms

TRANSLATIONS = (
    Path(__file__).parents[1] / "custom_components" / "pawcontrol" / "translations"
)
CARE_KEYS = [
    CONF_AUTO_WALK,
    CONF_DEFAULT_PORTION,
    CONF_WALK_INTERVAL,
    CONF_FEEDING_TIMES,
    CONF_HEAT_CAUTION,
    CONF_HEAT_AVOID,
    CONF_COLD_AVOID,
]
SHOWN_DEFAULTS = {**DEFAULT_CARE, CONF_FEEDING_TIMES: []}
BERLIN = ZoneInfo("Europe/Berlin")
COLLAR = "device_tracker.buddy_collar"


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


async def _frontend_form(
    client: TestClient, entry: MockConfigEntry, step: str, dog_id: str = "buddy"
) -> dict[str, Any]:
    """Open the add form or a dog's edit form as the frontend does."""
    menu = await _post(client, "", {"handler": entry.entry_id})
    path = f"/{menu['flow_id']}"
    form: dict[str, Any] = await _post(client, path, {"next_step_id": step})
    if step == "edit_dog":
        form = await _post(client, path, {"dog_id": dog_id})
    return form


def _care_part(form: dict[str, Any]) -> dict[str, Any]:
    """Return the serialized care section of a form."""
    [care] = [field for field in form["data_schema"] if field["name"] == "care"]
    return care


def _shown_care(form: dict[str, Any]) -> dict[str, Any]:
    """Return the values the frontend fills the care fields with."""
    shown = {}
    for field in _care_part(form)["schema"]:
        suggested = field.get("description", {}).get("suggested_value")
        shown[field["name"]] = field.get("default") if suggested is None else suggested
    return shown


def _sent(schema: vol.Schema) -> dict[str, Any]:
    """Return what the frontend sends for an untouched form: suggestions, defaults."""
    values: dict[str, Any] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            values[str(key)] = _sent(value.schema)
        elif (suggested := (key.description or {}).get("suggested_value")) is not None:
            values[str(key)] = suggested
        elif key.default is not vol.UNDEFINED:
            values[str(key)] = key.default()
    return values


async def _open_dog(hass: HomeAssistant, entry: MockConfigEntry, dog_id: str) -> Any:
    """Open a dog's edit form through the options menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "edit_dog"}
    )
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"dog_id": dog_id}
    )


async def _open_add(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Open the form that adds a dog."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_dog"}
    )


async def _submit(hass: HomeAssistant, form: Any, **care: Any) -> Any:
    """Submit a shown form with these care values changed; let the reload finish."""
    values = _sent(form["data_schema"])
    values["care"] |= care
    result = await hass.config_entries.options.async_configure(form["flow_id"], values)
    await hass.async_block_till_done()
    return result


async def _edit_care(hass: HomeAssistant, entry: MockConfigEntry, **care: Any) -> None:
    """Change Buddy's care in the options flow and save."""
    result = await _submit(hass, await _open_dog(hass, entry, "buddy"), **care)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    assert entry.state is ConfigEntryState.LOADED


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


# What the user sees.


@pytest.mark.parametrize("step", ["add_dog", "edit_dog"])
async def test_dog_forms_have_a_collapsed_care_section(
    init_integration: MockConfigEntry, client: TestClient, step: str
) -> None:
    """Adding or editing a dog offers Care, collapsed, after the GPS fields."""
    form = await _frontend_form(client, init_integration, step)
    assert [field["name"] for field in form["data_schema"]][-2:] == ["care", "collar"]
    care = _care_part(form)
    assert care["type"] == "expandable"
    assert care["expanded"] is False
    assert [field["name"] for field in care["schema"]] == CARE_KEYS
    assert _shown_care(form) == SHOWN_DEFAULTS
    selectors = {field["name"]: field["selector"] for field in care["schema"]}
    assert selectors[CONF_AUTO_WALK] == {"boolean": {}}
    assert selectors[CONF_FEEDING_TIMES] == {
        "text": {"type": "time", "multiple": True, "multiline": False}
    }
    number = {
        name: selectors[name]["number"] for name in CARE_KEYS[1:3] + CARE_KEYS[4:]
    }
    assert {
        name: (n["min"], n["max"], n["unit_of_measurement"])
        for name, n in number.items()
    } == {
        CONF_DEFAULT_PORTION: (1, 5000, "g"),
        CONF_WALK_INTERVAL: (0, 72, "h"),
        CONF_HEAT_CAUTION: (-50, 60, "°C"),
        CONF_HEAT_AVOID: (-50, 60, "°C"),
        CONF_COLD_AVOID: (-60, 40, "°C"),
    }
    assert all(n["mode"] == "box" for n in number.values())


async def test_edit_form_shows_the_care_in_effect(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, client: TestClient
) -> None:
    """The form shows each dog's stored care; a missing or broken option its default."""
    luna = dog_options(
        "luna",
        "Luna",
        **{
            CONF_AUTO_WALK: True,
            CONF_DEFAULT_PORTION: 350,
            CONF_WALK_INTERVAL: 0,
            CONF_FEEDING_TIMES: ["18:00:00", "07:30:00"],
            CONF_HEAT_CAUTION: 23.5,
            CONF_HEAT_AVOID: 28,
            CONF_COLD_AVOID: -5,
        },
    )
    rex = dog_options(
        "rex", "Rex", **{CONF_HEAT_CAUTION: "hot", CONF_WALK_INTERVAL: 99}
    )
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options | {CONF_DOGS: [dog_options(), luna, rex]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    shown = _shown_care(
        await _frontend_form(client, mock_config_entry, "edit_dog", "luna")
    )
    assert shown == {
        CONF_AUTO_WALK: True,
        CONF_DEFAULT_PORTION: 350,
        CONF_WALK_INTERVAL: 0,
        # Hours and minutes, in order: what the time pickers show.
        CONF_FEEDING_TIMES: ["07:30", "18:00"],
        CONF_HEAT_CAUTION: 23.5,
        CONF_HEAT_AVOID: 28,
        CONF_COLD_AVOID: -5,
    }
    # An entry from before care options: every default.
    buddy = await _frontend_form(client, mock_config_entry, "edit_dog", "buddy")
    assert _shown_care(buddy) == SHOWN_DEFAULTS
    rex_form = await _frontend_form(client, mock_config_entry, "edit_dog", "rex")
    assert _shown_care(rex_form) == SHOWN_DEFAULTS


@pytest.mark.parametrize("language", ["en", "de"])
def test_care_fields_have_labels_and_plain_descriptions(language: str) -> None:
    """Each care field has a label and one line of plain words, in both forms."""
    strings = json.loads((TRANSLATIONS / f"{language}.json").read_text())["options"]
    for step in ("add_dog", "edit_dog_details"):
        care = strings["step"][step]["sections"]["care"]
        assert care["name"]
        assert list(care["data"]) == CARE_KEYS
        assert list(care["data_description"]) == CARE_KEYS
        for text in care["data_description"].values():
            assert "\n" not in text
            assert len(text) < 160, text
    assert (
        strings["step"]["add_dog"]["sections"]
        == strings["step"]["edit_dog_details"]["sections"]
    )


async def test_care_descriptions_read_in_english(hass: HomeAssistant) -> None:
    """The section's title and the texts a dog owner reads, as the frontend shows them."""
    strings = await async_get_translations(hass, "en", "options", [DOMAIN])
    prefix = f"component.{DOMAIN}.options.step.edit_dog_details.sections.care"
    assert strings[f"{prefix}.name"] == "Care"
    assert strings[f"{prefix}.data.{CONF_DEFAULT_PORTION}"] == "Default portion"
    description = strings[f"{prefix}.data_description.{CONF_FEEDING_TIMES}"]
    assert description.format(max_feeding_times="6") == (
        "When the dog gets a meal, up to 6 times a day; you are reminded when no"
        " meal was logged around that time."
    )
    assert strings[f"{prefix}.data_description.{CONF_WALK_INTERVAL}"].endswith(
        "0 turns the reminder off."
    )


# What is stored.


async def test_added_dog_stores_its_care_flat(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The care options sit in the dog's dict under their keys; times are cleaned."""
    form = await _open_add(hass, init_integration)
    form_values = _sent(form["data_schema"]) | {"name": "Luna"}
    form_values["care"] |= {
        CONF_AUTO_WALK: True,
        CONF_DEFAULT_PORTION: 180,
        CONF_WALK_INTERVAL: 6.5,
        CONF_FEEDING_TIMES: ["18:00", "", "07:30", "07:30:40", "7:30", " 12:15 "],
        CONF_HEAT_CAUTION: 27.5,
        CONF_HEAT_AVOID: 32.0,
        CONF_COLD_AVOID: -5.0,
    }
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], form_values
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "care" not in init_integration.options
    assert init_integration.options[CONF_DOGS][1] == dog_options(
        "luna",
        "Luna",
        **{
            CONF_AUTO_WALK: True,
            CONF_DEFAULT_PORTION: 180,
            CONF_WALK_INTERVAL: 6.5,
            # Sorted, without duplicates; reminders count whole minutes.
            CONF_FEEDING_TIMES: ["07:30:00", "12:15:00", "18:00:00"],
            CONF_HEAT_CAUTION: 27.5,
            CONF_HEAT_AVOID: 32,
            CONF_COLD_AVOID: -5,
            **DEFAULT_WATCH,
        },
    )
    stored = init_integration.options[CONF_DOGS][1]
    assert isinstance(stored[CONF_HEAT_AVOID], int)
    assert init_integration.state is ConfigEntryState.LOADED


async def test_untouched_section_stores_the_defaults(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A dog added without opening Care gets the documented defaults."""
    form = await _open_add(hass, init_integration)
    values = _sent(form["data_schema"]) | {"name": "Luna"}
    result = await hass.config_entries.options.async_configure(form["flow_id"], values)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    luna = init_integration.options[CONF_DOGS][1]
    assert {key: luna[key] for key in CARE_KEYS} == SHOWN_DEFAULTS


async def test_editing_keeps_the_care_and_the_other_dogs(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Saving the edit form unchanged keeps the care shown; only Buddy changes."""
    await _edit_care(hass, init_integration, **{CONF_FEEDING_TIMES: ["08:00"]})
    before = init_integration.options[CONF_DOGS][0]
    await _edit_care(hass, init_integration)
    assert init_integration.options[CONF_DOGS] == [before]
    assert before[CONF_FEEDING_TIMES] == ["08:00:00"]


# What is refused, and how it is shown.

WALK_RANGE = (
    "Care, walk reminder: enter a number from 0 to 72 h, "
    "in steps of 0.5 h (such as 1.5 or 8)."
)


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        (CONF_DEFAULT_PORTION, 0, "Care, default portion: enter a whole number from 1 to 5000 g."),
        (CONF_DEFAULT_PORTION, 5001, "Care, default portion: enter a whole number from 1 to 5000 g."),
        (CONF_DEFAULT_PORTION, 12.5, "Care, default portion: enter a whole number from 1 to 5000 g."),
        (CONF_DEFAULT_PORTION, "nan", "Care, default portion: enter a whole number from 1 to 5000 g."),
        (CONF_WALK_INTERVAL, -1, WALK_RANGE),
        (CONF_WALK_INTERVAL, 72.5, WALK_RANGE),
        (CONF_WALK_INTERVAL, "inf", WALK_RANGE),
        (CONF_WALK_INTERVAL, 0.3, WALK_RANGE),
        (CONF_WALK_INTERVAL, 7.75, WALK_RANGE),
        (CONF_HEAT_CAUTION, 61, "Care, caution above: enter a number from -50 to 60 °C."),
        (CONF_HEAT_AVOID, -51, "Care, avoid walks above: enter a number from -50 to 60 °C."),
        (CONF_COLD_AVOID, 41, "Care, avoid walks below: enter a number from -60 to 40 °C."),
        (CONF_COLD_AVOID, True, "Care, avoid walks below: enter a number from -60 to 40 °C."),
    ],
)  # fmt: skip
async def test_out_of_range_care_is_refused_with_its_range(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient,
    key: str,
    value: Any,
    text: str,
) -> None:
    """The error names the field and its range; the section opens with the input kept."""
    options = dict(init_integration.options)
    form = await _frontend_form(client, init_integration, "edit_dog")
    given = {"name": "Buddy", "gps_source": COLLAR, "gps_max_age": 600}
    given |= {"gps_accuracy_limit": 100, "care": {**_shown_care(form), key: value}}
    given["collar"] = {}
    result = await _post(client, f"/{form['flow_id']}", given)
    assert result["errors"] == {"care": f"range_{key}"}
    assert await shown_errors(hass, result, "options") == [text]
    assert _care_part(result)["expanded"] is True
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert _shown_care(result)[key] == value
    assert init_integration.options == options
    given["care"][key] = SHOWN_DEFAULTS[key]
    result = await _post(client, f"/{form['flow_id']}", given)
    assert result["type"] == "create_entry"
    # The save reloads PawControl: let it finish before the test ends.
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("care", "error", "text"),
    [
        (
            {CONF_HEAT_CAUTION: 31},
            "heat_caution_above_avoid",
            "Care: “Caution above” must not be higher than “Avoid walks above”.",
        ),
        (
            {CONF_COLD_AVOID: 25},
            "cold_avoid_not_below_caution",
            "Care: “Avoid walks below” must be lower than “Caution above”.",
        ),
        (
            {CONF_FEEDING_TIMES: ["07:30", "breakfast"]},
            "invalid_feeding_time",
            "Care, feeding times: enter each time as hours and minutes, such as 07:30.",
        ),
        (
            {CONF_FEEDING_TIMES: ["24:00"]},
            "invalid_feeding_time",
            "Care, feeding times: enter each time as hours and minutes, such as 07:30.",
        ),
        (
            {CONF_FEEDING_TIMES: [f"{hour:02}:00" for hour in range(6, 20, 2)]},
            "too_many_feeding_times",
            "Care, feeding times: enter at most 6 different times.",
        ),
    ],
)
async def test_contradicting_care_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    care: dict[str, Any],
    error: str,
    text: str,
) -> None:
    """Heat limits out of order, unreadable or too many feeding times: nothing saved."""
    options = dict(init_integration.options)
    form = await _open_dog(hass, init_integration, "buddy")
    result = await _submit(hass, form, **care)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"care": error}
    assert await shown_errors(hass, result, "options") == [text]
    assert init_integration.options == options


@pytest.mark.parametrize(
    "care",
    [
        {CONF_HEAT_CAUTION: 30, CONF_HEAT_AVOID: 30},
        {CONF_COLD_AVOID: 24.9},
        {CONF_WALK_INTERVAL: 0},
        {CONF_FEEDING_TIMES: ["07:00", "07:00:30", *[f"{h}:00" for h in range(9, 14)]]},
    ],
)
async def test_limits_at_their_edges_are_accepted(
    hass: HomeAssistant, init_integration: MockConfigEntry, care: dict[str, Any]
) -> None:
    """Equal heat limits, cold just below caution, reminder off, six distinct times."""
    await _edit_care(hass, init_integration, **care)
    buddy = init_integration.options[CONF_DOGS][0]
    assert len(buddy[CONF_FEEDING_TIMES]) <= 6
    for key, value in care.items():
        if key != CONF_FEEDING_TIMES:
            assert buddy[key] == value


async def test_gps_and_care_errors_together(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The care section names its range; the GPS field gets the general text."""
    form = await _open_dog(hass, init_integration, "buddy")
    values = _sent(form["data_schema"]) | {"gps_max_age": 10}
    values["care"] |= {CONF_DEFAULT_PORTION: 0}
    result = await hass.config_entries.options.async_configure(form["flow_id"], values)
    assert result["errors"] == {
        "care": "range_default_portion_g",
        "gps_max_age": "invalid_number",
    }
    assert await shown_errors(hass, result, "options") == [
        "Care, default portion: enter a whole number from 1 to 5000 g.",
        "Enter a number within the allowed range of this field. Fields without"
        " decimals take whole numbers only.",
    ]


async def test_name_error_keeps_the_care_collapsed_and_filled(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: TestClient
) -> None:
    """An error outside Care leaves the section closed, with what was typed in it."""
    form = await _frontend_form(client, init_integration, "add_dog")
    care = _shown_care(form) | {CONF_DEFAULT_PORTION: 90, CONF_AUTO_WALK: True}
    given = {"name": "", "care": care, "collar": {}}
    result = await _post(client, f"/{form['flow_id']}", given)
    assert result["errors"] == {"name": "invalid_name"}
    assert _care_part(result)["expanded"] is False
    assert _shown_care(result) == care


# What the saved care does.


async def test_fed_button_logs_the_new_default_portion(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """After saving 350 g, pressing Fed adds 350 g to food today."""
    await _edit_care(hass, init_integration, **{CONF_DEFAULT_PORTION: 350})
    assert _state(hass, "sensor.buddy_food_today") == "0"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.buddy_fed"}, blocking=True
    )
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_food_today") == "350"
    assert _state(hass, "sensor.buddy_meals_today") == "1"


async def test_automatic_walks_switched_on_in_the_form(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Once switched on, leaving the home zone starts a walk and coming back ends it."""
    home = (hass.config.latitude, hass.config.longitude)

    def collar(latitude: float) -> None:
        hass.states.async_set(
            COLLAR,
            "not_home",
            {"latitude": latitude, "longitude": home[1], "gps_accuracy": 8},
        )

    collar(home[0])
    await hass.async_block_till_done()
    await _edit_care(hass, init_integration, **{CONF_AUTO_WALK: True})
    for step in (1, 2, 3):
        collar(home[0] + step * 0.003)
        await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "on"
    collar(home[0])
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    assert _state(hass, "sensor.buddy_walks_today") == "1"


async def test_automatic_walks_stay_off_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without the option, leaving home starts nothing."""
    home = (hass.config.latitude, hass.config.longitude)
    for step in (0, 1, 2, 3):
        hass.states.async_set(
            COLLAR,
            "not_home",
            {"latitude": home[0] + step * 0.003, "longitude": home[1]},
        )
        await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "off"


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and let the timers due by then run."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.parametrize(("hours", "due"), [(2, "on"), (0, "off")])
async def test_walk_reminder_interval_from_the_form(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    hours: float,
    due: str,
) -> None:
    """A walk is due after the saved interval; 0 turns the reminder off."""
    # UTC arithmetic: two hours later, also across a change of daylight saving.
    start = dt_util.utcnow()
    await _edit_care(hass, init_integration, **{CONF_WALK_INTERVAL: hours})
    await _at(hass, freezer, start + timedelta(hours=1, minutes=59))
    assert _state(hass, "binary_sensor.buddy_needs_walk") == "off"
    await _at(hass, freezer, start + timedelta(hours=2, seconds=1))
    assert _state(hass, "binary_sensor.buddy_needs_walk") == due
    await _at(hass, freezer, start + timedelta(hours=80))
    assert _state(hass, "binary_sensor.buddy_needs_walk") == due


async def test_feeding_times_from_the_form(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """A feeding time picked in the form makes the dog need feeding until fed."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(datetime(2026, 11, 28, 8, 0, tzinfo=BERLIN))
    # Only the collar: no device API whose requests would wait on the frozen clock.
    entry = MockConfigEntry(domain=DOMAIN, options=entry_options)
    collar_reports(hass)
    await setup_entry(hass, entry)
    await _edit_care(hass, entry, **{CONF_FEEDING_TIMES: ["09:00"]})
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "off"
    await _at(hass, freezer, datetime(2026, 11, 28, 9, 0, 1, tzinfo=BERLIN))
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "on"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.buddy_fed"}, blocking=True
    )
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "off"


async def test_heat_limits_from_the_form_change_the_advice(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """At 27 °C the default limits advise caution; raised limits say good."""
    weather = (await async_setup_test_platforms(hass)).weather

    async def no_forecast() -> list[Any]:
        return []

    weather.async_forecast_hourly = no_forecast  # type: ignore[method-assign]
    weather._attr_native_temperature = 27.0
    weather.async_write_ha_state()
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options | {CONF_WEATHER_ENTITY: "weather.garden"},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    advice = hass.states.get("sensor.buddy_walk_advice")
    assert advice is not None
    assert (advice.state, advice.attributes["reason"]) == ("caution", "heat")
    await _edit_care(
        hass, mock_config_entry, **{CONF_HEAT_CAUTION: 28, CONF_HEAT_AVOID: 32}
    )
    advice = hass.states.get("sensor.buddy_walk_advice")
    assert advice is not None
    assert (advice.state, advice.attributes["reason"]) == ("good", "none")
    await _edit_care(
        hass, mock_config_entry, **{CONF_HEAT_CAUTION: 20, CONF_HEAT_AVOID: 26}
    )
    advice = hass.states.get("sensor.buddy_walk_advice")
    assert advice is not None
    assert (advice.state, advice.attributes["reason"]) == ("avoid", "heat")
