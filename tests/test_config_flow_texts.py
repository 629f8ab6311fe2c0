"""What the config flow tells a new user: URL refusals, a second PawControl, retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.loader import async_get_integration_descriptions
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_WEATHER_ENTITY,
    DOMAIN,
)

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer
from .helpers import shown_errors, suggested_values, translated

COLLAR = "device_tracker.buddy_collar"
EXAMPLE = "for example http://192.168.1.20:8080"
MANIFEST = Path(__file__).parents[1] / "custom_components" / DOMAIN / "manifest.json"


async def _start(hass: HomeAssistant) -> Any:
    """Start a user flow and return its first form."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )


@pytest.mark.parametrize(
    ("url", "error", "text"),
    [
        pytest.param(
            "http://127.0.0.1:8765?x=1",
            "url_query_or_fragment",
            "The URL has a query or a fragment (a part from ? or # on), which the"
            f" device API URL must not have. Enter only the base address, {EXAMPLE}.",
            id="query",
        ),
        pytest.param(
            "http://127.0.0.1:8765/#fragment",
            "url_query_or_fragment",
            "The URL has a query or a fragment (a part from ? or # on), which the"
            f" device API URL must not have. Enter only the base address, {EXAMPLE}.",
            id="fragment",
        ),
        pytest.param(
            "ftp://127.0.0.1:8765",
            "invalid_url",
            f"Enter a URL that starts with http:// or https://, {EXAMPLE}.",
            id="scheme",
        ),
        pytest.param(
            "http://127.0.0.1:87650",
            "url_invalid_port",
            f"The port after the host must be a whole number from 1 to 65535, {EXAMPLE}.",
            id="port",
        ),
        pytest.param(
            "http://[fd00::20:8765",
            "url_invalid_host",
            "There is no valid host after http:// or https://. Enter a host name or"
            f" an IP address, {EXAMPLE}; an IPv6 address goes in square brackets.",
            id="host",
        ),
        pytest.param(
            "http://127.0.0.1:8765/ api",
            "url_has_spaces",
            "The URL contains a space, a line break or another invisible character."
            " Enter the URL without it.",
            id="space",
        ),
        pytest.param(
            "http://127.0.0.1:8765/" + "a" * 1980,
            "url_too_long",
            "The URL is longer than 2000 characters. Enter only the base address of"
            f" the device API, {EXAMPLE}.",
            id="length",
        ),
    ],
)
async def test_each_url_refusal_says_what_is_wrong(
    hass: HomeAssistant, url: str, error: str, text: str
) -> None:
    """Each reason has its own text, and the form keeps the typed URL."""
    result = await _start(hass)
    typed = {"name": "Buddy", CONF_GPS_SOURCE: COLLAR, CONF_API_URL: url}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {CONF_API_URL: error}
    assert await shown_errors(hass, result) == [text]
    assert suggested_values(result) == typed


async def test_user_form_shown_again_keeps_what_was_typed(hass: HomeAssistant) -> None:
    """Every field of a refused first step shows the user's input, nothing else."""
    result = await _start(hass)
    assert suggested_values(result) == {}
    typed = {
        "name": "Buddy",
        CONF_GPS_SOURCE: COLLAR,
        CONF_WEATHER_ENTITY: "weather.home",
        CONF_NOTIFY_SERVICES: ["notify.nobody"],
        CONF_NOTIFY_ENTITIES: ["notify.kitchen"],
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {CONF_NOTIFY_SERVICES: "unknown_notify_service"}
    assert suggested_values(result) == typed


async def test_reconfigure_keeps_an_emptied_url_empty(
    hass: HomeAssistant, device_api: DeviceApiServer
) -> None:
    """A refused empty URL stays empty under the error; the stored one is not back.

    The error speaks of the one dog the device API locates.
    """
    data = {CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}
    entry = MockConfigEntry(
        domain=DOMAIN, data=data, options={CONF_DOGS: [dog_options()]}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert suggested_values(result) == {CONF_API_URL: device_api.url}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {CONF_API_URL: "device_api_locates_dog"}
    assert await shown_errors(hass, result) == [
        "The device API is the only location source of Buddy. Give Buddy a GPS"
        " source in the options first, then remove the device API."
    ]
    key = "config.error.device_api_locates_dog"
    assert await translated(hass, key, result["description_placeholders"], "de") == (
        "Die Geräte-API ist die einzige Standortquelle für Buddy. Gib Buddy zuerst"
        " in den Optionen eine GPS-Quelle und entferne dann die Geräte-API."
    )
    assert suggested_values(result) == {}
    typed = {CONF_API_URL: "http://dog.local?x=1", CONF_API_TOKEN: "new-token"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], typed)
    assert result["errors"] == {CONF_API_URL: "url_query_or_fragment"}
    assert suggested_values(result) == typed
    assert entry.data == data
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: device_api.url}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()


