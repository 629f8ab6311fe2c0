"""A low collar battery: one message per discharge, charging, restarts."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .collar import (
    BATTERY_LOW,
    CHARGING,
    EVENT_BATTERY_LOW,
    PIXEL,
    at,
    berlin,
    register_pixel,
    restarted,
    shown,
)
from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import FAST, setup_entry, tick

COLLAR = "device_tracker.buddy_collar"


def _low(battery: int) -> tuple[str, str]:
    """Return the message of a low battery."""
    return (
        "Buddy's collar battery is low",
        f"The battery of Buddy's collar is at {battery} %. Charge it soon.",
    )


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Buddy on the device API only, notify.pixel, a refresh every 15 s."""
    return (
        entry_options
        | FAST
        | {
            CONF_DOGS: [dog_options(walk_interval_hours=0)],
            "notify_services": [PIXEL],
        }
    )


@pytest.fixture
def received(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Return what notify.pixel got."""
    return register_pixel(hass)


async def _report(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    **status: Any,
) -> None:
    """Let Buddy's collar report these values at the next refresh."""
    device_api.statuses["buddy"] |= status
    await tick(hass, freezer)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    return shown(hass, entity_id)[0]


async def test_one_message_per_discharge_with_a_margin(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Below 20 % once; hovering at the limit says nothing; low again after 30 %."""
    events = async_capture_events(hass, EVENT_BATTERY_LOW)
    await setup_entry(hass, mock_config_entry)
    assert _state(hass, BATTERY_LOW) == "off"
    for level, state, sent in [
        (21, "off", 0),
        (20, "off", 0),
        (19, "on", 1),
        (21, "on", 1),
        (19, "on", 1),
        (29, "on", 1),
        (30, "off", 1),
        (25, "off", 1),
        (18, "on", 2),
    ]:
        await _report(hass, freezer, device_api, battery=level)
        assert (_state(hass, BATTERY_LOW), len(received)) == (state, sent), level
    assert received == [_low(19), _low(18)]
    assert [event.data for event in events] == [
        {"dog": "buddy", "battery": 19, "limit": 20},
        {"dog": "buddy", "battery": 18, "limit": 20},
    ]


async def test_charging_rearms_and_is_shown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Charging ends the low battery; unplugged while still low, it is low again."""
    await setup_entry(hass, mock_config_entry)
    assert _state(hass, CHARGING) == "off"
    await _report(hass, freezer, device_api, battery=15)
    assert _state(hass, BATTERY_LOW) == "on"
    await _report(hass, freezer, device_api, battery=15, charging=True)
    assert (_state(hass, BATTERY_LOW), _state(hass, CHARGING)) == ("off", "on")
    await _report(hass, freezer, device_api, battery=16, charging=False)
    assert (_state(hass, BATTERY_LOW), _state(hass, CHARGING)) == ("on", "off")
    # The collar stops saying whether it charges: unknown, not "not charging".
    device_api.statuses["buddy"].pop("charging")
    await tick(hass, freezer)
    assert _state(hass, CHARGING) == "unknown"
    assert received == [_low(15), _low(16)]


async def test_limit_is_the_dogs_option(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """With a limit of 50 % the battery is low at 49 %; the event names the limit."""
    events = async_capture_events(hass, EVENT_BATTERY_LOW)
    dogs = [dog_options(battery_low_percent=50, walk_interval_hours=0)]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options=mock_config_entry.options | {CONF_DOGS: dogs}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await _report(hass, freezer, device_api, battery=50)
    assert _state(hass, BATTERY_LOW) == "off"
    await _report(hass, freezer, device_api, battery=49)
    assert _state(hass, BATTERY_LOW) == "on"
    assert received == [_low(49)]
    assert events[0].data == {"dog": "buddy", "battery": 49, "limit": 50}


async def test_low_battery_is_not_announced_again_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Low before and after a restart: still on, no second message or event."""
    await setup_entry(hass, mock_config_entry)
    await _report(hass, freezer, device_api, battery=19)
    assert received == [_low(19)]
    await _report(hass, freezer, device_api, battery=22)
    async with restarted(hass, mock_config_entry, events=(EVENT_BATTERY_LOW,)) as (
        second,
        second_received,
        fired,
    ):
        assert _state(second, BATTERY_LOW) == "on"
        await tick(second, freezer)
        assert (second_received, fired) == ([], [])
        # Charged during the restart... and low again: that is news.
        device_api.statuses["buddy"] |= {"battery": 35}
        await tick(second, freezer)
        assert _state(second, BATTERY_LOW) == "off"
        device_api.statuses["buddy"] |= {"battery": 19}
        await tick(second, freezer)
        assert second_received == [_low(19)]
        assert len(fired) == 1


async def test_charged_before_quiet_hours_end_is_never_sent(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Low at night waits for the morning; charged before then, it is withdrawn."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(berlin(23))
    mock_config_entry.add_to_hass(hass)
    # The night passes without a refresh: no "not reporting" in the morning.
    dogs = [dog_options(walk_interval_hours=0, not_reporting_minutes=1440)]
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options
        | {CONF_DOGS: dogs}
        | {"quiet_hours_start": "22:00:00", "quiet_hours_end": "07:00:00"},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    notifications = mock_config_entry.runtime_data.notifications
    await _report(hass, freezer, device_api, battery=12)
    assert notifications.held == 1
    await _report(hass, freezer, device_api, charging=True)
    assert notifications.held == 0
    await at(hass, freezer, berlin(7, 0, 1, day=3))
    assert received == []


async def test_charging_sensor_appears_when_the_source_first_says(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """No charging sensor until the collar says whether it charges; then it stays."""
    device_api.statuses["buddy"].pop("charging")
    await setup_entry(hass, mock_config_entry)
    assert hass.states.get(CHARGING) is None
    await _report(hass, freezer, device_api, charging=True)
    assert _state(hass, CHARGING) == "on"
    entry = entity_registry.async_get(CHARGING)
    assert entry is not None
    assert entry.unique_id == f"{mock_config_entry.entry_id}_dog_buddy_charging"
    # The collar says nothing about charging any more: after a reload (the same
    # code path as a restart) the sensor stays, unknown.
    device_api.statuses["buddy"].pop("charging")
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, CHARGING) == "unknown"
    assert hass.states.get(f"{CHARGING}_2") is None


async def test_tracker_battery_and_charging(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: list[tuple[str, str]],
) -> None:
    """Without a device API the tracker's battery_level and battery_charging count."""
    dogs = [dog_options(gps_source=COLLAR, walk_interval_hours=0)]
    fix = {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8}
    hass.states.async_set(COLLAR, "home", fix | {"battery_level": 40})
    entry = MockConfigEntry(domain=DOMAIN, options=entry_options | {CONF_DOGS: dogs})
    await setup_entry(hass, entry)
    # The tracker never said whether it charges.
    assert hass.states.get(CHARGING) is None
    hass.states.async_set(
        COLLAR, "home", fix | {"battery_level": 10, "battery_charging": False}
    )
    await tick(hass, freezer)
    assert (_state(hass, BATTERY_LOW), _state(hass, CHARGING)) == ("on", "off")
    assert received == [_low(10)]
    hass.states.async_set(
        COLLAR, "home", fix | {"battery_level": 11, "battery_charging": True}
    )
    await hass.async_block_till_done()
    # Charging shows with the tracker's change, before any refresh, and ends
    # the low battery.
    assert (_state(hass, BATTERY_LOW), _state(hass, CHARGING)) == ("off", "on")
    assert received == [_low(10)]


async def test_unknown_battery_is_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """A collar that reports no battery level has no battery state; low stays low."""
    device_api.statuses["buddy"]["battery"] = None
    await setup_entry(hass, mock_config_entry)
    assert _state(hass, BATTERY_LOW) == "unknown"
    await _report(hass, freezer, device_api, battery=10)
    assert _state(hass, BATTERY_LOW) == "on"
    await _report(hass, freezer, device_api, battery=None)
    assert _state(hass, BATTERY_LOW) == "on"
    assert received == [_low(10)]
