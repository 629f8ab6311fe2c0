"""Every answer of docs/device-api.md maps to its documented form error and text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import logging
from unittest.mock import MagicMock

from aiohttp import ClientConnectorDNSError, ServerDisconnectedError, web
from aiohttp.client_reqrep import ConnectionKey
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
    DOMAIN,
)

from .conftest import dog_options
from .device_api import ScriptedApi, ok_health
from .helpers import shown_errors

# The English text each documented error shows: specific, never "see the log".
TEXTS = {
    "cannot_connect": "Cannot reach the device API. Check the URL and that the "
    "device is online.",
    "invalid_auth": "The device API refused the token.",
    "invalid_response": "Something answers at this address, but not as a "
    "PawControl device API. Check the URL, including the port and the path.",
    "unknown": "Unexpected error while testing the device API. See the log for "
    "details.",
}


@pytest.fixture
async def scripted_api(socket_enabled: None) -> AsyncGenerator[ScriptedApi]:
    """Run a scripted device API on 127.0.0.1."""
    server = ScriptedApi()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def resetting_url(socket_enabled: None) -> AsyncGenerator[str]:
    """Return a URL on 127.0.0.1 whose server drops every connection unanswered."""

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.transport.abort()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


def assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    """Assert nothing was logged with a traceback and PawControl logged no error."""
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        if record.name.startswith("custom_components.pawcontrol"):
            assert record.levelno < logging.ERROR, record.getMessage()


async def _submit_url(hass: HomeAssistant, url: str) -> dict[str, object]:
    """Start a user flow and submit Buddy with a device API URL."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Buddy", CONF_API_URL: url}
    )
    return dict(result)


async def _assert_error(
    hass: HomeAssistant, result: dict[str, object], error: str
) -> None:
    """Assert the form shows the error with its documented English text."""
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert await shown_errors(hass, result) == [TEXTS[error]]


def _nested(depth: int) -> web.Response:
    """Return a JSON body of `depth` nested arrays."""
    return web.Response(body=b"[" * depth, content_type="application/json")


# The rows of "answer of the health check" that a server can give.
HEALTH_ANSWERS = [
    pytest.param(lambda: web.json_response([]), "invalid_response", id="200-list"),
    pytest.param(
        lambda: web.json_response({"status": "down"}),
        "invalid_response",
        id="200-status-down",
    ),
    pytest.param(lambda: web.Response(status=401), "invalid_auth", id="401"),
    pytest.param(lambda: web.Response(status=403), "invalid_auth", id="403"),
    pytest.param(lambda: web.Response(status=500), "cannot_connect", id="500"),
    pytest.param(lambda: web.Response(status=502), "cannot_connect", id="502"),
    pytest.param(
        lambda: web.Response(status=503, headers={"Retry-After": "30"}),
        "cannot_connect",
        id="503-retry-after",
    ),
    pytest.param(lambda: web.Response(status=503), "cannot_connect", id="503"),
    pytest.param(
        lambda: web.Response(status=429, headers={"Retry-After": "5"}),
        "cannot_connect",
        id="429",
    ),
    pytest.param(lambda: web.Response(status=404), "invalid_response", id="404"),
    pytest.param(lambda: web.Response(status=301), "invalid_response", id="301"),
    pytest.param(
        lambda: web.Response(status=302, headers={"Location": "http://127.0.0.1:9/"}),
        "invalid_response",
        id="302",
    ),
    pytest.param(lambda: web.Response(status=400), "invalid_response", id="400"),
    pytest.param(lambda: web.Response(status=418), "invalid_response", id="418"),
    pytest.param(
        lambda: web.Response(
            text="<html>Router login</html>", content_type="text/html"
        ),
        "invalid_response",
        id="not-json",
    ),
    pytest.param(lambda: _nested(60_000), "invalid_response", id="too-deep"),
    pytest.param(lambda: _nested(100_000), "invalid_response", id="100000-brackets"),
    pytest.param(
        lambda: web.json_response({"status": "ok", "pad": "x" * 100_000}),
        "invalid_response",
        id="larger-than-64-kib",
    ),
]


@pytest.mark.parametrize(("answer", "error"), HEALTH_ANSWERS)
async def test_health_check_answer_shows_its_error(
    hass: HomeAssistant,
    scripted_api: ScriptedApi,
    caplog: pytest.LogCaptureFixture,
    answer: Callable[[], web.Response],
    error: str,
) -> None:
    """Each health answer shows its documented error; fixing the API then works."""
    scripted_api.health = answer
    result = await _submit_url(hass, scripted_api.url)
    await _assert_error(hass, result, error)
    # Only an accepted health check goes on to the dog's status.
    assert [path for path, _ in scripted_api.seen] == ["/api/v1/health"]
    assert_clean_log(caplog)
    scripted_api.health = ok_health
    result = await hass.config_entries.flow.async_configure(
        str(result["flow_id"]), {"name": "Buddy", CONF_API_URL: scripted_api.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_health_ok_goes_on_to_the_dog_status(
    hass: HomeAssistant, scripted_api: ScriptedApi
) -> None:
    """200 with status ok is accepted, then the dog's status is checked."""
    result = await _submit_url(hass, scripted_api.url)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [path for path, _ in scripted_api.seen][:2] == [
        "/api/v1/health",
        "/api/v1/dogs/buddy/status",
    ]


async def test_connection_refused_shows_cannot_connect(
    hass: HomeAssistant, refused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing listening at the address shows cannot_connect."""
    await _assert_error(hass, await _submit_url(hass, refused_url), "cannot_connect")
    assert_clean_log(caplog)


async def test_connection_reset_shows_cannot_connect(
    hass: HomeAssistant, resetting_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A server that drops the connection without an answer shows cannot_connect."""
    await _assert_error(hass, await _submit_url(hass, resetting_url), "cannot_connect")
    assert_clean_log(caplog)


@pytest.mark.usefixtures("disable_mock_zeroconf_resolver")
async def test_unresolvable_host_shows_cannot_connect(
    hass: HomeAssistant,
    socket_enabled: None,
    mock_async_zeroconf: MagicMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A host name that does not resolve (.invalid never does) shows cannot_connect.

    The name goes through Home Assistant's own resolver (the harness swaps in
    one bound to another event loop; its mDNS half runs on a mocked zeroconf).
    Without a reachable DNS server the lookup times out: the same error.
    """
    result = await _submit_url(hass, "http://nonexistent.invalid")
    await _assert_error(hass, result, "cannot_connect")
    assert_clean_log(caplog)


def _dns_error(host: str) -> ClientConnectorDNSError:
    """Return the error aiohttp raises when a host name does not resolve."""
    key = ConnectionKey(host, 80, False, True, None, None, None)
    return ClientConnectorDNSError(key, OSError(-2, "Name or service not known"))


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        pytest.param(_dns_error("dog.local"), "cannot_connect", id="dns-failure"),
        pytest.param(ServerDisconnectedError(), "cannot_connect", id="reset"),
        pytest.param(TimeoutError(), "cannot_connect", id="timeout"),
        pytest.param(RuntimeError("boom"), "unknown", id="other-exception"),
    ],
)
async def test_client_errors_show_their_error(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    shown: str,
) -> None:
    """Errors of the HTTP client map as documented; only the last is logged."""
    aioclient_mock.get("http://dog.local/api/v1/health", exc=error)
    await _assert_error(hass, await _submit_url(hass, "http://dog.local"), shown)
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert bool(tracebacks) == (shown == "unknown")


# The rows of "answer of the dog's status": accepted, or as for the health check.
STATUS_ANSWERS = [
    pytest.param(lambda: web.Response(status=404), None, id="404-unknown-dog"),
    pytest.param(lambda: web.json_response({"dog_id": "rex"}), None, id="bad-body"),
    pytest.param(lambda: web.Response(text="{not json"), None, id="not-json"),
    pytest.param(lambda: web.Response(status=401), "invalid_auth", id="401"),
    pytest.param(lambda: web.Response(status=403), "invalid_auth", id="403"),
    pytest.param(lambda: web.Response(status=500), "cannot_connect", id="500"),
    pytest.param(lambda: web.Response(status=429), "cannot_connect", id="429"),
    pytest.param(lambda: web.Response(status=418), "invalid_response", id="418"),
]


@pytest.mark.parametrize(("answer", "error"), STATUS_ANSWERS)
async def test_dog_status_answer_in_the_first_step(
    hass: HomeAssistant,
    scripted_api: ScriptedApi,
    answer: Callable[[], web.Response],
    error: str | None,
) -> None:
    """The dog's status accepts the token unless it answers an error."""
    scripted_api.status = answer
    result = await _submit_url(hass, scripted_api.url)
    if error is None:
        assert result["type"] is FlowResultType.CREATE_ENTRY
    else:
        await _assert_error(hass, result, error)


@pytest.mark.parametrize(("answer", "error"), STATUS_ANSWERS)
async def test_dog_status_answer_in_reauth(
    hass: HomeAssistant,
    scripted_api: ScriptedApi,
    answer: Callable[[], web.Response],
    error: str | None,
) -> None:
    """Reauth maps the first dog's status answer the same way."""
    scripted_api.status = answer
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_URL: scripted_api.url, CONF_API_TOKEN: "old"},
        options={CONF_DOGS: [dog_options()]},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new"}
    )
    if error is None:
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
    else:
        await _assert_error(hass, dict(result), error)
        assert entry.data[CONF_API_TOKEN] == "old"
