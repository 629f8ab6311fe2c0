"""Dog care as the owner meets it: walks, meals, weights, their sensors and actions."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.pawcontrol.care.walks import Fix, haversine_m
from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOGS,
    DOMAIN,
)

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer
from .helpers import FAST, care_file, restarted, setup_entry, tick

START = (52.52, 13.405)
STEP = 0.001  # degrees of latitude, about 111 m


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Buddy follows device_tracker.buddy_collar; refresh every 15 s."""
    return entry_options | FAST


def _collar(
    hass: HomeAssistant, latitude: float, longitude: float, accuracy: float = 8
) -> None:
    """Let Buddy's collar report a fix now."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "not_home",
        {"latitude": latitude, "longitude": longitude, "gps_accuracy": accuracy},
    )


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a PawControl care action (with a response for end_walk)."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=service == "end_walk",
    )


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _walk_north(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, steps: int
) -> None:
    """Move the collar north one step a minute."""
    for step in range(1, steps + 1):
        freezer.tick(timedelta(minutes=1))
        _collar(hass, START[0] + step * STEP, START[1])
        await hass.async_block_till_done()


async def test_walk_counts_every_fix_of_the_tracker(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """A walk adds up the tracker's fixes as they arrive, then shows in the sensors."""
    ended = async_capture_events(hass, "pawcontrol_walk_ended")
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    await _call(hass, "start_walk", dog="buddy")
    assert _state(hass, "binary_sensor.buddy_walk") == "on"
    _collar(hass, *START)
    await _walk_north(hass, freezer, 3)
    expected = 3 * haversine_m(
        Fix(START[0], START[1], None, dt_util.utcnow()),
        Fix(START[0] + STEP, START[1], None, dt_util.utcnow()),
    )
    assert float(_state(hass, "sensor.buddy_walk_distance_today")) == round(expected)
    summary = await _call(hass, "end_walk", dog="buddy")
    assert summary["distance_m"] == round(expected)
    assert summary["duration_s"] == 180
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    assert _state(hass, "sensor.buddy_walks_today") == "1"
    assert float(_state(hass, "sensor.buddy_last_walk_distance")) == round(expected)
    assert float(_state(hass, "sensor.buddy_last_walk_duration")) == 3.0
    last_walk = dt_util.parse_datetime(_state(hass, "sensor.buddy_last_walk"))
    assert last_walk == dt_util.parse_datetime(summary["end"]).replace(microsecond=0)
    assert [event.data for event in ended] == [
        {
            "dog": "buddy",
            "start": summary["start"],
            "end": summary["end"],
            "duration": 180,
            "distance": round(expected),
            "duration_s": 180,
            "distance_m": round(expected),
            "automatic": False,
        }
    ]


