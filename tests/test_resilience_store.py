"""The resilience store as Home Assistant really runs it: save data, ageing, corruption."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
import logging
import threading
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.pawcontrol.const import CONF_NOTIFY_SERVICES
from custom_components.pawcontrol.resilience import (
    CircuitState,
    ResilienceManager,
    TransitionEvent,
)
from custom_components.pawcontrol.resilience.manager import STORAGE_KEY

from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, get_statistics, setup_entry, tick

SAVED_AT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


class ApiError(Exception):
    """A transient failure."""


async def fail() -> None:
    """Fail."""
    raise ApiError("down")


def _open_snapshot(remaining: float, **changes: Any) -> dict[str, Any]:
    """Return a stored open breaker with ``remaining`` seconds left."""
    return {
        "state": "open",
        "failure_count": 3,
        "success_count": 0,
        "total_calls": 3,
        "total_successes": 0,
        "total_failures": 3,
        "rejected_calls": 0,
        "opened_count": 1,
        "open_base": 300.0,
        "open_duration": 300.0,
        "open_remaining": remaining,
        "last_failure_time": SAVED_AT.timestamp() - 60,
        "last_success_time": None,
        "last_state_change": SAVED_AT.timestamp() - 60,
        "last_error": "HomeAssistantError: notify.pixel is not available",
    } | changes


async def setup_with_options(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]
) -> None:
    """Set up the entry with ``options`` on top of the standard ones."""
    collar_reports(hass)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=entry.options | options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _store(breakers: dict[str, Any], saved_at: str | None = None) -> dict[str, Any]:
    """Return the stored form of the resilience data."""
    return {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {
            "saved_at": saved_at or SAVED_AT.isoformat(),
            "breakers": breakers,
            "retries": {},
            "cache": {},
        },
    }


async def test_save_data_is_built_without_side_effects(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Building the save data in a worker thread, as a real Store does, changes nothing.

    Home Assistant's Store builds delayed save data in an executor thread;
    before this fix, reading a breaker whose open period had ended moved it to
    half-open there, and its listeners ran off the event loop.
    """
    freezer.move_to(SAVED_AT)
    # Taken while time is frozen: the frozen monotonic clock drives the breaker.
    manager = ResilienceManager(hass, clock=time.monotonic, random=lambda: 0.0)
    await manager.async_load()
    threads: list[int] = []

    def on_change(event: TransitionEvent | None) -> None:
        if event is not None:
            threads.append(threading.get_ident())

    manager.async_add_listener(on_change)
    breaker = manager.breaker("dog_rex")
    for _ in range(3):
        with pytest.raises(ApiError):
            await manager.async_call("coordinator", fail, breaker=breaker)
    # The open period ends, but no timer has run yet.
    freezer.tick(timedelta(seconds=31))
    # Run it in a worker thread while the loop is held, so no timer runs first.
    with ThreadPoolExecutor(1) as pool:
        saved = pool.submit(manager._data_to_save).result()
    assert saved["breakers"]["dog_rex"]["state"] == "open"
    assert breaker.state is CircuitState.OPEN
    assert len(threads) == 1
    # The loop's own timer moves it to half-open, on the loop.
    await tick(hass, freezer, 0)
    assert breaker.state is CircuitState.HALF_OPEN
    assert threads == [threading.get_ident()] * 2
    await manager.async_shutdown()


async def test_open_circuit_half_opens_on_the_loop_without_a_call(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The event for the end of an open period fires on time, from the event loop."""
    events = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    # Refresh every 2 minutes, so nothing calls the device during the open period.
    await setup_with_options(hass, mock_config_entry, FAST | {"update_interval": 120})
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer, 120)
    assert [e.data["to_state"] for e in events] == ["open"]
    requests = len(device_api.requests)
    # 30 s (plus up to 10 % jitter) later the breaker half-opens by itself.
    await tick(hass, freezer, 34)
    assert [e.data["to_state"] for e in events] == ["open", "half_open"]
    assert events[-1].data["reason"] == "timeout_elapsed"
    assert len(device_api.requests) == requests
    stats = await get_statistics(hass, circuit_name="dog_buddy")
    assert stats["circuit_breakers"]["dog_buddy"]["state"] == "half_open"


async def test_unclaimed_states_keep_ageing(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """A saved open state nobody claimed counts down across saves."""
    hass_storage[STORAGE_KEY] = _store({"notification_pixel": _open_snapshot(240.0)})
    freezer.move_to(SAVED_AT + timedelta(seconds=100))
    manager = ResilienceManager(hass)
    await manager.async_load()
    await manager.async_shutdown()
    saved = hass_storage[STORAGE_KEY]["data"]["breakers"]["notification_pixel"]
    assert saved["open_remaining"] == pytest.approx(140.0)
    # Six hours later the period is long over, also for a breaker never recreated.
    freezer.tick(timedelta(hours=6))
    manager = ResilienceManager(hass)
    await manager.async_load()
    await manager.async_shutdown()
    saved = hass_storage[STORAGE_KEY]["data"]["breakers"]["notification_pixel"]
    assert saved["open_remaining"] == 0.0
    breaker = manager.breaker("notification_pixel")
    assert breaker.open_remaining == 0.0


async def test_removed_channel_state_leaves_the_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Saved states of channels and dogs no longer configured are deleted."""
    freezer.move_to(SAVED_AT)
    hass_storage[STORAGE_KEY] = _store(
        {
            "notification_gone": _open_snapshot(240.0),
            "dog_rex": _open_snapshot(240.0),
            "dog_buddy": _open_snapshot(240.0),
        }
    )
    collar_reports(hass)
    await setup_entry(hass, mock_config_entry)
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.data["pawcontrol"].async_shutdown()
    assert sorted(hass_storage[STORAGE_KEY]["data"]["breakers"]) == ["dog_buddy"]


async def test_configured_channels_have_breakers_from_the_start(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A notification channel's circuit is in the statistics before any message."""
    hass.services.async_register("notify", "pixel", lambda call: None)
    await setup_with_options(
        hass, mock_config_entry, {CONF_NOTIFY_SERVICES: ["notify.pixel"]}
    )
    stats = await get_statistics(hass)
    assert sorted(stats["circuit_breakers"]) == ["dog_buddy", "notification_pixel"]


@pytest.mark.parametrize(
    ("stored", "warns"),
    [
        pytest.param(
            _store({}, saved_at="2026-13-45T99:00:00+00:00"), False, id="date"
        ),
        pytest.param(
            _store({"dog_buddy": _open_snapshot(10, last_failure_time=1e308)}),
            True,
            id="1e308",
        ),
        pytest.param(
            _store({"dog_buddy": _open_snapshot(10, last_state_change=-1e12)}),
            True,
            id="negative",
        ),
        pytest.param(
            _store({"dog_buddy": _open_snapshot(10, open_remaining=1e9)}),
            True,
            id="remaining",
        ),
        pytest.param(
            {"version": 2, "key": STORAGE_KEY, "data": {"breakers": {}}},
            True,
            id="newer-version",
        ),
        pytest.param({"version": 1, "key": STORAGE_KEY}, True, id="no-data"),
        pytest.param(
            {"version": 1, "key": STORAGE_KEY, "data": ["breakers"]},
            True,
            id="list",
        ),
    ],
)
async def test_corrupted_store_never_fails_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    mock_config_entry: MockConfigEntry,
    stored: dict[str, Any],
    warns: bool,
) -> None:
    """Anything unreadable is dropped with a warning; entities and statistics work."""
    hass_storage[STORAGE_KEY] = stored
    collar_reports(hass)
    with caplog.at_level(logging.WARNING):
        await setup_entry(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "pawcontrol" in r.name
    ]
    assert len(warnings) == (1 if warns else 0), warnings
    issue = ir.async_get(hass).async_get_issue(
        "pawcontrol", f"store_reset_{STORAGE_KEY}"
    )
    assert (issue is not None) is warns
    stats = await get_statistics(hass, circuit_name="dog_buddy")
    assert stats["circuit_breakers"]["dog_buddy"]["state"] == "closed"
    assert hass.states.get("sensor.pawcontrol_statistics").state == "healthy"
    diagnostics_ready = hass.data["pawcontrol"].statistics()
    assert diagnostics_ready["summary"]["total"] == 1
