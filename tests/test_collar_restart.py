"""A collar that stops reporting, across restarts: restored, right at once, said once."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .collar import (
    EVENT_NOT_REPORTING,
    NOT_REPORTING,
    PIXEL,
    WATCH_STORE,
    at,
    berlin,
    register_pixel,
    restarted,
    shown,
)
from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import FAST, collar_reports, setup_entry

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


@pytest.fixture
def tracker_entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return an entry without a device API: Buddy has only his collar's tracker."""
    dogs = [dog_options(gps_source=COLLAR, walk_interval_hours=0)]
    return MockConfigEntry(domain=DOMAIN, options=entry_options | {CONF_DOGS: dogs})


async def test_not_reporting_is_not_announced_again_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """On before and after the restart: no second message, no second event."""
    device_api.reported_at["buddy"] = berlin(19)
    await setup_entry(hass, mock_config_entry)
    await at(hass, freezer, berlin(19, 30))
    assert received == [NOT_REPORTING_TEXT]
    freezer.move_to(berlin(19, 40))
    async with restarted(hass, mock_config_entry, events=(EVENT_NOT_REPORTING,)) as (
        second,
        second_received,
        fired,
    ):
        since = "2026-11-02T18:00:00+00:00"
        assert _watch(second) == ("on", _quiet("device_api", since))
        await at(second, freezer, berlin(21))
        assert second_received == []
        assert fired == []


async def test_restored_report_is_right_at_once_and_times_the_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tracker_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """After a restart the last report counts: off at once, on at 19:30 as before."""
    collar_reports(hass)
    await setup_entry(hass, tracker_entry)
    freezer.move_to(berlin(19, 10))
    async with restarted(hass, tracker_entry) as (second, second_received, _):
        # The tracker has not written its state yet after the restart.
        assert second.states.get(COLLAR) is None
        assert _watch(second) == ("off", NOT_ON_WATCH)
        await at(second, freezer, berlin(19, 29, 59))
        assert _watch(second) == ("off", NOT_ON_WATCH)
        await at(second, freezer, berlin(19, 30))
        assert _watch(second) == ("on", _quiet(COLLAR, "2026-11-02T18:00:00+00:00"))
        assert second_received == [NOT_REPORTING_TEXT]


async def test_collar_back_during_a_restart_is_announced_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Not reporting before the restart, reporting after it: one "reports again"."""
    device_api.reported_at["buddy"] = berlin(19)
    await setup_entry(hass, mock_config_entry)
    await at(hass, freezer, berlin(19, 30))
    del device_api.reported_at["buddy"]
    freezer.move_to(berlin(20))
    async with restarted(hass, mock_config_entry, events=(EVENT_NOT_REPORTING,)) as (
        second,
        second_received,
        fired,
    ):
        assert _watch(second) == ("off", NOT_ON_WATCH)
        assert second_received == [AGAIN_TEXT]
        assert [event.data["not_reporting"] for event in fired] == [False]


@pytest.mark.parametrize(
    ("stored", "reset"),
    [
        (
            {
                "dogs": {
                    "buddy": {
                        "report": {"at": "2999-01-01T00:00:00+00:00", "source": "x"},
                        "not_reporting": True,
                        "battery_low": True,
                    }
                }
            },
            False,
        ),
        (
            {
                "dogs": {
                    "buddy": {
                        "report": {"at": "2026-11-02T17:00:00", "source": "x" * 256},
                        "not_reporting": "yes",
                    }
                }
            },
            False,
        ),
        ({"dogs": {"buddy": {"report": {"at": "yesterday", "source": "x"}}}}, False),
        ({"dogs": {"buddy": {"report": {"at": 5, "source": "x"}}}}, False),
        ({"dogs": {"buddy": {"report": ["at"], "not_reporting": True}}}, False),
        ({"dogs": {"buddy": ["report"]}}, False),
        (["not", "a", "state"], True),
    ],
)
async def test_unusable_stored_state_starts_afresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    received: list[tuple[str, str]],
    stored: Any,
    reset: bool,
) -> None:
    """A future, broken or foreign stored state neither silences nor fakes a message."""
    hass_storage[WATCH_STORE] = {
        "version": 1,
        "minor_version": 1,
        "key": WATCH_STORE,
        "data": stored,
    }
    await setup_entry(hass, mock_config_entry)
    assert _watch(hass) == ("off", NOT_ON_WATCH)
    assert shown(hass, "binary_sensor.buddy_battery_low")[0] == "off"
    await hass.async_block_till_done()
    assert received == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"store_reset_{WATCH_STORE}")
    assert (issue is not None) is reset