async def test_inaccurate_fixes_and_jumps_are_dropped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """A fix worse than the accuracy limit, or faster than 50 km/h, adds nothing."""
    await _call(hass, "start_walk", dog="buddy")
    _collar(hass, *START)
    freezer.tick(timedelta(minutes=1))
    _collar(hass, START[0] + 10 * STEP, START[1], accuracy=500)  # inaccurate
    freezer.tick(timedelta(seconds=10))
    _collar(hass, START[0] + 10 * STEP, START[1])  # 1.1 km in 70 s: 57 km/h
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_walk_distance_today") == "0"
    await _walk_north(hass, freezer, 1)
    assert _state(hass, "sensor.buddy_walk_distance_today") == "111"


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("start_walk", {"dog": "rex"}, "unknown_dog_only"),
        ("end_walk", {"dog": "buddy"}, "no_walk_in_progress"),
        ("log_feeding", {"dog": "buddy", "amount_g": 0}, "invalid_amount"),
        ("log_feeding", {"dog": "buddy", "amount_g": 5001}, "invalid_amount"),
        ("log_feeding", {"dog": "buddy", "amount_g": 12.5}, "invalid_amount"),
        ("log_feeding", {"dog": "buddy", "amount_g": "lots"}, "invalid_amount"),
        ("log_feeding", {"dog": "buddy", "amount_g": "nan"}, "invalid_amount"),
        (
            "log_feeding",
            {"dog": "buddy", "amount_g": 100, "meal": "brunch"},
            "invalid_meal",
        ),
        ("log_weight", {"dog": "buddy", "weight_kg": 0.4}, "invalid_weight"),
        ("log_weight", {"dog": "buddy", "weight_kg": 121}, "invalid_weight"),
        ("log_weight", {"dog": "x" * 65, "weight_kg": 20}, "input_too_long"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each refusal is translated; no sensor changes and nothing is stored."""
    before = {s.entity_id: s.state for s in hass.states.async_all("sensor")}
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, service, **data)
    assert caught.value.translation_key == key
    assert caught.value.translation_domain == DOMAIN
    await hass.async_block_till_done()
    assert {s.entity_id: s.state for s in hass.states.async_all("sensor")} == before
    assert "pawcontrol.care" not in hass_storage


async def test_second_start_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """start_walk during a walk names the dog and keeps the walk."""
    await _call(hass, "start_walk", dog="buddy")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "start_walk", dog="buddy")
    assert caught.value.translation_key == "walk_in_progress"
    assert caught.value.translation_placeholders == {"dog_name": "Buddy"}
    assert _state(hass, "binary_sensor.buddy_walk") == "on"


async def test_fifty_feedings_at_once_are_all_stored(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
) -> None:
    """Concurrent calls never lose a record."""
    await asyncio.gather(
        *(
            _call(hass, "log_feeding", dog="buddy", amount_g=10, meal="snack")
            for _ in range(50)
        )
    )
    assert _state(hass, "sensor.buddy_meals_today") == "50"
    assert _state(hass, "sensor.buddy_food_today") == "500"
    await hass.config_entries.async_unload(init_integration.entry_id)
    stored = hass_storage["pawcontrol.care"]["data"]["dogs"]["buddy"]
    assert len(stored["feedings"]) == 50


@pytest.mark.freeze_time("2026-11-30T22:50:00+00:00")  # 23:50 in Berlin
async def test_meal_weight_and_day_counters_reset_at_local_midnight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Meals count for the local day; the weight stays."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await setup_entry(hass, mock_config_entry)
    await _call(hass, "log_feeding", dog="buddy", amount_g=250, meal="dinner")
    await _call(hass, "log_weight", dog="buddy", weight_kg=21.456)
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    assert _state(hass, "sensor.buddy_food_today") == "250"
    assert _state(hass, "sensor.buddy_last_fed") == dt_util.utcnow().isoformat()
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_meals_today") == "0"
    assert _state(hass, "sensor.buddy_food_today") == "0"
    assert _state(hass, "sensor.buddy_weight") == "21.46"


async def test_fed_button_logs_the_default_portion(
    hass: HomeAssistant, entry_options: dict[str, Any]
) -> None:
    """The button uses the dog's default portion; the walk buttons start and end."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [
                dog_options(
                    gps_source="device_tracker.buddy_collar", default_portion_g=180
                )
            ]
        },
    )
    await setup_entry(hass, entry)
    for button in ("fed", "start_walk", "end_walk"):
        await hass.services.async_call(
            "button", "press", {"entity_id": f"button.buddy_{button}"}, blocking=True
        )
    assert _state(hass, "sensor.buddy_food_today") == "180"
    assert _state(hass, "sensor.buddy_walks_today") == "1"
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.buddy_end_walk"}, blocking=True
        )
    assert caught.value.translation_key == "no_walk_in_progress"


async def test_history_and_walk_in_progress_survive_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """Meals, weight, finished walks and the walk in progress are there after a restart."""
    await _call(hass, "log_feeding", dog="buddy", amount_g=300, meal="breakfast")
    await _call(hass, "log_weight", dog="buddy", weight_kg=20)
    await _call(hass, "start_walk", dog="buddy")
    _collar(hass, *START)
    await _walk_north(hass, freezer, 2)
    async with restarted(hass, init_integration) as (second, _entry, _events):
        assert _state(second, "sensor.buddy_food_today") == "300"
        assert _state(second, "sensor.buddy_weight") == "20.0"
        assert _state(second, "binary_sensor.buddy_walk") == "on"
        assert _state(second, "sensor.buddy_walk_distance_today") == "222"


