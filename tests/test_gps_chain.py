"""The location chain: tracker entity, device API, last known; why a fix was rejected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, our_warnings, setup_entry, tick

TRACKER = "device_tracker.buddy"
COLLAR = "device_tracker.buddy_collar"
STORE = "pawcontrol.gps_last_known"
API_FIX = {"latitude": 52.5, "longitude": 13.4, "accuracy": 20.0}
STORE_WARNING = (
    f"Ignored stored data of {STORE} that could not be used "
    "(a last known location is invalid); that part starts afresh"
)


@pytest.fixture
def gps_source() -> str | None:
    """Return Buddy's tracker entity, None for a dog located by the device API alone."""
    return COLLAR


@pytest.fixture
def entry_options(
    entry_options: dict[str, Any], gps_source: str | None
) -> dict[str, Any]:
    """Refresh every 15 s and retry without waiting."""
    dog = dog_options(gps_source=gps_source) if gps_source else dog_options()
    return entry_options | {CONF_DOGS: [dog], **FAST}


def _collar(hass: HomeAssistant, state: str = "home", **attributes: Any) -> None:
    """Let the collar report; by default the fix init_integration starts with."""
    hass.states.async_set(
        COLLAR,
        state,
        {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8} | attributes,
    )


def _shown(hass: HomeAssistant) -> dict[str, Any]:
    """Return what device_tracker.buddy shows about the dog's location."""
    attrs = hass.states.get(TRACKER).attributes
    keys = ("latitude", "longitude", "gps_accuracy", "source", "stale")
    return {key: attrs.get(key) for key in keys} | {
        "rejected_reason": attrs.get("rejected_reason")
    }


def _reason_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the DEBUG lines about a change of Buddy's rejected reason."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.DEBUG
        and r.getMessage().startswith("Rejected GPS fix reason of buddy")
    ]


def _our_messages(caplog: pytest.LogCaptureFixture) -> str:
    """Return everything PawControl logged."""
    return " ".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("custom_components.pawcontrol")
    )


COLLAR_SHOWN = {
    "latitude": 52.52,
    "longitude": 13.405,
    "gps_accuracy": 8,
    "source": COLLAR,
    "stale": False,
    "rejected_reason": None,
}
API_SHOWN = {
    "latitude": 52.5,
    "longitude": 13.4,
    "gps_accuracy": 20,
    "source": "device_api",
    "stale": False,
}


async def test_tracker_going_bad_shows_device_api_then_tracker_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An inaccurate or unavailable tracker falls back to the device API, with the reason."""
    device_api.statuses["buddy"]["location"] = API_FIX
    assert _shown(hass) == COLLAR_SHOWN
    caplog.clear()
    _collar(hass, gps_accuracy=500)
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": "inaccurate"}
    _collar(hass, gps_accuracy=450)
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": "inaccurate"}
    _collar(hass, "unavailable")
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": "unavailable"}
    _collar(hass)
    await tick(hass, freezer)
    assert _shown(hass) == COLLAR_SHOWN
    assert "rejected_reason" not in hass.states.get(TRACKER).attributes
    # One line per change of reason, none per poll, and never a coordinate.
    assert _reason_logs(caplog) == [
        "Rejected GPS fix reason of buddy is now inaccurate",
        "Rejected GPS fix reason of buddy is now unavailable",
        "Rejected GPS fix reason of buddy is now None",
    ]
    for coordinate in ("52.5", "13.4"):
        assert coordinate not in _our_messages(caplog)


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        ({"latitude": 0.0, "longitude": 0.0}, "out_of_range"),
        ({"latitude": 0, "longitude": 0, "gps_accuracy": 3}, "out_of_range"),
        ({"latitude": 95.0}, "out_of_range"),
        ({"longitude": float("inf")}, "out_of_range"),
        ({"gps_accuracy": "abc"}, "out_of_range"),
        ({"gps_accuracy": -5}, "out_of_range"),
        ({"gps_accuracy": 101}, "inaccurate"),
        ({"latitude": None}, "unavailable"),
    ],
)
async def test_rejected_tracker_fix_is_explained(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    report: dict[str, Any],
    reason: str,
) -> None:
    """Null island, impossible and inaccurate fixes give way to the device API."""
    device_api.statuses["buddy"]["location"] = API_FIX
    _collar(hass, **report)
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": reason}


async def test_silent_tracker_is_too_old(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A tracker silent for longer than the dog's max age gives way to the device API."""
    device_api.statuses["buddy"]["location"] = API_FIX
    await tick(hass, freezer, 601)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": "too_old"}


