"""Cached dog data is shown, marked stale, only up to the maximum age of shown data."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_MAX_STALE_MINUTES

from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, setup_entry, tick

MEASURED = ("sensor.buddy_battery", "sensor.buddy_activity", "device_tracker.buddy")
KEPT = ("binary_sensor.buddy_data_source", "binary_sensor.buddy_device_connection")


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Refresh every 15 s and retry without waiting."""
    return entry_options | FAST


def _states(hass: HomeAssistant, entity_ids: tuple[str, ...]) -> list[str]:
    """Return the states of the entities."""
    return [hass.states.get(entity_id).state for entity_id in entity_ids]


async def _outage(hass: HomeAssistant, device_api: DeviceApiServer) -> None:
    """Take down the device API and Buddy's collar."""
    device_api.mode = Mode.ERROR_500
    hass.states.async_set("device_tracker.buddy_collar", STATE_UNAVAILABLE)


async def test_stale_data_expires_after_the_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """Within 60 minutes the last values show, stale; after that they are unavailable."""
    assert STATE_UNAVAILABLE not in _states(hass, MEASURED)
    await _outage(hass, device_api)
    await tick(hass, freezer)
    battery = hass.states.get("sensor.buddy_battery")
    assert battery.state != STATE_UNAVAILABLE
    assert battery.attributes["stale"] is True
    assert hass.states.get("device_tracker.buddy").attributes["stale"] is True
    for _ in range(3):  # 59 minutes and 45 seconds after the last good data
        await tick(hass, freezer, 1190)
    assert STATE_UNAVAILABLE not in _states(hass, MEASURED)
    await tick(hass, freezer, 30)
    assert _states(hass, MEASURED) == [STATE_UNAVAILABLE] * 3
    assert _states(hass, KEPT) == ["off", "on"]
    # The source answers again: everything is back at once.
    device_api.mode = Mode.HEALTHY
    collar_reports(hass)
    for _ in range(4):
        await tick(hass, freezer, 40)
    assert STATE_UNAVAILABLE not in _states(hass, MEASURED)


async def test_no_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    entry_options: dict[str, Any],
) -> None:
    """With 0 the last values stay, marked stale, however old they are."""
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=mock_config_entry.domain,
        data=mock_config_entry.data,
        options=entry_options | {CONF_MAX_STALE_MINUTES: 0},
    )
    await setup_entry(hass, entry)
    await _outage(hass, device_api)
    for _ in range(24):
        await tick(hass, freezer, 3600)
    assert STATE_UNAVAILABLE not in _states(hass, MEASURED)
    assert hass.states.get("sensor.buddy_battery").attributes["stale"] is True
