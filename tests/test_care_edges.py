"""Dog care at the edges: long walks, clocks ahead, pruning, restarts, taps, names."""

from __future__ import annotations

from datetime import timedelta
import logging
import math
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification as pn
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.pawcontrol.care.walks import EARTH_RADIUS_M
from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import FAST, care_file, our_warnings, restarted, setup_entry

COLLAR = "device_tracker.buddy_collar"
START = (52.52, 13.405)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a care action for Buddy."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"dog": "buddy", **data},
        blocking=True,
        return_response=service == "end_walk",
    )


def _collar(hass: HomeAssistant, latitude: float, longitude: float = START[1]) -> None:
    """Let Buddy's collar report an accurate fix now."""
    hass.states.async_set(
        COLLAR,
        "not_home",
        {"latitude": latitude, "longitude": longitude, "gps_accuracy": 8},
    )


async def _later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Let time pass and run the timers due by then."""
    freezer.tick(delta)
    if (collar := hass.states.get(COLLAR)) is not None:
        hass.states.async_set(COLLAR, collar.state, collar.attributes)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Retry without waiting: the clock is frozen, and jumps by hours."""
    return entry_options | FAST


@pytest.fixture
async def entry(hass: HomeAssistant, entry_options: dict[str, Any]) -> MockConfigEntry:
    """Set up PawControl with Buddy on his collar (no device API)."""
    _collar(hass, *START)
    config_entry = MockConfigEntry(domain=DOMAIN, options=entry_options)
    await setup_entry(hass, config_entry)
    return config_entry


async def test_a_walk_longer_than_a_day_is_kept_across_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A walk forgotten until the next day is stored and read back, without repair."""
    await _call(hass, "start_walk")
    await _later(hass, freezer, timedelta(hours=30))
    summary = await _call(hass, "end_walk")
    assert summary["duration_s"] == 30 * 3600
    async with restarted(hass, entry) as (second, _entry, _events):
        assert float(_state(second, "sensor.buddy_last_walk_duration")) == 1800.0
        assert _state(second, "sensor.buddy_last_walk") != "unknown"
        assert (
            ir.async_get(second).async_get_issue(DOMAIN, "store_reset_pawcontrol.care")
            is None
        )
    # The restarted Home Assistant has no collar: only that may be warned about.
    assert [w for w in our_warnings(caplog) if "GPS source" not in w] == []


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("log_feeding", {"amount_g": 200, "meal": "dinner"}),
        ("log_weight", {"weight_kg": 21.5}),
    ],
)
async def test_records_in_the_future_are_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    service: str,
    data: dict[str, Any],
) -> None:
    """A time beyond a few minutes ahead is refused, translated; nothing is stored."""
    ahead = dt_util.now() + timedelta(hours=1)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, service, time=ahead.isoformat(), **data)
    assert caught.value.translation_key == "time_in_future"
    assert caught.value.translation_placeholders == {
        "dog_name": "Buddy",
        "minutes": "5",
    }
    old = dt_util.now() - timedelta(days=91)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, service, time=old.isoformat(), **data)
    assert caught.value.translation_key == "time_too_old"
    assert _state(hass, "sensor.buddy_meals_today") == "0"
    assert _state(hass, "sensor.buddy_weight") == "unknown"
    # A little clock skew is fine.
    await _call(hass, service, time=(dt_util.now() + timedelta(minutes=2)), **data)
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)
    dogs = hass_storage["pawcontrol.care"]["data"]["dogs"]["buddy"]
    assert len(dogs["feedings"]) + len(dogs["weights"]) == 1


async def test_a_meal_given_earlier_keeps_the_last_fed_right(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A meal logged for two hours ago does not become the last one."""
    await _call(hass, "log_feeding", amount_g=100, meal="lunch")
    last = _state(hass, "sensor.buddy_last_fed")
    earlier = dt_util.now() - timedelta(hours=2)
    await _call(hass, "log_feeding", amount_g=50, meal="snack", time=earlier)
    assert _state(hass, "sensor.buddy_last_fed") == last
    assert _state(hass, "sensor.buddy_food_today") in ("150", "100")


