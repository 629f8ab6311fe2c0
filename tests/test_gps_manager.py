"""Dog locations from tracker entities: retry, refresh, validation, last known location."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN
from custom_components.pawcontrol.device_tracker import TRACKER_BATTERY_DEPRECATED

from .conftest import dog_options
from .helpers import FAST, get_statistics, our_warnings, setup_entry, tick
from .platforms import async_setup_test_platforms

TRACKER = "device_tracker.buddy"
MANUAL = "device_tracker.manual"


@pytest.fixture
def gps_source() -> str:
    """Return Buddy's GPS source."""
    return MANUAL


@pytest.fixture
def gps_entry(entry_options: dict[str, Any], gps_source: str) -> MockConfigEntry:
    """Return an entry without device API whose dog follows a tracker entity."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="PawControl",
        data={},
        options=entry_options
        | {
            CONF_DOGS: [dog_options(gps_source=gps_source)],
            **FAST,
        },
    )


def _manual(hass: HomeAssistant, state: str = "not_home", **attributes: Any) -> None:
    """Set the hand-made tracker's state."""
    hass.states.async_set(
        MANUAL,
        state,
        {"latitude": 48.1, "longitude": 11.5, "gps_accuracy": 12, "battery_level": 55}
        | attributes,
    )


async def _gps_retries(hass: HomeAssistant) -> dict[str, Any]:
    """Return the GPS retry statistics as the service reports them."""
    retries: dict[str, Any] = (await get_statistics(hass))["retries"]["gps"]
    return retries


async def test_location_from_tracker(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, gps_entry: MockConfigEntry
) -> None:
    """A tracker's coordinates, accuracy and battery reach the dog's entities."""
    _manual(hass)
    await setup_entry(hass, gps_entry)
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 48.1
    assert state.attributes["longitude"] == 11.5
    assert state.attributes["gps_accuracy"] == 12
    # From 2026.7 the tracker has no battery_level; the battery sensor shows it.
    if TRACKER_BATTERY_DEPRECATED:
        assert "battery_level" not in state.attributes
    else:
        assert state.attributes["battery_level"] == 55
    assert state.attributes["source"] == MANUAL
    assert state.attributes["stale"] is False
    assert hass.states.get("sensor.buddy_battery").state == "55"
    assert hass.states.get("binary_sensor.buddy_data_source").state == "on"


