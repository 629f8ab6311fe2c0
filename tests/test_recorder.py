"""What the recorder keeps of PawControl's dog entities."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.pawcontrol.const import DOMAIN
from custom_components.pawcontrol.device_tracker import TRACKER_BATTERY_DEPRECATED

from .device_api import DeviceApiServer, Mode
from .helpers import FAST, setup_entry, tick

RECORDED = ("device_tracker.buddy", "sensor.buddy_battery")


def _collar_with_battery(hass: HomeAssistant) -> None:
    """Let Buddy's collar report a fix with its battery level."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "home",
        {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8, "battery": 53},
    )


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations."""


async def _history(
    recorder: Recorder, hass: HomeAssistant, start: datetime
) -> dict[str, list[State]]:
    """Return every recorded state of Buddy's tracker and battery since start."""
    await async_wait_recording_done(hass)
    history = await recorder.async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            start,
            None,
            list(RECORDED),
            significant_changes_only=False,
        )
    )
    return {entity_id: list(states) for entity_id, states in history.items()}


async def test_refreshes_without_news_write_no_history(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Five refreshes of the same fix leave one row per entity, as for the tracker."""
    # The clock is frozen: the first states are written at exactly this time.
    start = dt_util.utcnow() - timedelta(seconds=1)
    _collar_with_battery(hass)
    await setup_entry(hass, mock_config_entry)
    for _ in range(5):
        await tick(hass, freezer, 60)
    history = await _history(recorder_mock, hass, start)
    assert {
        entity_id: len(states) for entity_id, states in history.items()
    } == dict.fromkeys(RECORDED, 1)
    assert history["device_tracker.buddy"][0].attributes["stale"] is False
    assert "data_age_seconds" not in hass.states.get("device_tracker.buddy").attributes


async def test_stale_data_shows_since_when(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """While stale, the entities show the fixed time of their data, also in history."""
    # The clock is frozen: the first states are written at exactly this time.
    start = dt_util.utcnow() - timedelta(seconds=1)
    fetched = dt_util.utcnow().isoformat()
    _collar_with_battery(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=mock_config_entry.data,
        options=mock_config_entry.options | FAST,
    )
    await setup_entry(hass, entry)
    hass.states.async_set("device_tracker.buddy_collar", "unavailable")
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer, 15)
    live = hass.states.get("device_tracker.buddy")
    assert live.attributes["stale"] is True
    assert live.attributes["stale_since"] == fetched
    battery = hass.states.get("sensor.buddy_battery")
    assert battery.attributes["stale_since"] == fetched
    history = await _history(recorder_mock, hass, start)
    for states in history.values():
        for state in states:
            assert "data_age_seconds" not in state.attributes
            assert "last_success" not in state.attributes
    assert history["device_tracker.buddy"][-1].attributes["stale"] is True
    assert history["device_tracker.buddy"][-1].attributes["stale_since"] == fetched
    assert "source" in history["device_tracker.buddy"][-1].attributes
    # Fresh, then stale: nothing more while the outage goes on.
    assert [len(states) for states in history.values()] == [2, 2]


async def test_legacy_battery_attribute_is_read(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A legacy tracker's "battery" attribute is the dog's battery level."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "home",
        {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 8, "battery": 53},
    )
    await setup_entry(hass, mock_config_entry)
    attributes = hass.states.get("device_tracker.buddy").attributes
    # From 2026.7 the tracker has no battery_level; the battery sensor shows it.
    if TRACKER_BATTERY_DEPRECATED:
        assert "battery_level" not in attributes
    else:
        assert attributes["battery_level"] == 53
