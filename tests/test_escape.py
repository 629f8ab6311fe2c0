"""The escape alert: a dog that leaves home alone, its repeats, actions and restarts."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.components import persistent_notification as pn
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.pawcontrol.const import CONF_DOGS, CONF_GPS_SOURCE, DOMAIN

from .conftest import dog_options
from .helpers import FAST, our_warnings, setup_entry

COLLAR = "device_tracker.buddy_collar"
PIXEL = "notify.pixel"
MOBILE = "notify.mobile_app_pixel_7"
WALK = "binary_sensor.buddy_walk"
LEFT = "pawcontrol_dog_left_home"
ACTION_EVENT = "mobile_app_notification_action"
NOTE = "pawcontrol_escape_buddy"  # the alert's persistent notification
STEP = 0.001  # degrees of latitude, about 111 m
TITLE = "Buddy left home alone"


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


def _collar(
    hass: HomeAssistant, north: float = 0, accuracy: float = 8, east: float = 0
) -> None:
    """Let Buddy's collar report a fix ``north`` and ``east`` steps from home."""
    hass.states.async_set(
        COLLAR,
        "home" if north == 0 and east == 0 else "not_home",
        {
            "latitude": hass.config.latitude + north * STEP,
            "longitude": hass.config.longitude + east * STEP,
            "gps_accuracy": accuracy,
        },
    )


def _options(entry_options: dict[str, Any], **dog: Any) -> dict[str, Any]:
    """Return options with Buddy (on his collar) and quiet hours all day long."""
    buddy = dog_options(**{CONF_GPS_SOURCE: COLLAR, "escape_alert": True, **dog})
    return (
        entry_options
        | FAST
        | {
            CONF_DOGS: [buddy],
            "notify_services": [PIXEL, MOBILE],
            "quiet_hours_start": "00:00:00",
            "quiet_hours_end": "23:59:00",
        }
    )


async def _start(
    hass: HomeAssistant, entry_options: dict[str, Any], **dog: Any
) -> MockConfigEntry:
    """Set up PawControl with Buddy at home and Anna and Ben at home."""
    hass.states.async_set("person.anna", "home")
    hass.states.async_set("person.ben", "home")
    _collar(hass)
    entry = MockConfigEntry(domain=DOMAIN, options=_options(entry_options, **dog))
    await setup_entry(hass, entry)
    return entry


async def _move(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, north: float, **fix: Any
) -> None:
    """Let a minute pass and the collar report a fix."""
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    _collar(hass, north, **fix)
    await hass.async_block_till_done()


async def _wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let time pass and the timers due by then run."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _alerts(received: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    """Return the escape alerts notify.pixel got, as title and text."""
    return [(m["title"], m["message"]) for m in received[PIXEL] if m["title"] == TITLE]


def _tap(hass: HomeAssistant, entry: MockConfigEntry, word: str) -> None:
    """Tap an action of Buddy's escape alert on the phone."""
    action = f"PAWCONTROL_ESCAPE_{word}_{entry.entry_id}_buddy"
    hass.bus.async_fire(ACTION_EVENT, {"action": action})


def _follow(hass: HomeAssistant) -> dict[str, str]:
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


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _left_at(events: list[Event]) -> list[tuple[str, bool]]:
    """Return when each departure happened and whether it was an escape."""
    return [(e.data["left_at"], e.data["escape"]) for e in events]


