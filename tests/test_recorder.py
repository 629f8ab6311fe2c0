"""What the recorder keeps of PawControl's dog entities."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from .helpers import collar_reports, setup_entry, tick


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations."""


async def test_fast_changing_attributes_are_not_recorded(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """data_age_seconds and last_success stay out of history; stale and source stay in."""
    start = dt_util.utcnow()
    collar_reports(hass)
    await setup_entry(hass, mock_config_entry)
    await tick(hass, freezer, 60)
    await async_wait_recording_done(hass)
    live = hass.states.get("device_tracker.buddy")
    assert "data_age_seconds" in live.attributes
    history = await recorder_mock.async_add_executor_job(
        get_significant_states,
        hass,
        start,
        None,
        ["device_tracker.buddy", "sensor.buddy_battery"],
    )
    for states in history.values():
        for state in states:
            assert "data_age_seconds" not in state.attributes
            assert "last_success" not in state.attributes
            assert "stale" in state.attributes
    assert "source" in history["device_tracker.buddy"][-1].attributes


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
    assert hass.states.get("device_tracker.buddy").attributes["battery_level"] == 53
