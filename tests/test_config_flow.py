"""Tests for the PawControl config flow, reauth and reconfigure."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_WEATHER_ENTITY,
    DEFAULT_RESILIENCE,
    DOMAIN,
)

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer, Mode
from .helpers import shown_errors


async def _start(hass: HomeAssistant) -> str:
    """Start a user flow and return its id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def test_user_flow_without_device_api(hass: HomeAssistant) -> None:
    """The first dog with its sources creates the entry with the default settings."""
    hass.services.async_register("notify", "mobile_app_pixel_7", lambda call: None)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "name": "  Buddy ",
            CONF_GPS_SOURCE: "device_tracker.buddy_collar",
            CONF_WEATHER_ENTITY: "weather.home",
            CONF_NOTIFY_SERVICES: ["notify.mobile_app_pixel_7"],
            CONF_NOTIFY_ENTITIES: ["notify.kitchen"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "PawControl"
    assert result["data"] == {}
    entry = result["result"]
    assert entry.options == {
        CONF_DOGS: [dog_options(**{CONF_GPS_SOURCE: "device_tracker.buddy_collar"})],
        CONF_WEATHER_ENTITY: "weather.home",
        CONF_NOTIFY_SERVICES: ["notify.mobile_app_pixel_7"],
        CONF_NOTIFY_ENTITIES: ["notify.kitchen"],
        "update_interval": 60,
        **DEFAULT_RESILIENCE,
    }
    assert DEFAULT_RESILIENCE == {
        "failure_threshold": 3,
        "success_threshold": 2,
        "timeout_seconds": 30,
        "half_open_max_calls": 2,
        "coordinator_retry_attempts": 2,
        "gps_retry_attempts": 3,
        "weather_retry_attempts": 2,
        "initial_delay": 1.0,
        "max_delay": 5.0,
        "exponential_base": 2.0,
        "jitter": True,
        "max_stale_minutes": 60,
    }


async def test_user_flow_with_device_api(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """A healthy device API is tested and stored with its token."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"name": "Buddy", CONF_API_URL: f"{device_api.url}/", CONF_API_TOKEN: TOKEN},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    # The health check comes first; the new entry then fetches Buddy's status.
    assert device_api.requests == ["/api/v1/health", "/api/v1/dogs/buddy/status"]


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        (Mode.UNAUTHORIZED, "invalid_auth"),
        (Mode.FORBIDDEN, "invalid_auth"),
        (Mode.ERROR_500, "unknown"),
        (Mode.MALFORMED_JSON, "unknown"),
    ],
)
async def test_user_flow_api_errors_then_recovery(
    hass: HomeAssistant, device_api: DeviceApiServer, mode: Mode, error: str
) -> None:
    """Each device API failure shows its error; fixing it creates the entry."""
    device_api.mode = mode
    flow_id = await _start(hass)
    user_input = {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    device_api.mode = Mode.HEALTHY
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unexpected_error_is_logged(
    hass: HomeAssistant, device_api: DeviceApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected answer is logged without the token."""
    device_api.mode = Mode.ERROR_500
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    )
    assert "Unexpected error while testing the device API" in caplog.text
    assert TOKEN not in caplog.text


async def test_user_flow_wrong_token_then_right(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """A token the API refuses shows invalid_auth until the right one is given."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: "wrong"},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_connection_refused(
    hass: HomeAssistant, refused_url: str, device_api: DeviceApiServer
) -> None:
    """A refused connection shows cannot_connect; a reachable URL then works."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: refused_url, CONF_API_TOKEN: TOKEN}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_timeout(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A device API that does not answer in time shows cannot_connect."""
    aioclient_mock.get("http://dog.local/api/v1/health", exc=TimeoutError())
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: "http://dog.local"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    aioclient_mock.clear_requests()
    aioclient_mock.get("http://dog.local/api/v1/health", json={"status": "ok"})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: "http://dog.local"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_URL: "http://dog.local"}


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"name": "!!!"}, {"name": "invalid_name"}),
        ({"name": "Buddy", CONF_API_URL: "ftp://dog"}, {CONF_API_URL: "invalid_url"}),
        ({"name": "Buddy", CONF_API_TOKEN: TOKEN}, {CONF_API_URL: "url_required"}),
        (
            {"name": "Buddy", CONF_NOTIFY_SERVICES: ["notify.nobody"]},
            {CONF_NOTIFY_SERVICES: "unknown_notify_service"},
        ),
        (
            {"name": "Buddy", CONF_NOTIFY_SERVICES: ["light.turn_on"]},
            {CONF_NOTIFY_SERVICES: "unknown_notify_service"},
        ),
    ],
)
async def test_user_flow_invalid_input_then_recovery(
    hass: HomeAssistant, user_input: dict[str, Any], errors: dict[str, str]
) -> None:
    """Invalid fields are refused on the form and the user can correct them."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for text in await shown_errors(hass, result):
        assert "{" not in text
        assert "<" not in text
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "Buddy"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_examples_in_form_texts_are_filled_in(hass: HomeAssistant) -> None:
    """Examples that hassfest keeps out of the translations reach the form."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: "ftp://dog"}
    )
    assert await shown_errors(hass, result) == [
        "Enter a URL that starts with http:// or https://."
    ]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_NOTIFY_SERVICES: ["notify.nobody"]}
    )
    assert await shown_errors(hass, result) == [
        "At least one notify service does not exist. Use the form notify.service_name."
    ]
    assert result["description_placeholders"]["api_url_example"].startswith("http")


async def test_single_instance(hass: HomeAssistant) -> None:
    """A second PawControl is refused; dogs are added in the options."""
    MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]}).add_to_hass(
        hass
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


async def test_reauth(
    hass: HomeAssistant, device_api: DeviceApiServer, mock_config_entry: MockConfigEntry
) -> None:
    """A refused new token shows invalid_auth; a working one is stored."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert mock_config_entry.data == {
        CONF_API_URL: device_api.url,
        CONF_API_TOKEN: TOKEN,
    }


async def test_reauth_without_device_api(hass: HomeAssistant) -> None:
    """An entry without a device API has no token to renew."""
    entry = MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_device_api"


async def test_reconfigure_url(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    refused_url: str,
) -> None:
    """A new URL is tested; an unreachable one is refused, the token is kept."""
    mock_config_entry.add_to_hass(hass)
    old_url = device_api.url
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: refused_url}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert mock_config_entry.data[CONF_API_URL] == old_url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: f"{old_url}/"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert mock_config_entry.data == {CONF_API_URL: old_url, CONF_API_TOKEN: TOKEN}


async def test_reconfigure_removes_device_api(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """An empty URL stops using the device API."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert mock_config_entry.data == {}
