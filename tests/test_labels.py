"""Names and words a person reads: circuit entities, repairs, activity, alerts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceNotFound
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.api import (
    PawControlApiAuthError,
    PawControlApiConnectionError,
    PawControlApiNotFoundError,
    PawControlApiResponseError,
    PawControlApiRetryAfterError,
)
from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN
from custom_components.pawcontrol.labels import async_problem_text
from custom_components.pawcontrol.resilience.masking import format_error

from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import FAST, entry_device, repair_text, setup_entry, tick
from .platforms import async_setup_test_platforms

MANIFEST = Path(__file__).parents[1] / "custom_components/pawcontrol/manifest.json"
OPTIONS = ["resting", "sleeping", "walking", "running", "playing", "eating", "unknown"]

# What a breaker stores (format_error of the real exception) -> what a repair says:
# what it means for the user, the code in parentheses.
PROBLEMS = [
    (
        PawControlApiRetryAfterError(503, 30.0),
        "the device API is overloaded or down for maintenance and asks PawControl "
        "to wait 30 s (HTTP 503)",
    ),
    (
        PawControlApiRetryAfterError(503, None),
        "the device API is overloaded or down for maintenance (HTTP 503)",
    ),
    (
        PawControlApiRetryAfterError(429, 120.0),
        "the device API gets more requests than it accepts and asks PawControl "
        "to wait 120 s (HTTP 429)",
    ),
    (
        PawControlApiRetryAfterError(429, None),
        "the device API gets more requests than it accepts and asks PawControl "
        "to slow down (HTTP 429)",
    ),
    (
        PawControlApiResponseError("HTTP 500", 500),
        "the device API has an internal problem and cannot report the dog's data; "
        "your network and the token are fine (HTTP 500)",
    ),
    (
        PawControlApiResponseError("HTTP 502", 502),
        "the device API has an internal problem and cannot report the dog's data; "
        "your network and the token are fine (HTTP 502)",
    ),
    (
        PawControlApiResponseError("HTTP 400", 400),
        "the device API refuses PawControl's request; PawControl or the device may "
        "need an update (HTTP 400)",
    ),
    (
        PawControlApiResponseError("HTTP 302", 302),
        "the device API gave an answer PawControl does not expect (HTTP 302)",
    ),
    (
        PawControlApiResponseError("Malformed JSON from the device API"),
        "the device API sent an answer PawControl cannot read; PawControl or the "
        "device may need an update (unreadable answer)",
    ),
    (
        PawControlApiAuthError("HTTP 401"),
        "the device API refuses PawControl's token: it is wrong or no longer valid "
        "(HTTP 401)",
    ),
    (
        PawControlApiAuthError("HTTP 403"),
        "the device API refuses PawControl's token: it is wrong or no longer valid "
        "(HTTP 403)",
    ),
    (
        PawControlApiNotFoundError("HTTP 404"),
        "the device API does not know this dog: check its ID on the device (HTTP 404)",
    ),
    (
        PawControlApiConnectionError("Timeout talking to the device API"),
        "the device API did not answer in time: it may be switched off, overloaded "
        "or on a slow network (timeout)",
    ),
    (TimeoutError(), "no answer in time (timeout)"),
    (
        PawControlApiConnectionError(
            "Cannot reach the device API: ClientConnectorError (connection refused)"
        ),
        "nothing at the device API's address accepts the connection: the device or "
        "its service is not running, or the port is wrong (connection refused)",
    ),
    (
        PawControlApiConnectionError(
            "Cannot reach the device API: ClientConnectorDNSError"
        ),
        "the name in the device API's address cannot be found: check the address "
        "and your network's name service (name not found)",
    ),
    (
        PawControlApiConnectionError("Cannot reach the device API: ClientOSError"),
        "the device API's address cannot be reached: check the network and that "
        "the device is switched on (no connection)",
    ),
    (
        ServiceNotFound("notify", "gone"),
        "the notification action does not exist",
    ),
    (
        HomeAssistantError("push gateway down"),
        "an unexpected error, see the last_error attribute of the circuit",
    ),
]


@pytest.mark.parametrize(("error", "words"), PROBLEMS)
async def test_problem_in_words(
    hass: HomeAssistant, error: BaseException, words: str
) -> None:
    """A breaker's last error becomes a sentence without type names or "None"."""
    text = await async_problem_text(hass, format_error(error))
    assert text == words
    assert "None" not in text
    assert "Error" not in text


