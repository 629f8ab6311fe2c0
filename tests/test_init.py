"""Tests for setting up and unloading PawControl."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import collar_reports, entry_device, setup_entry


async def test_setup_creates_hub_and_dog_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The hub device and one device per dog exist after setup."""
    assert init_integration.state is ConfigEntryState.LOADED
    hub = entry_device(hass, init_integration, init_integration.entry_id)
    dog = entry_device(hass, init_integration, f"{init_integration.entry_id}_buddy")
    assert hub is not None
    assert hub.name == "PawControl"
    assert dog is not None
    assert dog.name == "Buddy"
    assert dog.via_device_id == hub.id


async def test_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The entry unloads cleanly."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_entry_without_device_api(hass: HomeAssistant) -> None:
    """An entry without a device API sets up without a client."""
    entry = MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.runtime_data.api is None


async def test_yaml_is_not_supported(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """YAML configuration is ignored with an error that points to the UI."""
    assert await async_setup_component(hass, DOMAIN, {DOMAIN: {"dogs": ["buddy"]}})
    assert "The pawcontrol integration does not support YAML setup" in caplog.text
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_dog_without_any_source(hass: HomeAssistant) -> None:
    """A dog with neither tracker nor device API loads and reports no connectivity."""
    entry = MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.buddy_data_source").state == "off"
    assert hass.states.get("device_tracker.buddy").state == "unavailable"


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A configured dog's device cannot be deleted from the UI; a stale one can."""
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    dog = entry_device(hass, init_integration, f"{init_integration.entry_id}_buddy")
    stale = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "old")}
    )
    assert dog is not None
    client = await hass_ws_client(hass)
    for device_id in (dog.id, stale.id):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device_id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is (device_id == stale.id)
    assert registry.async_get(dog.id) is not None
    assert registry.async_get(stale.id) is None


async def test_options_broken_by_an_older_version_still_load(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entry_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Null or NaN options saved by an older PawControl fall back to the defaults."""
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=dict(mock_config_entry.data),
        options=entry_options
        | {
            "initial_delay": None,
            "max_delay": float("nan"),
            "exponential_base": None,
            "failure_threshold": float("nan"),
            "update_interval": None,
            "max_stale_minutes": float("inf"),
        },
    )
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("device_tracker.buddy").state == "not_home"
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 60
    assert coordinator.max_stale is not None
    assert coordinator.max_stale.total_seconds() == 3600


async def test_impossible_retry_options_use_the_defaults(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entry_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A first delay above the maximum (only possible by hand) loads with defaults."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=dict(mock_config_entry.data),
        options=entry_options | {"initial_delay": 9.0, "max_delay": 1.0},
    )
    collar_reports(hass)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert "Stored retry options are invalid" in caplog.text