async def test_tracker_and_device_api_down_show_last_known(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """With every source down the last known location is shown, stale, with the reason."""
    device_api.mode = Mode.ERROR_500
    _collar(hass, gps_accuracy=500)
    await tick(hass, freezer)
    assert _shown(hass) == COLLAR_SHOWN | {
        "stale": True,
        "rejected_reason": "inaccurate",
    }
    _collar(hass, "unavailable")
    await tick(hass, freezer)
    assert _shown(hass) == COLLAR_SHOWN | {
        "stale": True,
        "rejected_reason": "unavailable",
    }


async def test_last_known_keeps_the_source_it_came_from(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A last known location from the device API still says it came from there."""
    device_api.statuses["buddy"]["location"] = API_FIX
    _collar(hass, "unavailable")
    await tick(hass, freezer)
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {
        "stale": True,
        "rejected_reason": "unavailable",
    }


@pytest.mark.parametrize("gps_source", [None])
@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ({"latitude": 0.0, "longitude": 0.0, "accuracy": 5.0}, "out_of_range"),
        ({"latitude": 500.0, "longitude": 13.4, "accuracy": 5.0}, "out_of_range"),
        ({"latitude": 52.6, "longitude": 13.5, "accuracy": 500.0}, "inaccurate"),
        (None, "unavailable"),
    ],
)
async def test_rejected_device_api_fix_is_explained(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    location: dict[str, Any] | None,
    reason: str,
) -> None:
    """Without a tracker the device API is the first source and is explained too."""
    api_first = {
        "latitude": 52.52,
        "longitude": 13.405,
        "gps_accuracy": 8,
        "source": "device_api",
        "stale": False,
        "rejected_reason": None,
    }
    assert _shown(hass) == api_first
    device_api.statuses["buddy"]["location"] = location
    await tick(hass, freezer)
    assert _shown(hass) == api_first | {"stale": True, "rejected_reason": reason}
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    assert _shown(hass) == api_first | {"stale": True, "rejected_reason": "unavailable"}
    device_api.mode = Mode.HEALTHY
    device_api.statuses["buddy"]["location"] = API_FIX
    await tick(hass, freezer)
    assert _shown(hass) == API_SHOWN | {"rejected_reason": None}


async def test_inaccurate_only_tracker_is_shown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A dog that never had an accurate fix gets its inaccurate one, until a good one comes."""
    device_api.statuses["buddy"]["location"] = None
    _collar(hass, gps_accuracy=500)
    await setup_entry(hass, mock_config_entry)
    inaccurate = COLLAR_SHOWN | {"gps_accuracy": 500, "rejected_reason": "inaccurate"}
    assert _shown(hass) == inaccurate
    _collar(hass, latitude=52.53, gps_accuracy=400)
    await tick(hass, freezer)
    assert _shown(hass) == inaccurate | {"latitude": 52.53, "gps_accuracy": 400}
    _collar(hass, latitude=52.54, gps_accuracy=10)
    await tick(hass, freezer)
    accurate = COLLAR_SHOWN | {"latitude": 52.54, "gps_accuracy": 10}
    assert _shown(hass) == accurate
    # From now on an inaccurate fix never replaces the accurate one.
    _collar(hass, latitude=52.55, gps_accuracy=500)
    await tick(hass, freezer)
    assert _shown(hass) == accurate | {"stale": True, "rejected_reason": "inaccurate"}
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    assert hass_storage[STORE]["data"]["buddy"]["latitude"] == 52.54


@pytest.mark.parametrize("gps_source", [None])
async def test_inaccurate_only_device_api_is_shown(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A device API that only reports inaccurate fixes still locates the dog."""
    device_api.statuses["buddy"]["location"] = API_FIX | {"accuracy": 300.0}
    await setup_entry(hass, mock_config_entry)
    assert _shown(hass) == API_SHOWN | {
        "gps_accuracy": 300,
        "rejected_reason": "inaccurate",
    }


def _stored(now: datetime, **changes: Any) -> dict[str, Any]:
    """Return a valid stored location of Buddy, changed as given."""
    return {
        "latitude": 47.0,
        "longitude": 8.0,
        "accuracy": 5.0,
        "battery": 40,
        "source": COLLAR,
        "updated_at": (now - timedelta(minutes=5)).isoformat(),
    } | changes


CORRUPT_STORES: list[Callable[[datetime], Any]] = [
    lambda now: [_stored(now)],
    lambda now: "buddy",
    lambda now: {"buddy": [47.0, 8.0]},
    lambda now: {"buddy": _stored(now, latitude=500)},
    lambda now: {"buddy": _stored(now, latitude=0, longitude=0)},
    lambda now: {"buddy": _stored(now, longitude="8")},
    lambda now: {"buddy": _stored(now, accuracy="abc")},
    lambda now: {"buddy": _stored(now, accuracy=-1)},
    lambda now: {"buddy": _stored(now, battery=101)},
    lambda now: {"buddy": _stored(now, battery=True)},
    lambda now: {"buddy": _stored(now, source="x" * 256)},
    lambda now: {"buddy": _stored(now, source=None)},
    lambda now: {"buddy": _stored(now, updated_at="2026-11-28T09:00:00")},
    lambda now: {"buddy": _stored(now, updated_at="yesterday")},
    lambda now: {"buddy": _stored(now, updated_at=1764320400)},
    lambda now: {
        "buddy": _stored(now, updated_at=(now + timedelta(minutes=6)).isoformat())
    },
]


async def _setup_with_store(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    data: Any,
) -> None:
    """Set up with this GPS store, the collar down and no device API location."""
    hass_storage[STORE] = {"version": 1, "minor_version": 1, "key": STORE, "data": data}
    device_api.statuses["buddy"]["location"] = None
    _collar(hass, "unavailable")
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("make_data", CORRUPT_STORES)
async def test_corrupt_store_is_ignored(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    make_data: Callable[[datetime], Any],
) -> None:
    """A damaged store never fails setup, warns once and shows nothing from it."""
    data = make_data(dt_util.utcnow())
    await _setup_with_store(hass, device_api, mock_config_entry, hass_storage, data)
    assert hass.states.get(TRACKER).state == STATE_UNAVAILABLE
    assert our_warnings(caplog) == [
        STORE_WARNING,
        f"GPS source {COLLAR} of buddy is unavailable: "
        "GpsUnavailableError: Source is unavailable",
    ]


async def test_valid_entries_of_a_damaged_store_are_kept(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the invalid stored locations are dropped; a valid one is shown, stale."""
    now = dt_util.utcnow()
    data = {"buddy": _stored(now), "gone": _stored(now, latitude=500)}
    await _setup_with_store(hass, device_api, mock_config_entry, hass_storage, data)
    assert _shown(hass) == {
        "latitude": 47.0,
        "longitude": 8.0,
        "gps_accuracy": 5,
        "source": COLLAR,
        "stale": True,
        "rejected_reason": "unavailable",
    }
    assert our_warnings(caplog).count(STORE_WARNING) == 1
    assert "500" not in our_warnings(caplog)[0]


async def test_saves_wait_and_write_the_latest_fix(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Fixes within the save delay are written once, as they are when it ends."""
    coordinator = init_integration.runtime_data.coordinator
    await tick(hass, freezer, 11)
    assert hass_storage[STORE]["data"]["buddy"]["latitude"] == 52.52
    _collar(hass, latitude=52.6, longitude=13.5)
    await coordinator.async_refresh()
    _collar(hass, latitude=52.7, longitude=13.6)
    await coordinator.async_refresh()
    assert hass.states.get(TRACKER).attributes["latitude"] == 52.7
    # Not written yet: the delay has not passed.
    assert hass_storage[STORE]["data"]["buddy"]["latitude"] == 52.52
    await tick(hass, freezer, 11)
    saved = hass_storage[STORE]["data"]["buddy"]
    assert (saved["latitude"], saved["longitude"]) == (52.7, 13.6)


async def test_a_pending_save_is_written_when_home_assistant_stops(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A fix still waiting for the save delay is on disk after a stop."""
    await tick(hass, freezer, 11)
    _collar(hass, latitude=52.6, longitude=13.5)
    await init_integration.runtime_data.coordinator.async_refresh()
    assert hass_storage[STORE]["data"]["buddy"]["latitude"] == 52.52
    await hass.async_stop()
    saved = hass_storage[STORE]["data"]["buddy"]
    assert (saved["latitude"], saved["longitude"]) == (52.6, 13.5)
