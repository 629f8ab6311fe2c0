"""Tests for the PawControl config flow, reauth and reconfigure."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import logging
from typing import Any

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

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
from .device_api import TOKEN, DeviceApiServer, Mode, ScriptedApi, load_fixture
from .helpers import shown_errors

COLLAR = "device_tracker.buddy_collar"


@pytest.fixture
async def scripted_api(socket_enabled: None) -> AsyncGenerator[ScriptedApi]:
    """Run a scripted device API on 127.0.0.1."""
    server = ScriptedApi()
    await server.start()
    yield server
    await server.close()


class PublicHealthApi(DeviceApiServer):
    """The contract's device API with a health check that needs no token."""

    async def _health(self, request: web.Request) -> web.Response:
        """Answer the health check whatever the token."""
        self.requests.append(request.path)
        return web.json_response({"status": "ok"})


def assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    """Assert nothing was logged with a traceback and PawControl logged no error."""
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()
        if record.name.startswith("custom_components.pawcontrol"):
            assert record.levelno < logging.ERROR, record.getMessage()


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
    await hass.async_block_till_done()  # the new entry's setup
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
    await hass.async_block_till_done()  # the new entry's setup
    assert result["data"] == {CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    # The health check, then Buddy's status proves the token; the new entry then
    # fetches Buddy's status itself.
    assert device_api.requests == [
        "/api/v1/health",
        "/api/v1/dogs/buddy/status",
        "/api/v1/dogs/buddy/status",
    ]


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        (Mode.UNAUTHORIZED, "invalid_auth"),
        (Mode.FORBIDDEN, "invalid_auth"),
        (Mode.ERROR_500, "cannot_connect"),
        (Mode.UNAVAILABLE_503, "cannot_connect"),
        (Mode.RATE_LIMITED_429, "cannot_connect"),
        (Mode.NOT_FOUND, "invalid_response"),
        (Mode.MALFORMED_JSON, "invalid_response"),
    ],
)
async def test_user_flow_api_errors_then_recovery(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    caplog: pytest.LogCaptureFixture,
    mode: Mode,
    error: str,
) -> None:
    """Each device API failure shows its error, logs no traceback; fixing it works."""
    device_api.mode = mode
    flow_id = await _start(hass)
    user_input = {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert_clean_log(caplog)
    device_api.mode = Mode.HEALTHY
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup


async def test_user_flow_unexpected_error_is_logged(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only a truly unexpected exception shows unknown; it is logged without the token."""
    aioclient_mock.get("http://dog.local/api/v1/health", exc=RuntimeError("boom"))
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"name": "Buddy", CONF_API_URL: "http://dog.local", CONF_API_TOKEN: TOKEN},
    )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while testing the device API" in caplog.text
    assert TOKEN not in caplog.text


BAD_URLS = [
    pytest.param("http://127.0.0.1:99999", "url_invalid_port", id="port-99999"),
    pytest.param("http://127.0.0.1:-1", "url_invalid_port", id="port-minus-1"),
    pytest.param("http://127.0.0.1:0", "url_invalid_port", id="port-0"),
    pytest.param("http://127.0.0.1:x", "url_invalid_port", id="port-x"),
    pytest.param("http://[::1", "url_invalid_host", id="broken-ipv6"),
    pytest.param("http://:{port}", "url_invalid_host", id="no-host"),
    pytest.param("http://xn--", "url_invalid_host", id="empty-idna-label"),
    pytest.param("http://127.0.0.1:{port}/\r\nX-Evil: 1", "url_has_spaces", id="crlf"),
    pytest.param("http://127.0.0.1:{port}/a b", "url_has_spaces", id="space"),
    pytest.param("http://127.0.0.1:{port}/?key=1", "url_query_or_fragment", id="query"),
    pytest.param("http://127.0.0.1:{port}?", "url_query_or_fragment", id="empty-query"),
    pytest.param("http://127.0.0.1:{port}#top", "url_query_or_fragment", id="fragment"),
    pytest.param(
        "http://127.0.0.1:{port}/" + "a" * 2001, "url_too_long", id="2001-chars"
    ),
    pytest.param(
        "http://127.0.0.1:{port}/" + "a" * 100_000, "url_too_long", id="100-kb"
    ),
    pytest.param("ftp://127.0.0.1:{port}", "invalid_url", id="ftp"),
    pytest.param("127.0.0.1:{port}", "invalid_url", id="no-scheme"),
]


def _port(api: ScriptedApi) -> int:
    """Return the port the scripted API listens on."""
    port = URL(api.url).port
    assert port is not None
    return port


@pytest.mark.parametrize(("url", "error"), BAD_URLS)
async def test_user_flow_invalid_url(
    hass: HomeAssistant,
    scripted_api: ScriptedApi,
    caplog: pytest.LogCaptureFixture,
    url: str,
    error: str,
) -> None:
    """A URL that cannot be requested is refused with its reason; nothing is sent."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"name": "Buddy", CONF_API_URL: url.format(port=_port(scripted_api))},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_URL: error}
    assert scripted_api.seen == []
    assert_clean_log(caplog)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: scripted_api.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup


BAD_TOKENS = [
    pytest.param("tok\r\nX-Evil: 1", id="crlf"),
    pytest.param("tok\nen", id="lf"),
    pytest.param("tok\x00en", id="nul"),
    pytest.param("tok en", id="space-inside"),
    pytest.param("tök", id="non-ascii"),
    pytest.param("t" * 1025, id="1025-chars"),
    pytest.param("t" * 100_000, id="100-kb"),
]


@pytest.mark.parametrize("token", BAD_TOKENS)
async def test_user_flow_invalid_token(
    hass: HomeAssistant,
    scripted_api: ScriptedApi,
    caplog: pytest.LogCaptureFixture,
    token: str,
) -> None:
    """A token that cannot go into a header is refused before it is sent."""
    flow_id = await _start(hass)
    user_input = {"name": "Buddy", CONF_API_URL: scripted_api.url}
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input | {CONF_API_TOKEN: token}
    )
    assert result["errors"] == {CONF_API_TOKEN: "invalid_token"}
    assert await shown_errors(hass, result) == [
        "Enter the token exactly as the device API shows it: 1 to 1024 ASCII"
        " letters, digits or symbols, without spaces or line breaks."
    ]
    assert scripted_api.seen == []
    assert_clean_log(caplog)
    # Spaces around a pasted token are dropped.
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input | {CONF_API_TOKEN: f" {'t' * 1024} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup
    assert result["data"][CONF_API_TOKEN] == "t" * 1024


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
    await hass.async_block_till_done()  # the new entry's setup


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
    await hass.async_block_till_done()  # the new entry's setup


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
    aioclient_mock.get("http://dog.local/api/v1/dogs/buddy/status", status=404)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: "http://dog.local"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup
    assert result["data"] == {CONF_API_URL: "http://dog.local"}


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"name": "!!!"}, {"name": "invalid_name"}),
        ({"name": "Bu\nddy"}, {"name": "invalid_name"}),
        ({"name": "B" * 51}, {"name": "name_too_long"}),
        ({"name": "B" * 100_000}, {"name": "name_too_long"}),
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
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_GPS_SOURCE: COLLAR} | user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for text in await shown_errors(hass, result):
        assert "{" not in text
        assert "<" not in text
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_GPS_SOURCE: COLLAR}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup


async def test_first_dog_needs_a_location_source(hass: HomeAssistant) -> None:
    """A dog with neither a GPS source nor a device API is refused, in words."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "Buddy"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_GPS_SOURCE: "location_source_required"}
    assert await shown_errors(hass, result) == [
        "Choose a GPS source or enter a device API URL. Without either, PawControl"
        " cannot tell where the dog is or whether it is connected."
    ]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_GPS_SOURCE: "person.anna"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup
    assert result["result"].options[CONF_DOGS] == [
        dog_options(**{CONF_GPS_SOURCE: "person.anna"})
    ]


async def test_first_dog_located_by_the_device_api_alone(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """A device API is a location source of its own: no GPS source is needed."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup
    assert result["result"].options[CONF_DOGS] == [dog_options()]


async def test_examples_in_form_texts_are_filled_in(hass: HomeAssistant) -> None:
    """Examples that hassfest keeps out of the translations reach the form."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"name": "Buddy", CONF_API_URL: "ftp://dog"}
    )
    assert await shown_errors(hass, result) == [
        "Enter a URL that starts with http:// or https://, for example"
        " http://192.168.1.20:8080."
    ]
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "name": "Buddy",
            CONF_GPS_SOURCE: COLLAR,
            CONF_NOTIFY_SERVICES: ["notify.nobody"],
        },
    )
    assert await shown_errors(hass, result) == [
        "At least one notify service does not exist. Use the form notify.service_name."
    ]
    assert result["description_placeholders"]["api_url_example"].startswith("http")


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


@pytest.fixture
async def public_health_api(socket_enabled: None) -> AsyncGenerator[PublicHealthApi]:
    """Run the device API with a health check that needs no token; it knows Buddy."""
    server = PublicHealthApi(statuses={"buddy": load_fixture("status_buddy.json")})
    await server.start()
    yield server
    await server.close()


@pytest.mark.parametrize("knows_buddy", [True, False])
async def test_reauth_proves_the_token_on_a_dog_status(
    hass: HomeAssistant,
    public_health_api: PublicHealthApi,
    caplog: pytest.LogCaptureFixture,
    knows_buddy: bool,
) -> None:
    """A health check without auth proves nothing: the first dog's status does.

    An empty or refused token never replaces the stored one; a 404 for the dog
    still proves the API accepted the token.
    """
    if not knows_buddy:
        public_health_api.statuses.clear()
    data = {CONF_API_URL: public_health_api.url, CONF_API_TOKEN: "old-token"}
    entry = MockConfigEntry(
        domain=DOMAIN, data=data, options={CONF_DOGS: [dog_options()]}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: ""}
    )
    assert result["errors"] == {CONF_API_TOKEN: "invalid_token"}
    assert public_health_api.requests == []
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert public_health_api.requests == [
        "/api/v1/health",
        "/api/v1/dogs/buddy/status",
    ]
    assert entry.data == data
    assert_clean_log(caplog)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_TOKEN: TOKEN}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data == data | {CONF_API_TOKEN: TOKEN}


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


async def test_reconfigure_keeps_the_device_api_that_locates_dogs(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """The device API stays while it is the only location source of a dog."""
    data = {CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    dogs = [
        dog_options(),
        dog_options("luna", "Luna", **{CONF_GPS_SOURCE: "person.anna"}),
        dog_options("rex", "Rex"),
    ]
    entry = MockConfigEntry(domain=DOMAIN, data=data, options={CONF_DOGS: dogs})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_URL: "device_api_locates_dogs"}
    assert await shown_errors(hass, result) == [
        "The device API is the only location source of these dogs: Buddy, Rex."
        " Give each of them a GPS source in the options first, then remove the"
        " device API."
    ]
    assert entry.data == data
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: device_api.url}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()


@pytest.mark.parametrize(("url", "error"), BAD_URLS)
async def test_reconfigure_invalid_url(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    scripted_api: ScriptedApi,
    caplog: pytest.LogCaptureFixture,
    url: str,
    error: str,
) -> None:
    """A URL that cannot be requested is refused; the stored device API stays."""
    mock_config_entry.add_to_hass(hass)
    data = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: url.format(port=_port(scripted_api))}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_URL: error}
    assert mock_config_entry.data == data
    assert scripted_api.seen == []
    assert_clean_log(caplog)


async def test_reconfigure_token_needs_a_url(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A token without a URL is refused as in the first step, not silently dropped."""
    mock_config_entry.add_to_hass(hass)
    data = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new-token"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_URL: "url_required"}
    assert mock_config_entry.data == data


