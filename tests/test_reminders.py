"""Walk and feeding reminders: their sensors, one notification each, the actions."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import datetime
import logging
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import our_warnings, setup_entry

BERLIN = ZoneInfo("Europe/Berlin")
MOBILE = "notify.mobile_app_pixel_7"
PIXEL = "notify.pixel"
NEEDS_WALK = "binary_sensor.buddy_needs_walk"
NEEDS_FEEDING = "binary_sensor.buddy_needs_feeding"
ACTION_EVENT = "mobile_app_notification_action"


def _register(hass: HomeAssistant) -> dict[str, list[dict[str, Any]]]:
    """Register notify.pixel and a companion app's service; return what they got."""
    received: dict[str, list[dict[str, Any]]] = {PIXEL: [], MOBILE: []}
    for target, calls in received.items():

        async def handle(
            call: ServiceCall, calls: list[dict[str, Any]] = calls
        ) -> None:
            calls.append(dict(call.data))

        hass.services.async_register("notify", target.partition(".")[2], handle)
    return received


@pytest.fixture
def received(hass: HomeAssistant) -> dict[str, list[dict[str, Any]]]:
    """Return what notify.pixel and notify.mobile_app_pixel_7 received."""
    return _register(hass)


def _entry(
    entry_options: dict[str, Any],
    targets: tuple[str, ...] = (PIXEL,),
    quiet: tuple[str, str] | None = None,
    **care: Any,
) -> MockConfigEntry:
    """Return an entry with Buddy (no GPS source) and his care options."""
    options = entry_options | {
        CONF_DOGS: [dog_options(**care)],
        "notify_services": list(targets),
    }
    if quiet:
        options |= {"quiet_hours_start": quiet[0], "quiet_hours_end": quiet[1]}
    return MockConfigEntry(domain=DOMAIN, options=options)


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and let the timers due by then run."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _care_state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Return the state of Buddy's care entity with this key."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_dog_buddy_{key}"
    )
    assert entity_id is not None, key
    return _state(hass, entity_id)


async def _call(hass: HomeAssistant, service: str, **data: Any) -> None:
    """Call a PawControl care action for Buddy."""
    await hass.services.async_call(
        DOMAIN, service, {"dog": "buddy", **data}, blocking=True
    )


