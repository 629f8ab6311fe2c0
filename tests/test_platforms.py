"""Snapshot tests of every entity platform."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.pawcontrol.const import CONF_NOTIFY_SERVICES, DOMAIN

from .device_api import DeviceApiServer


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Add a notification channel so that its circuit sensor exists."""
    return entry_options | {CONF_NOTIFY_SERVICES: ["notify.pixel"]}


# Frozen before Home Assistant starts: moving the clock back after the legacy
# device tracker scheduled its stale check left that timer behind whenever the
# suite ran after this moment.
@pytest.mark.freeze_time("2027-01-01T12:00:00+00:00")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.CALENDAR,
        Platform.DEVICE_TRACKER,
        Platform.SENSOR,
        Platform.TODO,
    ],
)
async def test_platform(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    device_api: DeviceApiServer,
    snapshot: SnapshotAssertion,
    entry_options: dict[str, Any],
    platform: Platform,
) -> None:
    """Each platform's entities and states match the snapshot."""

    async def pixel(call: ServiceCall) -> None:
        """Accept a message."""

    hass.services.async_register("notify", "pixel", pixel)
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "not_home",
        {
            "latitude": 52.52,
            "longitude": 13.405,
            "gps_accuracy": 9,
            "battery_level": 60,
        },
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="PawControl",
        entry_id="01JPAWCONTROLSNAPSHOT00000",
        data={"api_url": device_api.url, "api_token": "s3cr3t-token"},
        options=entry_options,
    )
    entry.add_to_hass(hass)
    with patch("custom_components.pawcontrol.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        # Noisy entities start disabled; enable them as a user would, then reload.
        disabled = [
            e.entity_id
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
            if e.disabled_by is not None
        ]
        assert disabled == (
            ["sensor.buddy_last_update"] if platform is Platform.SENSOR else []
        )
        for entity_id in disabled:
            entity_registry.async_update_entity(entity_id, disabled_by=None)
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