async def test_a_meal_stored_in_the_future_does_not_silence_the_reminder(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    entry_options: dict[str, Any],
) -> None:
    """A meal written while the clock ran ahead does not count as today's feeding."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-30T08:00:00+00:00")
    future = {"time": "2026-11-30T20:00:00+00:00", "amount_g": 100, "meal": "dinner"}
    hass_storage["pawcontrol.care"] = care_file(buddy={"feedings": [future]})
    options = entry_options | {
        CONF_DOGS: [dog_options(gps_source=COLLAR, feeding_times=["08:30"])]
    }
    _collar(hass, *START)
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=options))
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "off"
    await _later(hass, freezer, timedelta(minutes=31))
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "on"


async def test_the_latest_weighing_survives_pruning(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    entry_options: dict[str, Any],
) -> None:
    """The only weighing, 200 days old, stays; older meals and walks beyond it go."""
    old = dt_util.utcnow() - timedelta(days=200)
    older = old - timedelta(days=1)
    hass_storage["pawcontrol.care"] = care_file(
        buddy={
            "weights": [
                {"time": older.isoformat(), "weight_kg": 20.0},
                {"time": old.isoformat(), "weight_kg": 21.0},
            ]
        }
    )
    _collar(hass, *START)
    config_entry = MockConfigEntry(domain=DOMAIN, options=entry_options)
    await setup_entry(hass, config_entry)
    assert _state(hass, "sensor.buddy_weight") == "21.0"
    await _later(hass, freezer, timedelta(days=1))  # a day start prunes again
    assert _state(hass, "sensor.buddy_weight") == "21.0"
    await hass.config_entries.async_unload(config_entry.entry_id)
    weights = hass_storage["pawcontrol.care"]["data"]["dogs"]["buddy"]["weights"]
    assert weights == [{"time": old.isoformat(), "weight_kg": 21.0}]


async def test_an_automatic_walk_resumed_after_a_restart_ends_at_home(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """The resumed walk remembers that the dog left home, and ends when it is back."""
    home = (hass.config.latitude, hass.config.longitude)
    options = entry_options | {
        CONF_DOGS: [dog_options(gps_source=COLLAR, auto_walk=True)]
    }
    _collar(hass, home[0], home[1])
    config_entry = MockConfigEntry(domain=DOMAIN, options=options)
    await setup_entry(hass, config_entry)
    for step in (1, 2, 3):
        await _later(hass, freezer, timedelta(minutes=1))
        _collar(hass, home[0] + step * 0.003, home[1])
        await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "on"
    async with restarted(hass, config_entry) as (second, _entry, _events):
        assert _state(second, "binary_sensor.buddy_walk") == "on"
        freezer.tick(timedelta(minutes=1))
        second.states.async_set(
            COLLAR,
            "home",
            {"latitude": home[0], "longitude": home[1], "gps_accuracy": 8},
        )
        await second.async_block_till_done()
        assert _state(second, "binary_sensor.buddy_walk") == "off"
        assert _state(second, "sensor.buddy_walks_today") == "1"


async def test_one_walk_has_one_distance_also_after_a_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
) -> None:
    """131.46 m is 131 m in the answer, the sensors, and after a reload."""
    await _call(hass, "start_walk")
    await _later(hass, freezer, timedelta(minutes=1))
    _collar(hass, *START)
    await hass.async_block_till_done()
    step = math.degrees(131.46 / EARTH_RADIUS_M)
    await _later(hass, freezer, timedelta(minutes=1))
    _collar(hass, START[0] + step)
    await hass.async_block_till_done()
    summary = await _call(hass, "end_walk")
    assert summary["distance_m"] == 131
    assert _state(hass, "sensor.buddy_last_walk_distance") == "131"
    assert _state(hass, "sensor.buddy_walk_distance_today") == "131"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_last_walk_distance") == "131"
    assert _state(hass, "sensor.buddy_walk_distance_today") == "131"


def _big_file(path: str, size: int) -> None:
    """Write a JSON-looking file of ``size`` bytes."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("w", encoding="utf-8") as file:
        file.write('{"version": 1, "key": "pawcontrol.care", "data": {"x": "')
        file.write("x" * size)
        file.write('"}}')