async def test_unavailable_tracker_serves_last_known(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gps_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three attempts, then the last known location, stale, with one warning."""
    fixed_at = dt_util.utcnow()
    _manual(hass)
    await setup_entry(hass, gps_entry)
    hass.states.async_set(MANUAL, "unavailable")
    caplog.clear()
    await tick(hass, freezer)
    await tick(hass, freezer)
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 48.1
    assert state.attributes["stale"] is True
    # The time of the fix shown, not its growing age.
    assert state.attributes["stale_since"] == fixed_at.isoformat()
    assert "data_age_seconds" not in state.attributes
    assert hass.states.get("binary_sensor.buddy_data_source").state == "off"
    assert await _gps_retries(hass) == {
        # The GPS retry budget allows one retry in the second failed refresh.
        "operations": 3,
        "retries": 3,
        "recovered": 0,
        "exhausted": 2,
        "retry_success_rate": 0.0,
    }
    warnings = our_warnings(caplog)
    assert warnings == [
        "GPS source device_tracker.manual of buddy is unavailable: "
        "GpsUnavailableError: Source is unavailable"
    ]
    _manual(hass)
    await tick(hass, freezer)
    assert hass.states.get(TRACKER).attributes["stale"] is False
    assert "GPS source device_tracker.manual of buddy is available again" in caplog.text
    assert "48.1" not in " ".join(
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    )


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"latitude": 91.0}, "out_of_range"),
        ({"longitude": -180.5}, "out_of_range"),
        ({"latitude": float("nan")}, "out_of_range"),
        ({"latitude": "north"}, "out_of_range"),
        ({"latitude": 0.0, "longitude": 0.0}, "out_of_range"),
        ({"gps_accuracy": 500}, "inaccurate"),
        ({"gps_accuracy": -1}, "out_of_range"),
        ({"latitude": None}, "unavailable"),
    ],
)
async def test_bad_coordinates_are_never_stored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gps_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    attributes: dict[str, Any],
    reason: str,
) -> None:
    """Impossible or too inaccurate locations are rejected; the last good one stays."""
    _manual(hass)
    await setup_entry(hass, gps_entry)
    assert "rejected_reason" not in hass.states.get(TRACKER).attributes
    _manual(hass, **attributes)
    await tick(hass, freezer)
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 48.1
    assert state.attributes["longitude"] == 11.5
    assert state.attributes["stale"] is True
    assert state.attributes["rejected_reason"] == reason
    await hass.config_entries.async_unload(gps_entry.entry_id)
    stored = hass_storage["pawcontrol.gps_last_known"]["data"]["buddy"]
    assert (stored["latitude"], stored["longitude"]) == (48.1, 11.5)


async def test_too_old_location(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, gps_entry: MockConfigEntry
) -> None:
    """A tracker that has not reported for longer than the dog's max age counts as failed."""
    _manual(hass)
    await setup_entry(hass, gps_entry)
    await tick(hass, freezer, 601)
    assert hass.states.get(TRACKER).attributes["stale"] is True
    assert hass.states.get(TRACKER).attributes["rejected_reason"] == "too_old"


async def test_last_known_location_survives_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gps_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A location saved before a restart is shown, stale, while the tracker is down."""
    saved_at = dt_util.utcnow() - timedelta(minutes=10)
    hass_storage["pawcontrol.gps_last_known"] = {
        "version": 1,
        "minor_version": 1,
        "key": "pawcontrol.gps_last_known",
        "data": {
            "buddy": {
                "latitude": 47.0,
                "longitude": 8.0,
                "accuracy": 5.0,
                "battery": 40,
                "source": MANUAL,
                "updated_at": saved_at.isoformat(),
            },
            "gone": {"latitude": "broken"},
        },
    }
    hass.states.async_set(MANUAL, "unavailable")
    await setup_entry(hass, gps_entry)
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 47.0
    assert state.attributes["stale"] is True
    assert state.attributes["source"] == MANUAL
    assert state.attributes["rejected_reason"] == "unavailable"
    assert state.attributes["stale_since"] == saved_at.isoformat()
    # The unreadable location of "gone" costs one warning for the whole store.
    assert our_warnings(caplog)[0] == (
        "Ignored stored data of pawcontrol.gps_last_known that could not be used "
        "(a last known location is invalid); that part starts afresh"
    )


@pytest.mark.parametrize("gps_source", ["device_tracker.collar"])
async def test_refresh_request_recovers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, gps_entry: MockConfigEntry
) -> None:
    """A registered tracker without a fix is asked to update and read again."""
    assert await async_setup_component(hass, "homeassistant", {})
    collar = (await async_setup_test_platforms(hass)).tracker
    collar.fix_on_update = (46.5, 7.4, 10)
    await setup_entry(hass, gps_entry)
    assert collar.updates == 1
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 46.5
    assert state.attributes["source"] == "device_tracker.collar"
    assert await _gps_retries(hass) == {
        "operations": 1,
        "retries": 1,
        "recovered": 1,
        "exhausted": 0,
        "retry_success_rate": 1.0,
    }


async def test_resting_dog_is_not_stale(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, gps_entry: MockConfigEntry
) -> None:
    """A tracker that keeps reporting the same position stays fresh past the max age."""
    _manual(hass)
    await setup_entry(hass, gps_entry)
    for _ in range(3):
        freezer.tick(300)
        _manual(hass)
        await tick(hass, freezer, 1)
    state = hass.states.get(TRACKER)
    assert state.attributes["stale"] is False
    assert state.attributes["latitude"] == 48.1


async def test_one_dead_tracker_does_not_use_up_other_dogs_retries(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """Each dog has its own GPS retry budget."""
    for entity_id in ("device_tracker.rex_collar", MANUAL):
        hass.states.async_set(entity_id, "home", {"latitude": 1.0, "longitude": 2.0})
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [
                dog_options(gps_source=MANUAL),
                dog_options("rex", "Rex", gps_source="device_tracker.rex_collar"),
            ],
            **FAST,
        },
    )
    await setup_entry(hass, entry)
    hass.states.async_set("device_tracker.rex_collar", "unavailable")
    for _ in range(3):
        await tick(hass, freezer)
    # Rex's budget: 2 retries, then 1, then none.
    assert (await _gps_retries(hass))["retries"] == 3
    hass.states.async_set(MANUAL, "unavailable")
    await tick(hass, freezer)
    # Buddy still gets both retries; Rex gets none.
    assert (await _gps_retries(hass))["retries"] == 5
