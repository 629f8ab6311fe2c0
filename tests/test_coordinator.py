"""Resilience of the dog updates against a real local device API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN
from custom_components.pawcontrol.coordinator import api_timeout, dog_budget

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, get_statistics, our_warnings, tick
from .platforms import async_setup_test_platforms

STATUS = "/api/v1/dogs/buddy/status"
BATTERY = "sensor.buddy_battery"
TRACKER = "device_tracker.buddy"
CONNECTIVITY = "binary_sensor.buddy_data_source"
CIRCUIT = "binary_sensor.buddy_device_connection"


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Locate Buddy through the device API; refresh every 15 s; retry without waiting."""
    return entry_options | {
        CONF_DOGS: [dog_options()],
        **FAST,
    }


def _seconds_until_probe(hass: HomeAssistant) -> float:
    """Return the seconds from now to the circuit sensor's open_until."""
    until = datetime.fromisoformat(hass.states.get(CIRCUIT).attributes["open_until"])
    return (until - dt_util.utcnow()).total_seconds()


def _requests(device_api: DeviceApiServer) -> int:
    """Return how many status requests the server received."""
    return device_api.requests.count(STATUS)


async def test_fresh_data(
    hass: HomeAssistant, device_api: DeviceApiServer, init_integration: MockConfigEntry
) -> None:
    """A healthy device API feeds the dog's entities."""
    assert hass.states.get(BATTERY).state == "87"
    assert hass.states.get(BATTERY).attributes["stale"] is False
    assert hass.states.get("sensor.buddy_activity").state == "walking"
    tracker = hass.states.get(TRACKER)
    assert tracker.state == "not_home"
    assert tracker.attributes["source"] == "device_api"
    assert tracker.attributes["gps_accuracy"] == 8
    assert hass.states.get(CONNECTIVITY).state == "on"
    assert hass.states.get(CIRCUIT).state == "off"
    assert _requests(device_api) == 1


async def test_outage_breaker_and_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cached values go stale, the breaker opens and stops requests, probes close it."""
    events = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    device_api.mode = Mode.ERROR_500
    caplog.clear()
    last_success = dt_util.utcnow().isoformat()
    # Two attempts per refresh until the retry budget (10 tokens, one per failed
    # attempt, no retry at 5 or fewer) stops retrying in the third refresh.
    for expected in (3, 5, 6):
        await tick(hass, freezer)
        assert _requests(device_api) == expected
        state = hass.states.get(BATTERY)
        assert state.state == "87"
        assert state.attributes["stale"] is True
        # A fixed time, the same on every refresh of the outage, not a growing age.
        assert state.attributes["stale_since"] == last_success
        assert "data_age_seconds" not in state.attributes
    assert hass.states.get(CONNECTIVITY).state == "off"
    assert hass.states.get(CIRCUIT).state == "on"
    assert hass.states.get(CIRCUIT).attributes["state"] == "open"
    assert hass.states.get(TRACKER).attributes["stale"] is True
    assert hass.states.get(TRACKER).state == "not_home"

    # While open (30 s plus at most 10 % jitter), refreshes send nothing.
    await tick(hass, freezer)
    await tick(hass, freezer)
    assert _requests(device_api) == 6
    assert hass.states.get(BATTERY).state == "87"

    # Then a probe goes through; two successful probes close the circuit.
    device_api.mode = Mode.HEALTHY
    await tick(hass, freezer)
    assert _requests(device_api) == 7
    assert hass.states.get(CIRCUIT).attributes["state"] == "half_open"
    assert hass.states.get(BATTERY).attributes["stale"] is False
    await tick(hass, freezer)
    assert _requests(device_api) == 8
    assert hass.states.get(CIRCUIT).state == "off"
    assert hass.states.get(CONNECTIVITY).state == "on"

    assert our_warnings(caplog) == [
        "Device API for dog buddy is unavailable: PawControlApiResponseError: HTTP 500",
        "Circuit breaker 'dog_buddy' opened after 3 consecutive failures: "
        "PawControlApiResponseError: HTTP 500",
    ]
    assert "Device API for dog buddy is available again" in caplog.text
    assert [
        (e.data["from_state"], e.data["to_state"], e.data["reason"]) for e in events
    ] == [
        ("closed", "open", "failure_threshold"),
        ("open", "half_open", "timeout_elapsed"),
        ("half_open", "closed", "probe_succeeded"),
    ]
    assert (
        "Retry attempt 2/2 for dog_buddy in 0.00s: PawControlApiResponseError: HTTP 500"
        in caplog.text
    )
    ours = " ".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.pawcontrol")
    )
    assert "52.52" not in ours
    assert "13.405" not in ours
    assert "s3cr3t" not in ours


async def test_probe_failure_reopens_longer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A failed probe opens the circuit again for twice as long."""
    events = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    device_api.mode = Mode.ERROR_500
    for _ in range(5):
        await tick(hass, freezer)
    assert _requests(device_api) == 6
    await tick(hass, freezer)
    # The probe failed: one request, no retry, open again for 60 s plus jitter.
    assert _requests(device_api) == 7
    assert hass.states.get(CIRCUIT).attributes["state"] == "open"
    assert 60 <= _seconds_until_probe(hass) <= 66
    assert "open_remaining" not in hass.states.get(CIRCUIT).attributes
    # The seconds left are still in the statistics.
    stats = (await get_statistics(hass))["circuit_breakers"]["dog_buddy"]
    assert 60 <= stats["open_remaining"] <= 66
    for _ in range(3):
        await tick(hass, freezer)
    assert _requests(device_api) == 7
    assert [
        (e.data["from_state"], e.data["to_state"], e.data["reason"]) for e in events
    ] == [
        ("closed", "open", "failure_threshold"),
        ("open", "half_open", "timeout_elapsed"),
        ("half_open", "open", "probe_failed"),
    ]