async def test_unreadable_history_is_set_aside(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
) -> None:
    """A history that is not one is renamed, reported, and PawControl starts empty."""
    path = hass.config.path(".storage", "pawcontrol.care")
    await hass.async_add_executor_job(_write, path, "garbage")
    hass_storage["pawcontrol.care"] = {"version": 1, "key": "x", "data": ["garbage"]}
    await setup_entry(hass, mock_config_entry)
    assert _state(hass, "sensor.buddy_meals_today") == "0"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "care_history_set_aside")
    assert issue is not None
    kept = issue.translation_placeholders["file"]
    assert kept.startswith("pawcontrol.care.corrupt-")
    assert (
        await hass.async_add_executor_job(_read, hass.config.path(".storage", kept))
        == "garbage"
    )


def _write(path: str, text: str) -> None:
    """Write a file, creating its folder."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def _read(path: str) -> str:
    """Read a file."""
    return Path(path).read_text(encoding="utf-8")


async def test_damaged_records_are_dropped_and_the_rest_kept(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
) -> None:
    """Invalid or too old records go (with one repair); valid ones stay."""
    now = dt_util.utcnow()
    hass_storage["pawcontrol.care"] = care_file(
        buddy={
            "feedings": [
                {"time": now.isoformat(), "amount_g": 120, "meal": "breakfast"},
                {"time": now.isoformat(), "amount_g": -5, "meal": "breakfast"},
                {"time": "yesterday", "amount_g": 100, "meal": "lunch"},
                {"time": now.isoformat(), "amount_g": 100, "meal": "brunch"},
                {
                    "time": (now - timedelta(days=91)).isoformat(),
                    "amount_g": 100,
                    "meal": "lunch",
                },
            ],
            "weights": [{"time": now.isoformat(), "weight_kg": float("inf")}],
            "walks": "not a list",
            "active_walk": {"start": now.isoformat(), "distance_m": -1},
        },
        rex={"feedings": []},
    )
    await setup_entry(hass, mock_config_entry)
    assert _state(hass, "sensor.buddy_food_today") == "120"
    assert _state(hass, "sensor.buddy_weight") == "unknown"
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "store_reset_pawcontrol.care")
    assert issue is not None
    assert issue.translation_placeholders["reason"] == "6 invalid records"
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    # Removed dogs' histories are not kept; neither is the 91 days old meal.
    dogs = hass_storage["pawcontrol.care"]["data"]["dogs"]
    assert list(dogs) == ["buddy"]
    assert len(dogs["buddy"]["feedings"]) == 1


async def test_automatic_walk_leaves_and_returns_home(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """With automatic walks on, leaving the home zone starts a walk, coming back ends it."""
    home = (hass.config.latitude, hass.config.longitude)
    _collar(hass, *home)
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [
                dog_options(gps_source="device_tracker.buddy_collar", auto_walk=True)
            ]
        },
    )
    await setup_entry(hass, entry)
    ended = async_capture_events(hass, "pawcontrol_walk_ended")
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    for step in (1, 2, 3, 2, 1):
        freezer.tick(timedelta(minutes=2))
        _collar(hass, home[0] + step * 3 * STEP, home[1])
        await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "on"
    freezer.tick(timedelta(minutes=2))
    _collar(hass, *home)
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    assert len(ended) == 1
    assert ended[0].data["automatic"] is True
    assert ended[0].data["duration_s"] == 600
    # From the first fix outside the zone: 5 steps of about 333 m.
    assert 1600 < ended[0].data["distance_m"] < 1700
    assert "latitude" not in str(ended[0].data)


async def test_walk_counts_device_api_fixes_on_each_refresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    entry_options: dict[str, Any],
) -> None:
    """A dog without a tracker entity walks with the collar's reports."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN},
        options=entry_options | {CONF_DOGS: [dog_options()]},
    )
    await setup_entry(hass, entry)
    await _call(hass, "start_walk", dog="buddy")
    for step in range(4):
        location = {"latitude": START[0] + step * STEP, "longitude": START[1]}
        device_api.statuses["buddy"]["location"] = location | {"accuracy": 5}
        await tick(hass, freezer)
    assert _state(hass, "sensor.buddy_walk_distance_today") == "334"