def _day(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Return a moment in Berlin, in late November 2026."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN)


async def test_needs_walk_turns_on_after_the_interval_and_off_with_a_walk(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Due exactly one interval after setup (no walk yet), then after each walk."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(_day(28, 8))
    await setup_entry(hass, _entry(entry_options, walk_interval_hours=2))
    assert _state(hass, NEEDS_WALK) == "off"
    await _at(hass, freezer, _day(28, 9, 59, 59))
    assert _state(hass, NEEDS_WALK) == "off"
    await _at(hass, freezer, _day(28, 10))
    assert _state(hass, NEEDS_WALK) == "on"
    await _call(hass, "start_walk")
    assert _state(hass, NEEDS_WALK) == "off"
    # During a walk the reminder never comes due, however long it takes.
    await _at(hass, freezer, _day(28, 12, 30))
    await _call(hass, "end_walk")
    assert _state(hass, NEEDS_WALK) == "off"
    await _at(hass, freezer, _day(28, 14, 29, 59))
    assert _state(hass, NEEDS_WALK) == "off"
    await _at(hass, freezer, _day(28, 14, 30))
    assert _state(hass, NEEDS_WALK) == "on"
    assert [(m["title"], m["message"]) for m in received[PIXEL]] == [
        ("Buddy needs a walk", "Buddy has not been out for a walk in 2 hours."),
    ] * 2


async def test_walk_interval_zero_turns_the_reminder_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """With a walk interval of 0 the dog never needs a walk and nothing is sent."""
    freezer.move_to(_day(25, 8))
    await setup_entry(hass, _entry(entry_options, walk_interval_hours=0))
    await _at(hass, freezer, _day(28, 8))
    assert _state(hass, NEEDS_WALK) == "off"
    assert _state(hass, NEEDS_FEEDING) == "off"
    assert received[PIXEL] == []


async def test_needs_feeding_from_feeding_time_until_a_meal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """On at a feeding time, off with a meal; an hour early counts; a missed dinner stays."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(_day(27, 6))
    entry = _entry(
        entry_options, walk_interval_hours=0, feeding_times=["07:00", "18:00"]
    )
    await setup_entry(hass, entry)
    assert _state(hass, NEEDS_FEEDING) == "off"
    await _at(hass, freezer, _day(27, 7))
    assert _state(hass, NEEDS_FEEDING) == "on"
    await _at(hass, freezer, _day(27, 7, 10))
    await _call(hass, "log_feeding", amount_g=150, meal="breakfast")
    assert _state(hass, NEEDS_FEEDING) == "off"
    await _at(hass, freezer, _day(27, 17, 30))
    await _call(hass, "log_feeding", amount_g=150, meal="dinner")
    await _at(hass, freezer, _day(27, 18))
    assert _state(hass, NEEDS_FEEDING) == "off"
    await _at(hass, freezer, _day(28, 7))
    assert _state(hass, NEEDS_FEEDING) == "on"
    await _at(hass, freezer, _day(28, 18))
    assert _state(hass, NEEDS_FEEDING) == "on"
    await _at(hass, freezer, _day(29, 0, 30))
    assert _state(hass, NEEDS_FEEDING) == "on"
    assert [m["message"] for m in received[PIXEL]] == [
        "No meal has been logged for Buddy's feeding time at 07:00.",
        "No meal has been logged for Buddy's feeding time at 07:00.",
        "No meal has been logged for Buddy's feeding time at 18:00.",
    ]
    assert received[PIXEL][0]["title"] == "Time to feed Buddy"


async def test_one_meal_counts_for_one_feeding_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """A meal belongs to the nearer feeding time; a snack long before dinner is no dinner."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(_day(28, 6))
    entry = _entry(
        entry_options, walk_interval_hours=0, feeding_times=["07:00", "07:30", "18:00"]
    )
    await setup_entry(hass, entry)
    await _at(hass, freezer, _day(28, 7, 5))
    await _call(hass, "log_feeding", amount_g=100, meal="breakfast")
    assert _state(hass, NEEDS_FEEDING) == "off"
    await _at(hass, freezer, _day(28, 7, 30))
    assert _state(hass, NEEDS_FEEDING) == "on"
    await _call(hass, "log_feeding", amount_g=100, meal="breakfast")
    await _at(hass, freezer, _day(28, 15))
    await _call(hass, "log_feeding", amount_g=20, meal="snack")
    await _at(hass, freezer, _day(28, 18))
    assert _state(hass, NEEDS_FEEDING) == "on"


async def test_reminder_is_sent_once_per_due_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Care changes, time and a reload never repeat a reminder; a new period does."""
    freezer.move_to("2026-11-28T08:00:00+00:00")
    entry = _entry(entry_options, walk_interval_hours=1)
    await setup_entry(hass, entry)
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T09:00:00+00:00"))
    assert len(received[PIXEL]) == 1
    await _call(hass, "log_weight", weight_kg=21.5)
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T13:00:00+00:00"))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, NEEDS_WALK) == "on"
    assert len(received[PIXEL]) == 1
    await _call(hass, "start_walk")
    await _call(hass, "end_walk")
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T14:00:00+00:00"))
    assert len(received[PIXEL]) == 2


async def test_quiet_hours_hold_a_reminder_and_withdraw_it_when_satisfied(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """A reminder in quiet hours waits for their end, unless the dog was fed by then."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(_day(27, 5))
    entry = _entry(
        entry_options,
        quiet=("22:00:00", "07:00:00"),
        walk_interval_hours=0,
        feeding_times=["06:30"],
    )
    await setup_entry(hass, entry)
    # German from here on: the entity ids stay English, the reminders are German.
    hass.config.language = "de"
    notifications = entry.runtime_data.notifications
    await _at(hass, freezer, _day(27, 6, 30))
    assert _state(hass, NEEDS_FEEDING) == "on"
    assert notifications.held == 1
    assert received[PIXEL] == []
    await _at(hass, freezer, _day(27, 7, 0, 1))
    assert [(m["title"], m["message"]) for m in received[PIXEL]] == [
        (
            "Zeit, Buddy zu füttern",
            "Für die Fütterungszeit von Buddy um 06:30 ist noch keine Mahlzeit "
            "eingetragen.",
        )
    ]
    await _at(hass, freezer, _day(28, 6, 30))
    assert notifications.held == 1
    await _at(hass, freezer, _day(28, 6, 45))
    await _call(hass, "log_feeding", amount_g=150, meal="breakfast")
    await hass.async_block_till_done()
    assert notifications.held == 0
    await _at(hass, freezer, _day(28, 7, 0, 1))
    assert len(received[PIXEL]) == 1


async def test_actions_only_for_mobile_apps_and_their_round_trip(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """The phone gets "Walk started" and "Fed"; pressing them starts a walk, logs a meal."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(_day(28, 6))
    entry = _entry(
        entry_options,
        targets=(PIXEL, MOBILE),
        walk_interval_hours=1,
        feeding_times=["06:30"],
        default_portion_g=180,
    )
    await setup_entry(hass, entry)
    await _at(hass, freezer, _day(28, 7))
    walk_action = f"PAWCONTROL_WALK_{entry.entry_id}_buddy"
    fed_action = f"PAWCONTROL_FED_{entry.entry_id}_buddy"
    by_title = {m["title"]: m for m in received[MOBILE]}
    assert by_title["Buddy needs a walk"]["data"] == {
        "actions": [{"action": walk_action, "title": "Walk started"}],
        "tag": "pawcontrol_walk_buddy",
    }
    assert by_title["Time to feed Buddy"]["data"] == {
        "actions": [{"action": fed_action, "title": "Fed"}],
        "tag": "pawcontrol_feeding_buddy",
    }
    assert len(received[PIXEL]) == 2
    assert all("data" not in m for m in received[PIXEL])

    hass.bus.async_fire(ACTION_EVENT, {"action": walk_action})
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "on"
    assert _state(hass, NEEDS_WALK) == "off"
    # Pressed again (a second phone): the walk goes on, nothing fails.
    hass.bus.async_fire(ACTION_EVENT, {"action": walk_action})
    await hass.async_block_till_done()
    assert _care_state(hass, entry, "walks_today") == "0"

    hass.bus.async_fire(ACTION_EVENT, {"action": fed_action})
    await hass.async_block_till_done()
    assert _care_state(hass, entry, "meals_today") == "1"
    assert _care_state(hass, entry, "food_today") == "180"
    assert _state(hass, NEEDS_FEEDING) == "off"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": None},
        {"action": 42},
        {"action": ["PAWCONTROL_WALK_{entry_id}_buddy"]},
        {"action": ""},
        {"action": "PAWCONTROL_WALK_"},
        {"action": "PAWCONTROL_WALK_{entry_id}_"},
        {"action": "PAWCONTROL_WALK_{entry_id}_rex"},
        {"action": "PAWCONTROL_WALK_{entry_id}_buddy\n"},
        {"action": "PAWCONTROL_WALK_{entry_id}_buddy_x"},
        {"action": "PAWCONTROL_WALK_01OTHERENTRY000000000000000_buddy"},
        {"action": "pawcontrol_walk_{entry_id}_buddy"},
        {"action": "PAWCONTROL_SIT_{entry_id}_buddy"},
        {"action": "PAWCONTROL_FED_{entry_id}_" + "buddy" * 10_000},
        {"action": "PAWCONTROL_FED_{entry_id}_../../buddy"},
    ],
)
async def test_hostile_actions_are_ignored(
    hass: HomeAssistant,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
    data: dict[str, Any],
) -> None:
    """Unknown entries, dogs and kinds, wrong types and huge strings change nothing."""
    entry = _entry(entry_options, targets=(MOBILE,))
    await setup_entry(hass, entry)
    caplog.set_level(logging.DEBUG, logger="custom_components.pawcontrol")
    action = data.get("action")
    if isinstance(action, str):
        data = {"action": action.replace("{entry_id}", entry.entry_id)}
    hass.bus.async_fire(ACTION_EVENT, data)
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.buddy_walk") == "off"
    assert _care_state(hass, entry, "meals_today") == "0"
    assert our_warnings(caplog) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@asynccontextmanager
async def _restarted(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> AsyncGenerator[tuple[HomeAssistant, dict[str, list[dict[str, Any]]]]]:
    """Stop ``hass`` and start a new one on the same storage, notify services first."""
    await hass.async_stop()
    async with async_test_home_assistant() as second:
        second.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        received = _register(second)
        entry = MockConfigEntry(
            domain=DOMAIN, data=dict(old_entry.data), options=dict(old_entry.options)
        )
        entry.add_to_hass(second)
        assert await second.config_entries.async_setup(entry.entry_id)
        await second.async_block_till_done()
        yield second, received
        assert await second.config_entries.async_unload(entry.entry_id)
        await second.async_stop(force=True)


async def test_sent_reminder_is_not_sent_again_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """The notified period is stored: after a restart the sensor is on, nothing is sent."""
    freezer.move_to("2026-11-28T08:00:00+00:00")
    entry = _entry(entry_options, walk_interval_hours=8)
    await setup_entry(hass, entry)
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T16:00:00+00:00"))
    assert len(received[PIXEL]) == 1
    freezer.move_to("2026-11-28T17:00:00+00:00")
    async with _restarted(hass, entry) as (second, second_received):
        assert _state(second, NEEDS_WALK) == "on"
        assert second_received[PIXEL] == []


async def test_restart_keeps_counting_from_the_first_setup(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Without any walk, the interval counts from when PawControl first saw the dog."""
    freezer.move_to("2026-11-28T08:00:00+00:00")
    entry = _entry(entry_options, walk_interval_hours=8)
    await setup_entry(hass, entry)
    freezer.move_to("2026-11-28T13:00:00+00:00")
    async with _restarted(hass, entry) as (second, second_received):
        assert _state(second, NEEDS_WALK) == "off"
        await _at(second, freezer, datetime.fromisoformat("2026-11-28T16:00:00+00:00"))
        assert _state(second, NEEDS_WALK) == "on"
        assert len(second_received[PIXEL]) == 1


async def test_unload_stops_the_reminders(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """After an unload no timer fires and no action is handled."""
    freezer.move_to("2026-11-28T08:00:00+00:00")
    entry = _entry(entry_options, targets=(MOBILE,), walk_interval_hours=1)
    await setup_entry(hass, entry)
    care = entry.runtime_data.care
    assert await hass.config_entries.async_unload(entry.entry_id)
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T10:00:00+00:00"))
    hass.bus.async_fire(
        ACTION_EVENT, {"action": f"PAWCONTROL_WALK_{entry.entry_id}_buddy"}
    )
    await hass.async_block_till_done()
    assert received[MOBILE] == []
    assert care.walks == {}


@pytest.mark.parametrize(
    ("stored", "reset"),
    [
        ({"dogs": {"buddy": {"since": "2999-01-01T00:00:00+00:00"}}}, False),
        ({"dogs": {"buddy": {"since": "yesterday", "sent": {"walk": 5}}}}, False),
        ({"dogs": {"buddy": ["since"]}}, False),
        (["not", "a", "state"], True),
    ],
)
async def test_unusable_stored_state_counts_from_now(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    hass_storage: dict[str, Any],
    stored: Any,
    reset: bool,
) -> None:
    """A future, broken or foreign stored state never silences or breaks a reminder."""
    hass_storage["pawcontrol.reminders"] = {
        "version": 1,
        "minor_version": 1,
        "key": "pawcontrol.reminders",
        "data": stored,
    }
    freezer.move_to("2026-11-28T08:00:00+00:00")
    await setup_entry(hass, _entry(entry_options, walk_interval_hours=1))
    await _at(hass, freezer, datetime.fromisoformat("2026-11-28T09:00:00+00:00"))
    assert _state(hass, NEEDS_WALK) == "on"
    assert len(received[PIXEL]) == 1
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, "store_reset_pawcontrol.reminders"
    )
    assert (issue is not None) is reset


async def test_held_reminder_keeps_its_actions_across_a_restart(
    hass: HomeAssistant,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    hass_storage: dict[str, Any],
) -> None:
    """A held reminder is stored with its actions; broken stored actions are dropped."""
    action = {"action": "PAWCONTROL_FED_x_buddy", "title": "Fed"}
    hass_storage["pawcontrol.held_notifications"] = {
        "version": 1,
        "minor_version": 1,
        "key": "pawcontrol.held_notifications",
        "data": [
            {"title": "Feed", "message": "a", "actions": [action], "tag": "t"},
            {"title": "Feed", "message": "b", "actions": "all of them", "tag": 5},
            {
                "title": "Feed",
                "message": "c",
                "actions": [{"action": "X" * 101, "title": "Fed"}, {"action": 1}],
            },
        ],
    }
    await setup_entry(hass, _entry(entry_options, targets=(MOBILE, PIXEL)))
    await hass.async_block_till_done()
    assert [(m["message"], m.get("data")) for m in received[MOBILE]] == [
        ("a", {"actions": [action], "tag": "t"}),
        ("b", None),
        ("c", None),
    ]
    assert [m["message"] for m in received[PIXEL]] == ["a", "b", "c"]
    assert all("data" not in m for m in received[PIXEL])