async def test_reauth_form_shown_again_keeps_the_typed_token(
    hass: HomeAssistant, device_api: DeviceApiServer, mock_config_entry: MockConfigEntry
) -> None:
    """A refused token stays in the field to be corrected; none is shown at first."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert suggested_values(result) == {}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "pawcontrol-typo"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested_values(result) == {CONF_API_TOKEN: "pawcontrol-typo"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()


ADD_DOGS = (
    "PawControl is already set up, and one PawControl holds all your dogs. To add"
    " a dog, open Settings → Devices & services → PawControl → Configure and"
    " choose “Add a dog”."
)


async def test_second_pawcontrol_points_to_adding_dogs(hass: HomeAssistant) -> None:
    """Adding PawControl again aborts with PawControl's own text, in en and de."""
    MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]}).add_to_hass(
        hass
    )
    result = await _start(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "add_dogs_in_options"
    assert await translated(hass, "config.abort.add_dogs_in_options") == ADD_DOGS
    german = await translated(hass, "config.abort.add_dogs_in_options", None, "de")
    assert "Einstellungen → Geräte & Dienste → PawControl → Konfigurieren" in german


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> TestClient:
    """Return a client of Home Assistant's HTTP API, which the frontend uses."""
    assert await async_setup_component(hass, "config", {})
    return await hass_client()


async def test_add_hub_in_the_frontend_reaches_the_flow(
    hass: HomeAssistant, client: TestClient
) -> None:
    """The frontend starts the flow, which shows our text, not Home Assistant's.

    With the manifest's single_config_entry, the frontend (2025.4 to 2026.10)
    shows its own "only one configuration" dialog without starting the flow,
    and Home Assistant aborts with its own single_instance_allowed.
    """
    assert "single_config_entry" not in json.loads(MANIFEST.read_text())
    # What the websocket command integration/descriptions sends the frontend.
    descriptions = await async_get_integration_descriptions(hass)
    assert descriptions["custom"]["integration"][DOMAIN]["single_config_entry"] is False
    MockConfigEntry(domain=DOMAIN, options={CONF_DOGS: [dog_options()]}).add_to_hass(
        hass
    )
    response = await client.post(
        "/api/config/config_entries/flow", json={"handler": DOMAIN}
    )
    assert response.status == 200, await response.text()
    result = await response.json()
    assert (result["type"], result["reason"]) == ("abort", "add_dogs_in_options")
    assert result["description_placeholders"] is None


async def test_second_flow_finished_after_the_first_aborts(
    hass: HomeAssistant,
) -> None:
    """Two setup dialogs open at once create one entry; the other one aborts."""
    first, second = await _start(hass), await _start(hass)
    typed = {"name": "Buddy", CONF_GPS_SOURCE: COLLAR}
    result = await hass.config_entries.flow.async_configure(first["flow_id"], typed)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new entry's setup
    result = await hass.config_entries.flow.async_configure(second["flow_id"], typed)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "add_dogs_in_options"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_entry_created_while_validating_aborts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A dialog whose device API check outlasts another dialog's setup aborts."""
    first, second = await _start(hass), await _start(hass)

    async def health(method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        """Let the first dialog create the entry while the second one waits."""
        result = await hass.config_entries.flow.async_configure(
            first["flow_id"], {"name": "Buddy", CONF_GPS_SOURCE: COLLAR}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        return AiohttpClientMockResponse(method, url, json={"status": "ok"})

    aioclient_mock.get("http://dog.local/api/v1/health", side_effect=health)
    aioclient_mock.get("http://dog.local/api/v1/dogs/luna/status", status=404)
    result = await hass.config_entries.flow.async_configure(
        second["flow_id"], {"name": "Luna", CONF_API_URL: "http://dog.local"}
    )
    await hass.async_block_till_done()  # the first entry's setup
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "add_dogs_in_options"
    assert aioclient_mock.call_count == 2
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert [dog["name"] for dog in entry.options[CONF_DOGS]] == ["Buddy"]