async def test_reconfigure_new_origin_never_gets_the_stored_token(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    scripted_api: ScriptedApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A new host is tested without the stored token; a 401 asks for the token."""
    mock_config_entry.add_to_hass(hass)
    data = dict(mock_config_entry.data)
    scripted_api.token = "other-token"
    result = await mock_config_entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_URL: scripted_api.url}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert [token for _, token in scripted_api.seen] == [None, None]
    assert mock_config_entry.data == data
    assert_clean_log(caplog)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_URL: scripted_api.url, CONF_API_TOKEN: "other-token"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert mock_config_entry.data == {
        CONF_API_URL: scripted_api.url,
        CONF_API_TOKEN: "other-token",
    }
    assert f"Bearer {TOKEN}" not in {token for _, token in scripted_api.seen}


async def test_reconfigure_new_origin_without_auth_stores_no_token(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, scripted_api: ScriptedApi
) -> None:
    """A new host that needs no token is stored without the old one."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: scripted_api.url}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert mock_config_entry.data == {CONF_API_URL: scripted_api.url}
    assert {token for _, token in scripted_api.seen} == {None}


async def test_reconfigure_adds_a_device_api(
    hass: HomeAssistant, scripted_api: ScriptedApi
) -> None:
    """An entry without a device API gets one; there is no stored token to send."""
    dogs = [dog_options(**{CONF_GPS_SOURCE: COLLAR})]
    entry = MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: dogs})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: scripted_api.url}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data == {CONF_API_URL: scripted_api.url}
    assert {token for _, token in scripted_api.seen} == {None}
