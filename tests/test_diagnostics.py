"""Diagnostics: redacted settings, statistics and data ages."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.pawcontrol.const import CONF_API_URL, DOMAIN

from .device_api import TOKEN, DeviceApiServer, Mode
from .helpers import entry_device

# Values that depend on the wall clock or the server's random port.
TIME_DEPENDENT = props(
    "api_url",
    "last_success",
    "data_age_seconds",
    "age_seconds",
    "last_failure_time",
    "last_success_time",
    "last_state_change",
    "open_remaining",
)


@pytest.fixture
def mock_config_entry(
    mock_config_entry: MockConfigEntry, device_api: DeviceApiServer
) -> MockConfigEntry:
    """Give the API URL credentials and a path, which must not leak."""
    url = device_api.url.replace("http://", "http://collar:pa55word@")
    return MockConfigEntry(
        domain=DOMAIN,
        title="PawControl",
        data=dict(mock_config_entry.data) | {CONF_API_URL: url},
        options=dict(mock_config_entry.options)
        | {"initial_delay": 0.0, "max_delay": 0.0},
        entry_id="01JPAWCONTROLTESTENTRY0000",
    )


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Secrets, credentials and coordinates are redacted; ages and statistics are shown."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "home",
        {"latitude": 52.52, "longitude": 13.405, "gps_accuracy": 5},
    )
    assert await async_setup_component(hass, "diagnostics", {})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    text = str(diagnostics)
    for secret in (TOKEN, "pa55word", "collar:", "52.52", "13.405"):
        assert secret not in text
    assert diagnostics["entry"]["data"]["api_url"] == device_api.url
    assert diagnostics == snapshot(exclude=TIME_DEPENDENT)

    device = entry_device(
        hass, mock_config_entry, f"{mock_config_entry.entry_id}_buddy"
    )
    assert device is not None
    dog = await get_diagnostics_for_device(hass, hass_client, mock_config_entry, device)
    assert dog == snapshot(name="dog_device", exclude=TIME_DEPENDENT)
    assert "52.52" not in str(dog)
    hub = entry_device(hass, mock_config_entry, mock_config_entry.entry_id)
    assert hub is not None
    hub_diagnostics = await get_diagnostics_for_device(
        hass, hass_client, mock_config_entry, hub
    )
    assert hub_diagnostics.keys() == diagnostics.keys()
    assert hub_diagnostics["entry"] == diagnostics["entry"]


async def test_diagnostics_before_first_refresh(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Diagnostics work while setup retries and after unload."""
    assert await async_setup_component(hass, "diagnostics", {})
    device_api.mode = Mode.ERROR_500
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert diagnostics["dogs"] == {"buddy": {}}
    assert diagnostics["resilience"]["summary"]["total"] == 1
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert diagnostics["entry"]["data"]["api_token"] == "**REDACTED**"
    assert TOKEN not in str(diagnostics)