@pytest.mark.parametrize(
    ("mode", "retry_after"),
    [
        (Mode.UNAVAILABLE_503, "2"),
        (Mode.RATE_LIMITED_429, "Sat, 28 Nov 2026 12:02:00 GMT"),
    ],
)
async def test_retry_after_hint(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    mode: Mode,
    retry_after: str,
) -> None:
    """A Retry-After hint beyond max_delay is not retried and keeps the circuit open."""
    freezer.move_to(datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    device_api.mode = mode
    device_api.retry_after = retry_after
    # The hint exceeds max_delay (0 s here), so nothing is retried.
    for refresh in range(1, 4):
        await tick(hass, freezer)
        assert _requests(device_api) == 1 + refresh
    remaining = _seconds_until_probe(hass)
    # The open time is at least the hint; the HTTP-date hint is 75 s away at the third failure.
    assert remaining >= (30 if mode is Mode.UNAVAILABLE_503 else 75)
    # At 45 s the 30 s circuit lets a probe through; the 75 s one does not yet.
    await tick(hass, freezer, 45)
    assert _requests(device_api) == (5 if mode is Mode.UNAVAILABLE_503 else 4)


async def test_one_dog_failing_never_fails_the_others(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A dog the server does not know raises a repair; Buddy stays fresh."""
    options = dict(mock_config_entry.options)
    options[CONF_DOGS] = [dog_options(), dog_options("rex", "Rex")]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=options)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BATTERY).state == "87"
    assert hass.states.get("sensor.rex_battery").state == "unknown"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "unknown_dog_rex")
    assert issue is not None
    assert issue.translation_placeholders == {"dog_name": "Rex", "dog_id": "rex"}
    # 404 is not retried and never trips the breaker.
    for _ in range(4):
        await tick(hass, freezer)
    assert device_api.requests.count("/api/v1/dogs/rex/status") == 5
    assert hass.states.get("binary_sensor.rex_device_connection").state == "off"
    device_api.statuses["rex"] = device_api.statuses["buddy"] | {"dog_id": "rex"}
    await tick(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "unknown_dog_rex") is None
    assert hass.states.get("sensor.rex_battery").state == "87"


async def test_all_dogs_failing_without_cache(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """No data at all retries setup; entities appear once the server answers."""
    mock_config_entry.add_to_hass(hass)
    device_api.mode = Mode.MALFORMED_JSON
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.get(BATTERY) is None
    device_api.mode = Mode.HEALTHY
    await tick(hass, freezer, 60)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BATTERY).state == "87"


@pytest.mark.parametrize("mode", [Mode.MISSING_FIELDS, Mode.MALFORMED_JSON])
async def test_bad_answers_never_crash(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    mode: Mode,
) -> None:
    """Broken answers keep the cached values; nothing reaches the loop's error handler."""
    device_api.mode = mode
    await tick(hass, freezer)
    assert hass.states.get(BATTERY).state == "87"


async def test_connection_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A device that went away leaves the cached data, marked stale."""
    await device_api.close()
    await tick(hass, freezer)
    state = hass.states.get(BATTERY)
    assert state.state == "87"
    assert state.attributes["stale"] is True
    assert hass.states.get(TRACKER).state != STATE_UNAVAILABLE


async def test_hanging_server_times_out(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A server that never answers costs one 10 s timeout per attempt, then the cache."""
    device_api.mode = Mode.HANG
    freezer.tick(timedelta(seconds=15))
    async_fire_time_changed(hass)
    for attempt in (1, 2):
        # Let the attempt reach the server, then let its 10 s timeout pass.
        for _ in range(100):
            if _requests(device_api) == 1 + attempt:
                break
            # Frozen time stops asyncio.sleep; wait for the socket in real time.
            await hass.async_add_executor_job(time.sleep, 0.01)
        assert _requests(device_api) == 1 + attempt
        freezer.tick(timedelta(seconds=10.1))
        async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(BATTERY)
    assert state.state == "87"
    assert state.attributes["stale"] is True
    statistics = await hass.services.async_call(
        DOMAIN,
        "get_statistics",
        {"circuit_name": "dog_buddy"},
        blocking=True,
        return_response=True,
    )
    assert statistics is not None
    buddy = statistics["circuit_breakers"]["dog_buddy"]  # type: ignore[index]
    assert (
        buddy["last_error"]
        == "PawControlApiConnectionError: Timeout talking to the device API"
    )  # type: ignore[index]
    assert buddy["failure_count"] == 1  # type: ignore[index]


async def test_reload_during_outage_keeps_cached_data(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """An options change while the server is down keeps the dog's last data."""
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    hass.config_entries.async_update_entry(
        init_integration, options=init_integration.options | {"update_interval": 20}
    )
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    state = hass.states.get(BATTERY)
    assert state.state == "87"
    assert state.attributes["stale"] is True


async def test_removing_the_device_api_drops_dog_circuits(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """Without a device API there is no dog circuit, no circuit sensor and no repair."""
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer)
    assert hass.states.get(CIRCUIT).state == "on"
    # What the reconfigure flow does with an empty URL: store, then reload.
    hass.config_entries.async_update_entry(init_integration, data={})
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    statistics = await get_statistics(hass)
    assert statistics["circuit_breakers"] == {}
    assert statistics["summary"]["health"] == "healthy"
    assert hass.states.get(CIRCUIT) is None
    for _ in range(25):
        await tick(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "circuit_open_dog_buddy") is None


@pytest.mark.parametrize("mode", [Mode.UNAUTHORIZED, Mode.FORBIDDEN])
async def test_auth_failure_during_refresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    mode: Mode,
) -> None:
    """401 and 403 in a refresh start reauthentication, once, without a retry."""
    device_api.mode = mode
    await tick(hass, freezer)
    assert _requests(device_api) == 2
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


@pytest.mark.parametrize(
    ("interval", "attempts", "budget", "timeout"),
    [
        (60, 2, 48.0, 10.0),
        (15, 2, 12.0, 4.0),
        (15, 5, 12.0, 2.0),
        (300, 3, 240.0, 10.0),
    ],
)
def test_each_dog_fits_its_interval(
    interval: int, attempts: int, budget: float, timeout: float
) -> None:
    """A dog's refresh ends within 80 % of the interval; API attempts leave room."""
    update_interval = timedelta(seconds=interval)
    assert dog_budget(update_interval) == budget
    assert api_timeout(update_interval, attempts) == timeout


async def test_hanging_tracker_ends_at_the_dogs_deadline(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    entry_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A tracker whose refresh hangs is cut off at 80 % of the interval; the API's fix shows."""
    assert await async_setup_component(hass, "homeassistant", {})
    collar = (await async_setup_test_platforms(hass)).tracker
    collar.fix = (46.5, 7.4, 10)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=dict(mock_config_entry.data),
        options=entry_options
        | {CONF_DOGS: [dog_options(gps_source="device_tracker.collar")], **FAST},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("device_tracker.buddy").attributes["source"] == (
        "device_tracker.collar"
    )
    collar.fix = None
    collar.hang = asyncio.Event()
    collar.async_write_ha_state()
    # The refresh starts, asks the device API, then waits on the tracker's update...
    updates = collar.updates
    freezer.tick(15)
    async_fire_time_changed(hass)
    for _ in range(1000):
        if collar.updates > updates:
            break
        await asyncio.sleep(0)
    assert collar.updates == updates + 1
    # ...until the dog's deadline (12 s of a 15 s interval) ends the wait.
    freezer.tick(12)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get("device_tracker.buddy")
    assert state.attributes["source"] == "device_api"
    assert state.attributes["rejected_reason"] == "unavailable"
    assert "GPS source device_tracker.collar of buddy is unavailable" in caplog.text
    collar.hang.set()
    await hass.async_block_till_done()
