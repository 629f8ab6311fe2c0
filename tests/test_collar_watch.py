"""A collar that stops reporting: its sensor, one message each way, events, restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .collar import (
    EVENT_NOT_REPORTING,
    NOT_REPORTING,
    PIXEL,
    at,
    berlin,
    refresh,
    register_pixel,
    shown,
)
from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, setup_entry, tick

COLLAR = "device_tracker.buddy_collar"
NOT_ON_WATCH = {"source": None, "quiet_since": None, "reason": None}
NOT_REPORTING_TEXT = (
    "Buddy's collar is not reporting",
    "No new data from Buddy's collar since 19:00. Check the collar, its battery "
    "and its connection.",
)
AGAIN_TEXT = (
    "Buddy's collar reports again",
    "Buddy's collar is sending new data again.",
)


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Buddy on the device API only, notify.pixel, a refresh once an hour.

    No walk reminders: only the collar's messages reach notify.pixel.
    """
    return (
        entry_options
        | FAST
        | {
            CONF_DOGS: [dog_options(walk_interval_hours=0)],
            "notify_services": [PIXEL],
            "update_interval": 3600,
        }
    )


@pytest.fixture
async def received(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Return what notify.pixel got, in Berlin time."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    return register_pixel(hass)


def _watch(hass: HomeAssistant, entity_id: str = NOT_REPORTING) -> tuple[str, Any]:
    """Return the not-reporting sensor's state and its watch attributes."""
    state, attributes = shown(hass, entity_id)
    return state, {key: attributes[key] for key in NOT_ON_WATCH}


def _quiet(source: str, since: str, reason: str = "no_new_data") -> dict[str, str]:
    """Return the attributes of a collar quiet since ``since``."""
    return {"source": source, "quiet_since": since, "reason": reason}


def _with_options(entry: MockConfigEntry, **changes: Any) -> MockConfigEntry:
    """Return a copy of the entry with other options."""
    return MockConfigEntry(
        domain=DOMAIN, data=dict(entry.data), options=dict(entry.options) | changes
    )


async def test_frozen_collar_is_not_reporting_at_its_limit_by_itself(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """The device API answers with data of 19:00: on at 19:30 by a timer, then off."""
    device_api.reported_at["buddy"] = berlin(19)
    events = async_capture_events(hass, EVENT_NOT_REPORTING)
    await setup_entry(hass, mock_config_entry)
    assert _watch(hass) == ("off", NOT_ON_WATCH)
    requests = len(device_api.requests)
    await at(hass, freezer, berlin(19, 29, 59))
    assert _watch(hass) == ("off", NOT_ON_WATCH)
    await at(hass, freezer, berlin(19, 30))
    since = "2026-11-02T18:00:00+00:00"
    assert _watch(hass) == ("on", _quiet("device_api", since))
    # No refresh turned it on: the timer did.
    assert len(device_api.requests) == requests
    assert received == [NOT_REPORTING_TEXT]
    # Refreshes that bring the same old data say nothing more.
    await at(hass, freezer, berlin(21))
    assert len(device_api.requests) > requests
    assert received == [NOT_REPORTING_TEXT]
    del device_api.reported_at["buddy"]
    await refresh(hass)
    assert _watch(hass) == ("off", NOT_ON_WATCH)
    assert received == [NOT_REPORTING_TEXT, AGAIN_TEXT]
    assert [event.data for event in events] == [
        {"dog": "buddy", "not_reporting": True, "source": "device_api"}
        | {"quiet_since": since},
        {"dog": "buddy", "not_reporting": False, "source": "device_api"}
        | {"quiet_since": None},
    ]


@pytest.mark.parametrize("minutes", [5, 90, 1440])
async def test_each_dog_has_its_own_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
    minutes: int,
) -> None:
    """Buddy's limit is his option; Luna keeps the default of 30 minutes."""
    device_api.statuses["luna"] = device_api.statuses["buddy"] | {"dog_id": "luna"}
    for dog_id in ("buddy", "luna"):
        device_api.reported_at[dog_id] = berlin(19)
    dogs = [
        dog_options(not_reporting_minutes=minutes, walk_interval_hours=0),
        dog_options("luna", "Luna", walk_interval_hours=0),
    ]
    await setup_entry(hass, _with_options(mock_config_entry, **{CONF_DOGS: dogs}))
    limit = berlin(19) + timedelta(minutes=minutes)
    await at(hass, freezer, limit - timedelta(seconds=1))
    assert _watch(hass)[0] == "off"
    await at(hass, freezer, limit)
    assert _watch(hass)[0] == "on"
    luna = _watch(hass, "binary_sensor.luna_not_reporting")[0]
    assert luna == ("on" if minutes >= 30 else "off")
    assert len(received) == (2 if minutes >= 30 else 1)


async def test_unreachable_device_api_is_not_a_quiet_collar(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """While PawControl cannot reach the device API the sensor keeps its state."""
    device_api.reported_at["buddy"] = berlin(19)
    entry = _with_options(mock_config_entry, update_interval=15)
    await setup_entry(hass, entry)
    device_api.mode = Mode.ERROR_500
    await at(hass, freezer, berlin(19, 1))
    unreachable = {**NOT_ON_WATCH, "reason": "device_api_unreachable"}
    while dt_util.utcnow() < berlin(19, 31):
        await tick(hass, freezer, 60)
    assert _watch(hass) == ("off", unreachable)
    assert shown(hass, "binary_sensor.buddy_device_connection")[0] == "on"
    assert received == []
    # The API answers again, with the collar's data of 19:00.
    device_api.mode = Mode.HEALTHY
    for _ in range(3):
        await tick(hass, freezer, 60)
    since = "2026-11-02T18:00:00+00:00"
    assert _watch(hass) == ("on", _quiet("device_api", since))
    assert received == [NOT_REPORTING_TEXT]
    # Down again: still not reporting, now also unreachable; nothing is sent.
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer, 60)
    assert _watch(hass) == ("on", _quiet("device_api", since, "device_api_unreachable"))
    assert received == [NOT_REPORTING_TEXT]


@pytest.fixture
def tracker_entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return an entry without a device API: Buddy has only his collar's tracker."""
    dogs = [dog_options(gps_source=COLLAR, walk_interval_hours=0)]
    return MockConfigEntry(domain=DOMAIN, options=entry_options | {CONF_DOGS: dogs})


async def test_tracker_reports_by_changing_its_data(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tracker_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Only new data counts: not the same state again, not a tracker coming back."""
    collar_reports(hass)
    await setup_entry(hass, tracker_entry)
    await at(hass, freezer, berlin(19, 30))
    since = "2026-11-02T18:00:00+00:00"
    assert _watch(hass) == ("on", _quiet(COLLAR, since))
    same = {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8}
    hass.states.async_set(COLLAR, "home", same)
    hass.states.async_set(COLLAR, "unavailable")
    hass.states.async_set(COLLAR, "home", same)
    hass.states.async_remove(COLLAR)
    hass.states.async_set(COLLAR, "home", same | {"gps_accuracy": 9})
    await hass.async_block_till_done()
    assert _watch(hass) == ("on", _quiet(COLLAR, since))
    # While Home Assistant starts, trackers write their last state again.
    hass.set_state(CoreState.starting)
    hass.states.async_set(COLLAR, "home", same)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    await hass.async_block_till_done()
    assert _watch(hass) == ("on", _quiet(COLLAR, since))
    # Buddy moves: off at once, no refresh needed.
    hass.states.async_set(COLLAR, "not_home", same | {"latitude": 52.521})
    await hass.async_block_till_done()
    assert _watch(hass) == ("off", NOT_ON_WATCH)
    assert received == [
        (NOT_REPORTING_TEXT[0], NOT_REPORTING_TEXT[1]),
        AGAIN_TEXT,
    ]


async def test_quiet_hours_hold_the_message_and_an_answered_one_is_dropped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Quiet at night: back before morning sends nothing; still quiet sends it in German."""
    freezer.move_to(berlin(21, 50))
    device_api.reported_at["buddy"] = berlin(21, 50)
    entry = _with_options(
        mock_config_entry, quiet_hours_start="22:00:00", quiet_hours_end="07:00:00"
    )
    await setup_entry(hass, entry)
    hass.config.language = "de"
    notifications = entry.runtime_data.notifications
    await at(hass, freezer, berlin(22, 20))
    assert _watch(hass)[0] == "on"
    assert notifications.held == 1
    del device_api.reported_at["buddy"]
    await refresh(hass)
    assert _watch(hass)[0] == "off"
    assert notifications.held == 0
    # The collar stops again at 06:00 and is quiet when the quiet hours end.
    await at(hass, freezer, berlin(6, day=3))
    device_api.reported_at["buddy"] = berlin(6, day=3)
    await refresh(hass)
    await at(hass, freezer, berlin(6, 30, day=3))
    assert notifications.held == 1
    await at(hass, freezer, berlin(7, 0, 1, day=3))
    assert received == [
        (
            "Das Halsband von Buddy meldet sich nicht",
            "Seit 06:00 sind keine neuen Daten vom Halsband von Buddy gekommen. "
            "Prüfe das Halsband, seinen Akku und seine Verbindung.",
        )
    ]


async def test_answer_to_a_held_message_is_not_sent_either(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Told "not reporting" before the quiet hours: back and quiet again at night says nothing."""
    device_api.reported_at["buddy"] = berlin(21, 20)
    freezer.move_to(berlin(21, 20))
    entry = _with_options(
        mock_config_entry, quiet_hours_start="22:00:00", quiet_hours_end="07:00:00"
    )
    await setup_entry(hass, entry)
    await at(hass, freezer, berlin(21, 50))
    assert len(received) == 1
    del device_api.reported_at["buddy"]
    await at(hass, freezer, berlin(23))
    await refresh(hass)
    assert _watch(hass)[0] == "off"
    device_api.reported_at["buddy"] = berlin(23)
    await refresh(hass)
    await at(hass, freezer, berlin(23, 30))
    assert _watch(hass)[0] == "on"
    assert entry.runtime_data.notifications.held == 0
    await at(hass, freezer, berlin(7, 0, 1, day=3))
    assert received == [
        (
            NOT_REPORTING_TEXT[0],
            NOT_REPORTING_TEXT[1].replace("19:00", "21:20"),
        )
    ]