async def test_dog_that_leaves_alone_gets_an_alert_until_acknowledged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """An emergency alert during quiet hours, repeated until "I have the dog"."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = await _start(
        hass, entry_options, escape_people=["person.anna", "person.ben"]
    )
    notes = _follow(hass)
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 5)
    left_at = dt_util.utcnow()
    assert [e.data for e in left] == [
        {
            "dog": "buddy",
            "dog_name": "Buddy",
            "left_at": left_at.isoformat(),
            "escape": True,
        }
    ]
    text = "Buddy left home at 19:01 and no walk was started."
    assert _alerts(received) == [(TITLE, text)]
    assert received[MOBILE][0]["data"]["actions"] == [
        {
            "action": f"PAWCONTROL_ESCAPE_WALK_{entry.entry_id}_buddy",
            "title": "Walk started",
        },
        {
            "action": f"PAWCONTROL_ESCAPE_ACK_{entry.entry_id}_buddy",
            "title": "I have the dog",
        },
    ]
    assert notes.get(NOTE) == text
    # The walk it went on is not an automatic one, and no place is told anywhere.
    assert _state(hass, WALK) == "off"
    assert "lat" not in str(received) + str(left[0].data)
    await _move(hass, freezer, 7)
    await _wait(hass, freezer, 3.9)
    assert len(_alerts(received)) == 1
    await _wait(hass, freezer, 0.1)
    assert _alerts(received) == [(TITLE, text)] * 2
    await _wait(hass, freezer, 5)
    assert len(_alerts(received)) == 3
    _tap(hass, entry, "ACK")
    await hass.async_block_till_done()
    assert notes.get(NOTE) is None
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 3
    assert _state(hass, WALK) == "off"
    assert len(left) == 1


async def test_walk_started_turns_the_escape_into_a_walk_from_when_it_left(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Tapped after a while, the walk starts when the dog left; no more repeats."""
    entry = await _start(hass, entry_options, escape_repeat_minutes=2)
    notes = _follow(hass)
    ended = async_capture_events(hass, "pawcontrol_walk_ended")
    await _move(hass, freezer, 5)
    await _wait(hass, freezer, 3)
    assert len(_alerts(received)) == 2
    _tap(hass, entry, "WALK")
    await hass.async_block_till_done()
    assert _state(hass, WALK) == "on"
    assert notes.get(NOTE) is None
    # A second phone taps too: still one walk.
    _tap(hass, entry, "WALK")
    await hass.async_block_till_done()
    await _wait(hass, freezer, 10)
    assert len(_alerts(received)) == 2
    await hass.services.async_call(DOMAIN, "end_walk", {"dog": "buddy"}, blocking=True)
    assert ended[0].data["duration_s"] == 13 * 60
    assert ended[0].data["automatic"] is False