async def test_an_oversized_care_file_is_set_aside_unread(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry_options: dict[str, Any],
) -> None:
    """A file larger than any real history is renamed and reported, not parsed."""
    path = hass.config.path(".storage", "pawcontrol.care")
    await hass.async_add_executor_job(_big_file, path, 17 * 1024 * 1024)
    # What the test storage would hand over if the file were parsed.
    hass_storage["pawcontrol.care"] = care_file(
        buddy={"weights": [{"time": "x", "weight_kg": 1}]}
    )
    _collar(hass, *START)
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=entry_options))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "care_history_set_aside")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["reason"] == "larger than 16 MB"
    kept = hass.config.path(".storage", issue.translation_placeholders["file"])
    assert await hass.async_add_executor_job(Path(kept).exists)
    assert not await hass.async_add_executor_job(Path(path).exists)
    await hass.async_add_executor_job(Path(kept).unlink)
    assert _state(hass, "sensor.buddy_meals_today") == "0"


def _follow_notifications(hass: HomeAssistant) -> dict[str, str]:
    """Return the persistent notifications (id: message), kept current."""
    shown: dict[str, str] = {}

    @callback
    def update(kind: pn.UpdateType, notifications: dict[str, Any]) -> None:
        for notification_id, notification in notifications.items():
            if kind is pn.UpdateType.REMOVED:
                shown.pop(notification_id, None)
            else:
                shown[notification_id] = notification["message"]

    pn.async_register_callback(hass, update)
    return shown


async def test_fallback_notifications_replace_each_other_and_go_when_fed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """Three feeding times without a target leave one notification; Fed dismisses it."""
    await hass.config.async_set_time_zone("UTC")
    shown = _follow_notifications(hass)
    freezer.move_to("2026-11-30T06:00:00+00:00")
    options = entry_options | {
        CONF_DOGS: [
            dog_options(
                gps_source=COLLAR,
                feeding_times=["07:00", "12:00", "18:00"],
                walk_interval_hours=0,
                # The collar repeats the same fix all day: no "not reporting" here.
                not_reporting_minutes=1440,
            )
        ]
    }
    _collar(hass, *START)
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=options))
    for hour in (7, 12, 18):
        freezer.move_to(f"2026-11-30T{hour:02d}:00:01+00:00")
        _collar(hass, *START)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert list(shown) == ["pawcontrol_feeding_buddy"]
    assert "18:00" in shown["pawcontrol_feeding_buddy"]
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.buddy_fed"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert shown == {}


async def test_fed_from_two_phones_and_replays_logs_one_meal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """300 arrivals of the same "Fed" action log one meal, which names its reminder."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-30T06:00:00+00:00")

    async def phone(call: Any) -> None:
        """Accept a message on the companion app."""

    hass.services.async_register("notify", "mobile_app_pixel_7", phone)
    options = entry_options | {
        CONF_DOGS: [dog_options(gps_source=COLLAR, feeding_times=["07:00"])],
        "notify_services": ["notify.mobile_app_pixel_7"],
    }
    _collar(hass, *START)
    config_entry = MockConfigEntry(domain=DOMAIN, options=options)
    await setup_entry(hass, config_entry)
    freezer.move_to("2026-11-30T07:00:01+00:00")
    _collar(hass, *START)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "on"
    caplog.set_level(logging.DEBUG, logger="custom_components.pawcontrol")
    action = {"action": f"PAWCONTROL_FED_{config_entry.entry_id}_buddy"}
    for _ in range(300):
        hass.bus.async_fire("mobile_app_notification_action", action)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    assert _state(hass, "binary_sensor.buddy_needs_feeding") == "off"
    assert "already fed for the reminder" in caplog.text
    await hass.config_entries.async_unload(config_entry.entry_id)
    [meal] = hass_storage["pawcontrol.care"]["data"]["dogs"]["buddy"]["feedings"]
    assert meal["reminder"] == "2026-11-30T07:00:00+00:00"
