"""Shared fixtures for PawControl tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import socket
from typing import Any, Final

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_UPDATE_INTERVAL,
    DEFAULT_RESILIENCE,
    DOMAIN,
)

from .device_api import TOKEN, DeviceApiServer, load_fixture
from .helpers import collar_reports
from .syrupy_ext import PawControlSnapshotExtension

# Where every test that uses the ``freezer`` fixture starts, unless it says
# otherwise with ``@pytest.mark.freeze_time(...)``: far from midnight in the
# zones the tests use (19:00 in Berlin, 10:00 in Los Angeles, 13:00 in New
# York) and weeks from a change of daylight saving time. The clock is frozen
# there before Home Assistant starts, so no test depends on the hour at which
# the suite runs.
PINNED_START: Final = "2026-11-02T18:00:00+00:00"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start every test that uses the clock at the pinned moment, before hass."""
    for item in items:
        fixtures = getattr(item, "fixturenames", None)
        if fixtures is None or "freezer" not in fixtures:
            continue
        if item.get_closest_marker("freeze_time") is None:
            item.add_marker(pytest.mark.freeze_time(PINNED_START))
        # pytest-freezer then sets the freezer up first, before hass.


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom integrations from custom_components/ in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialize Home Assistant objects the same way on every tested release."""
    return snapshot.use_extension(PawControlSnapshotExtension)


@pytest.fixture
async def device_api(socket_enabled: None) -> AsyncGenerator[DeviceApiServer]:
    """Run the device API on 127.0.0.1 with Buddy's status."""
    server = DeviceApiServer(statuses={"buddy": load_fixture("status_buddy.json")})
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def refused_url(socket_enabled: None) -> str:
    """Return a URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def dog_options(
    dog_id: str = "buddy", name: str = "Buddy", **extra: Any
) -> dict[str, Any]:
    """Return the stored options of one dog."""
    return {
        CONF_DOG_ID: dog_id,
        CONF_DOG_NAME: name,
        CONF_GPS_MAX_AGE: 600,
        CONF_GPS_ACCURACY_LIMIT: 100,
        **extra,
    }


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Return the options of the standard test entry."""
    return {
        CONF_DOGS: [dog_options(**{CONF_GPS_SOURCE: "device_tracker.buddy_collar"})],
        CONF_NOTIFY_SERVICES: [],
        CONF_NOTIFY_ENTITIES: [],
        CONF_UPDATE_INTERVAL: 60,
        **DEFAULT_RESILIENCE,
    }


@pytest.fixture
def mock_config_entry(
    device_api: DeviceApiServer, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """Return a PawControl entry that uses the local device API."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="PawControl",
        data={CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN},
        options=entry_options,
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up PawControl with the standard entry and Buddy's collar reporting."""
    collar_reports(hass)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry
