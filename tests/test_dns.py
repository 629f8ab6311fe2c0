"""Host names resolve through Home Assistant's HTTP client session.

Home Assistant's session resolves names with aiodns, which needs a pycares of
the major version it was written for: on Home Assistant 2025.4 (aiodns 3.2.0)
pycares 5 fails every lookup with ``TypeError: Channel.getaddrinfo()``, and a
device API at ``http://localhost:8765`` showed "Unexpected error". The
requirement files pin a matching pycares per interpreter; these tests fail
when the pin and Home Assistant's aiodns disagree.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.pawcontrol.const import CONF_API_TOKEN, CONF_API_URL, DOMAIN

from .device_api import TOKEN, DeviceApiServer


async def _hello(request: web.Request) -> web.Response:
    """Answer with the host name the client asked for."""
    return web.json_response({"hello": request.host.split(":")[0]})


# The resolver a running Home Assistant builds (aiodns, plus mDNS for `.local`
# names on a mocked zeroconf here), instead of the harness's replacement, which
# newer harnesses bind to the event loop of the whole session.
pytestmark = [
    pytest.mark.usefixtures("disable_mock_zeroconf_resolver", "mock_async_zeroconf"),
    # Where /etc/hosts also maps localhost to ::1 (Debian), pytest-socket blocks
    # that address with a warning and the session goes on to 127.0.0.1.
    pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect"),
]


@pytest.fixture
async def local_port(socket_enabled: None) -> AsyncGenerator[int]:
    """Serve a tiny app on 127.0.0.1 and return its port."""
    app = web.Application()
    app.router.add_get("/hello", _hello)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    yield server.port
    await server.close()


async def test_localhost_resolves_through_hass_session(
    hass: HomeAssistant, local_port: int
) -> None:
    """`localhost` resolves in Home Assistant's shared session."""
    session = async_get_clientsession(hass)
    async with session.get(f"http://localhost:{local_port}/hello") as response:
        assert response.status == 200
        assert await response.json() == {"hello": "localhost"}


async def test_config_flow_accepts_a_device_api_on_localhost(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """A device API URL with a host name creates the entry, as a user types it."""
    url = device_api.url.replace("127.0.0.1", "localhost")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"name": "Buddy", CONF_API_URL: url, CONF_API_TOKEN: TOKEN},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_API_URL: url, CONF_API_TOKEN: TOKEN}
    assert device_api.requests[:2] == ["/api/v1/health", "/api/v1/dogs/buddy/status"]