async def test_a_walk_started_first_means_no_escape(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """A walk in progress: leaving home is no escape, the event says so."""
    await _start(hass, entry_options, escape_people=["person.anna"])
    left = async_capture_events(hass, LEFT)
    await hass.services.async_call(
        DOMAIN, "start_walk", {"dog": "buddy"}, blocking=True
    )
    await _move(hass, freezer, 5)
    await _wait(hass, freezer, 30)
    assert _left_at(left) == [(left[0].data["left_at"], False)]
    assert _alerts(received) == []


async def test_automatic_walk_with_a_person_away_is_no_escape(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Someone of the household is out: the automatic walk wins."""
    await _start(
        hass,
        entry_options,
        auto_walk=True,
        escape_people=["person.anna", "person.ben"],
    )
    hass.states.async_set("person.ben", "not_home")
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 5)
    assert _state(hass, WALK) == "on"
    assert [e.data["escape"] for e in left] == [False]
    await _wait(hass, freezer, 30)
    assert _alerts(received) == []


async def test_escape_with_everyone_home_starts_no_automatic_walk(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Everyone home: no automatic walk, the alert; "Walk started" makes the walk."""
    entry = await _start(
        hass, entry_options, auto_walk=True, escape_people=["person.anna"]
    )
    ended = async_capture_events(hass, "pawcontrol_walk_ended")
    await _move(hass, freezer, 5)
    await _move(hass, freezer, 8)
    assert _state(hass, WALK) == "off"
    assert len(_alerts(received)) == 1
    _tap(hass, entry, "WALK")
    await hass.async_block_till_done()
    assert _state(hass, WALK) == "on"
    await _move(hass, freezer, 6)
    await _move(hass, freezer, 0)
    # The automatic walk's end: home again.
    assert _state(hass, WALK) == "off"
    assert ended[0].data["duration_s"] == 3 * 60
    assert ended[0].data["automatic"] is False
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 1


async def test_a_tracker_glitch_is_no_escape(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """An inaccurate fix, a jump or a fix on the zone's edge, then home: nothing."""
    await _start(hass, entry_options, gps_accuracy_limit=50)
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 10, accuracy=400)
    # 5 km in a minute: faster than any dog.
    await _move(hass, freezer, 45)
    # 120 m from the centre of a 100 m zone, give or take 30 m.
    await _move(hass, freezer, 1.1, accuracy=30)
    await _move(hass, freezer, 0)
    await _wait(hass, freezer, 30)
    assert left == []
    assert _alerts(received) == []
    assert received[PIXEL] == []


async def test_a_first_fix_outside_is_no_departure(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Never seen at home: where it left from is unknown, so nothing is sent."""
    hass.states.async_set(COLLAR, "unknown")
    entry = MockConfigEntry(domain=DOMAIN, options=_options(entry_options))
    await setup_entry(hass, entry)
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 5)
    await _move(hass, freezer, 6)
    assert left == []
    await _move(hass, freezer, 0)
    await _move(hass, freezer, 5)
    assert [e.data["escape"] for e in left] == [True]


async def test_back_home_or_in_a_safe_zone_ends_the_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """The garden is safe: in it the dog is home; leaving it alerts, back stops it."""
    hass.states.async_set(
        "zone.garden",
        "0",
        {
            "latitude": hass.config.latitude + 3 * STEP,
            "longitude": hass.config.longitude,
            "radius": 150,
        },
    )
    await _start(hass, entry_options, escape_safe_zones=["zone.garden"])
    notes = _follow(hass)
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 2)
    await _move(hass, freezer, 4)
    assert left == []
    await _move(hass, freezer, 9)
    assert len(_alerts(received)) == 1
    assert notes.get(NOTE) is not None
    await _move(hass, freezer, 3)
    assert notes.get(NOTE) is None
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 1
    # Out again: a new departure, a new alert.
    await _move(hass, freezer, 9)
    assert [e.data["escape"] for e in left] == [True, True]
    assert len(_alerts(received)) == 2


async def test_without_the_option_only_the_event_fires(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """The escape alert is off by default; automations still get the event."""
    await _start(hass, entry_options, escape_alert=None)
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 5)
    await _wait(hass, freezer, 30)
    assert [e.data["escape"] for e in left] == [True]
    assert received[PIXEL] == []


async def test_a_person_away_means_no_escape(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Ben is out, perhaps with the dog: no alert; a removed person does not count."""
    await _start(hass, entry_options, escape_people=["person.ben", "person.gone"])
    hass.states.async_set("person.ben", "not_home")
    left = async_capture_events(hass, LEFT)
    await _move(hass, freezer, 5)
    await _move(hass, freezer, 0)
    hass.states.async_set("person.ben", "home")
    await _move(hass, freezer, 5)
    assert [e.data["escape"] for e in left] == [False, True]
    assert len(_alerts(received)) == 1


@asynccontextmanager
async def _restarted(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> AsyncGenerator[tuple[HomeAssistant, dict[str, list[dict[str, Any]]], list[Event]]]:
    """Stop ``hass`` and start another on the same storage, Buddy still out."""
    await hass.async_stop()
    async with async_test_home_assistant() as second:
        second.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        received = _register(second)
        assert await async_setup_component(second, "zone", {})
        second.states.async_set("person.anna", "home")
        _collar(second, 5)
        left = async_capture_events(second, LEFT)
        entry = MockConfigEntry(
            domain=DOMAIN, data=dict(old_entry.data), options=dict(old_entry.options)
        )
        entry.add_to_hass(second)
        assert await second.config_entries.async_setup(entry.entry_id)
        await second.async_block_till_done()
        yield second, received, left
        assert await second.config_entries.async_unload(entry.entry_id)
        await second.async_stop(force=True)


async def test_an_alert_goes_on_after_a_restart_without_starting_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Not sent again at the start, repeated on time, answered after the restart."""
    entry = await _start(hass, entry_options)
    await _move(hass, freezer, 5)
    sent = dt_util.utcnow()
    assert len(_alerts(received)) == 1
    await _wait(hass, freezer, 2)
    async with _restarted(hass, entry) as (second, again, left):
        await second.async_block_till_done()
        assert _alerts(again) == []
        assert left == []
        freezer.move_to(sent + timedelta(minutes=5))
        async_fire_time_changed(second)
        await second.async_block_till_done()
        assert len(_alerts(again)) == 1
        _tap(second, second.config_entries.async_entries(DOMAIN)[0], "ACK")
        await second.async_block_till_done()
        await _wait(second, freezer, 30)
        assert len(_alerts(again)) == 1


async def test_an_answered_alert_stays_answered_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Acknowledged, then restarted: nothing; home and out again: a new alert."""
    entry = await _start(
        hass, entry_options, auto_walk=True, escape_people=["person.anna"]
    )
    await _move(hass, freezer, 5)
    _tap(hass, entry, "ACK")
    await hass.async_block_till_done()
    async with _restarted(hass, entry) as (second, again, left):
        await _wait(second, freezer, 30)
        assert _alerts(again) == []
        # Still out: the acknowledged escape starts no automatic walk.
        await _move(second, freezer, 6)
        assert _state(second, WALK) == "off"
        await _move(second, freezer, 0)
        await _move(second, freezer, 5)
        assert [e.data["escape"] for e in left] == [True]
        assert len(_alerts(again)) == 1


@pytest.mark.parametrize(
    "stored",
    [
        [],
        {"dogs": []},
        {"dogs": {"buddy": "out"}},
        {"dogs": {"buddy": {"place": "moon", "outing": {"left": "yesterday"}}}},
        {"dogs": {"buddy": {"place": "inside", "outing": {"left": 5, "escape": True}}}},
        {"dogs": {"buddy": {"outing": {"left": "2099-01-01T00:00:00+00:00"}}}},
        {"dogs": {"buddy": {"outing": {"left": "2026-11-02T17:00:00", "escape": 1}}}},
    ],
)
async def test_an_unusable_stored_state_starts_afresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    hass_storage: dict[str, Any],
    stored: Any,
) -> None:
    """Broken stored state: no alert out of nowhere, departures still count."""
    hass_storage["pawcontrol.escape"] = {
        "version": 1,
        "key": "pawcontrol.escape",
        "data": stored,
    }
    await _start(hass, entry_options)
    left = async_capture_events(hass, LEFT)
    await _wait(hass, freezer, 30)
    assert received[PIXEL] == []
    await _move(hass, freezer, 0)
    await _move(hass, freezer, 5)
    assert [e.data["escape"] for e in left] == [True]


async def test_actions_without_an_alert_change_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A tap on an old alert, another entry's or an unknown dog's: ignored."""
    entry = await _start(hass, entry_options)
    for action in (
        f"PAWCONTROL_ESCAPE_WALK_{entry.entry_id}_buddy",
        f"PAWCONTROL_ESCAPE_WALK_{entry.entry_id}_rex",
        "PAWCONTROL_ESCAPE_WALK_other_buddy",
        "PAWCONTROL_ESCAPE_" + "X" * 200,
        42,
    ):
        hass.bus.async_fire(ACTION_EVENT, {"action": action})
    await hass.async_block_till_done()
    assert _state(hass, WALK) == "off"
    assert our_warnings(caplog) == []


async def test_a_walk_started_another_way_stops_the_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """The start_walk action during the alert: no more repeats, walk from now."""
    entry = await _start(hass, entry_options)
    notes = _follow(hass)
    await _move(hass, freezer, 5)
    await hass.services.async_call(
        DOMAIN, "start_walk", {"dog": "buddy"}, blocking=True
    )
    await hass.async_block_till_done()
    assert notes.get(NOTE) is None
    # "Walk started" after that: the walk goes on as it is.
    _tap(hass, entry, "WALK")
    await hass.async_block_till_done()
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 1
    assert _state(hass, WALK) == "on"


async def test_turning_the_option_off_ends_a_running_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Saved with the escape alert off (a reload), the alert repeats no more."""
    entry = await _start(hass, entry_options)
    await _move(hass, freezer, 5)
    assert len(_alerts(received)) == 1
    dog = entry.options[CONF_DOGS][0] | {"escape_alert": False}
    hass.config_entries.async_update_entry(
        entry, options=entry.options | {CONF_DOGS: [dog]}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 1


async def test_turning_the_option_off_in_the_form_ends_a_running_alert(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: dict[str, list[dict[str, Any]]],
) -> None:
    """Edited in the options (applied without a reload): the alert ends at once."""
    entry = await _start(hass, entry_options)
    notes = _follow(hass)
    await _move(hass, freezer, 5)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    for step in ({"next_step_id": "edit_dog"}, {"dog_id": "buddy"}):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], step
        )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "name": "Buddy",
            CONF_GPS_SOURCE: COLLAR,
            "gps_max_age": 600,
            "gps_accuracy_limit": 100,
            "care": {},
            "escape": {"escape_alert": False},
        },
    )
    await hass.async_block_till_done()
    assert entry.runtime_data.dogs["buddy"].escape.enabled is False
    assert notes.get(NOTE) is None
    await _wait(hass, freezer, 30)
    assert len(_alerts(received)) == 1