async def test_problem_in_german(hass: HomeAssistant) -> None:
    """The words follow Home Assistant's language."""
    hass.config.language = "de"
    error = format_error(PawControlApiRetryAfterError(503, 30.0))
    assert await async_problem_text(hass, error) == (
        "die Geräte-API ist überlastet oder wird gewartet und bittet PawControl, "
        "30 s zu warten (HTTP 503)"
    )
    error = format_error(PawControlApiResponseError("HTTP 500", 500))
    assert await async_problem_text(hass, error) == (
        "die Geräte-API hat ein internes Problem und kann die Daten des Hundes "
        "nicht liefern; dein Netzwerk und das Token sind in Ordnung (HTTP 500)"
    )


async def test_no_error_is_an_unknown_problem(hass: HomeAssistant) -> None:
    """A circuit without a stored error still gets a sentence."""
    assert (
        await async_problem_text(hass, None)
        == "an unexpected error, see the last_error attribute of the circuit"
    )


@pytest.fixture
def phone(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Register a phone of the mobile app (notify.mobile_app_pixel_7) that fails."""
    MockConfigEntry(domain="mobile_app", data={"device_name": "Pixel 7"}).add_to_hass(
        hass
    )
    received: list[dict[str, Any]] = []

    async def push(call: ServiceCall) -> None:
        received.append(dict(call.data))
        raise HomeAssistantError("push gateway down")

    hass.services.async_register("notify", "mobile_app_pixel_7", push)
    hass.services.async_register("notify", "family_group", push)
    return received


async def test_channel_circuits_are_named_after_their_target(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    phone: list[dict[str, Any]],
) -> None:
    """A phone, a notify entity and a plain action each show a recognisable name."""
    await async_setup_test_platforms(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | FAST
        | {
            CONF_DOGS: [dog_options()],
            "notify_services": ["notify.mobile_app_pixel_7", "notify.family_group"],
            "notify_entities": ["notify.collar_speaker"],
        },
    )
    await setup_entry(hass, entry)
    names = {
        state.entity_id: (state.name, state.attributes["circuit_name"])
        for state in hass.states.async_all("binary_sensor")
        if "circuit_name" in state.attributes
    }
    assert names == {
        "binary_sensor.pawcontrol_notifications_mobile_app_pixel_7": (
            "PawControl Notifications: mobile app Pixel 7",
            "notification_mobile_app_pixel_7",
        ),
        "binary_sensor.pawcontrol_notifications_family_group": (
            "PawControl Notifications: family group",
            "notification_family_group",
        ),
        "binary_sensor.pawcontrol_notifications_collar_speaker": (
            "PawControl Notifications: Collar speaker",
            "notification_notify_collar_speaker",
        ),
    }
    # Three failed alerts open the phone's circuit; five minutes later, a repair.
    for number in range(3):
        await hass.services.async_call(
            DOMAIN, "emergency_alert", {"message": f"Alert {number}"}, blocking=True
        )
    for _ in range(21):
        await tick(hass, freezer, 15)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, "circuit_open_notification_mobile_app_pixel_7"
    )
    assert issue is not None
    title, description = await repair_text(hass, issue)
    assert title == "Notifications: mobile app Pixel 7 are failing"
    assert "the mobile app on Pixel 7 for more than 5 minutes: an unexpected" in (
        description
    )


async def test_hub_shows_the_integration_version(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The hub device's software version is the version in manifest.json."""
    hub = entry_device(hass, init_integration, init_integration.entry_id)
    assert hub is not None
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert hub.sw_version == manifest["version"]


async def test_activity_is_a_translated_enum(
    hass: HomeAssistant, device_api: DeviceApiServer, init_integration: MockConfigEntry
) -> None:
    """The activity sensor lists its states, each translated in en and de."""
    state = hass.states.get("sensor.buddy_activity")
    assert state.state == "walking"
    assert state.attributes["device_class"] == "enum"
    assert state.attributes["options"] == OPTIONS
    for language in ("en", "de"):
        translations = await async_get_translations(hass, language, "entity", {DOMAIN})
        prefix = f"component.{DOMAIN}.entity.sensor.activity.state"
        names = [translations[f"{prefix}.{option}"] for option in OPTIONS]
        assert len(set(names)) == len(OPTIONS), language


async def test_alert_title_shows_the_translated_severity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The alert's persistent notification names the severity in words."""
    hass.config.language = "de"
    response = await hass.services.async_call(
        DOMAIN,
        "emergency_alert",
        {"message": "Buddy ran off", "severity": "warning", "dog": "buddy"},
        blocking=True,
        return_response=True,
    )
    assert response == {"channels": {}, "persistent_notification": True}
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    titles = [item["title"] for item in (await client.receive_json())["result"]]
    assert titles == ["PawControl: Buddy (Warnung)"]
