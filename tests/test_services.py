"""Tests for get_statistics, reset_circuit_breaker and emergency_alert."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.template import Template
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, repair_text, tick, translated


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Locate Buddy through the device API; refresh every 15 s; retry without waiting."""
    return entry_options | {
        CONF_DOGS: [dog_options()],
        **FAST,
    }


async def _open_buddy(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device_api: DeviceApiServer
) -> None:
    """Fail three refreshes so that Buddy's circuit opens."""
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer)


async def _call(
    hass: HomeAssistant, service: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    """Call a PawControl service and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, **kwargs
    )


async def test_get_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """The statistics have the documented shape and follow the breaker."""
    statistics = await _call(hass, "get_statistics", {})
    assert set(statistics) == {"circuit_breakers", "summary", "retries", "cache"}
    assert statistics["summary"] == {
        "total": 1,
        "closed": 1,
        "open": 0,
        "half_open": 0,
        "isolated": 0,
        "health": "healthy",
        "rejected_calls": 0,
        "retries": 0,
        "retry_success_rate": None,
    }
    buddy = statistics["circuit_breakers"]["dog_buddy"]
    assert buddy["state"] == "closed"
    assert buddy["total_calls"] == 1
    assert buddy["total_successes"] == 1

    await _open_buddy(hass, freezer, device_api)
    await tick(hass, freezer)
    statistics = await _call(hass, "get_statistics", {"circuit_name": "dog_buddy"})
    assert list(statistics["circuit_breakers"]) == ["dog_buddy"]
    buddy = statistics["circuit_breakers"]["dog_buddy"]
    assert buddy["state"] == "open"
    assert buddy["total_failures"] == 3
    assert buddy["rejected_calls"] == 1
    assert buddy["last_error"] == "PawControlApiResponseError: HTTP 500"
    assert statistics["summary"]["health"] == "critical"
    assert statistics["cache"]["stale_served"] == 4


async def test_get_statistics_of_all_circuits(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The name all, which the error message lists, answers the whole statistics."""
    everything = await _call(hass, "get_statistics", {})
    assert await _call(hass, "get_statistics", {"circuit_name": "all"}) == everything
    assert list(everything["circuit_breakers"]) == ["dog_buddy"]


async def test_get_statistics_unknown_circuit(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An unknown circuit name is a translated validation error listing the valid names."""
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "get_statistics", {"circuit_name": "dog_rex"})
    assert caught.value.translation_key == "unknown_circuit"
    assert caught.value.translation_placeholders == {
        "circuit_name": "dog_rex",
        "valid": "all, dog_buddy",
    }


async def test_statistics_sensor_and_templates(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """The sensor shows the health; the documented templates render the statistics."""
    state = hass.states.get("sensor.pawcontrol_statistics")
    assert state.state == "healthy"
    assert state.attributes["options"] == ["healthy", "degraded", "critical"]
    await _open_buddy(hass, freezer, device_api)
    state = hass.states.get("sensor.pawcontrol_statistics")
    assert state.state == "critical"
    statistics = await _call(hass, "get_statistics", {})
    shown = state.attributes["resilience"]
    # What changes with a circuit; numbers that grow with every call stay in
    # the action's answer, where they cost no state.
    assert set(shown) == {"circuit_breakers", "summary"}
    per_call = {
        "total_calls",
        "total_successes",
        "rejected_calls",
        "last_success_time",
        "open_remaining",
    }
    full = statistics["circuit_breakers"]["dog_buddy"]
    assert shown["circuit_breakers"]["dog_buddy"] == {
        key: value for key, value in full.items() if key not in per_call
    }
    assert shown["summary"] == {
        key: statistics["summary"][key]
        for key in ("total", "closed", "open", "half_open", "isolated", "health")
    }
    rendered = Template(
        "{{ state_attr('sensor.pawcontrol_statistics', 'resilience').summary.open }}",
        hass,
    ).async_render()
    assert rendered == 1
    rendered = Template(
        "{{ states.sensor.pawcontrol_statistics.attributes.resilience.circuit_breakers"
        ".dog_buddy.state }}",
        hass,
    ).async_render()
    assert rendered == "open"


async def test_reset_circuit_breaker(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
    hass_admin_user: MockUser,
) -> None:
    """An admin closes a circuit; its consecutive counts clear and totals stay."""
    events = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    await _open_buddy(hass, freezer, device_api)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "on"
    device_api.mode = Mode.HEALTHY
    response = await _call(
        hass,
        "reset_circuit_breaker",
        {"circuit_name": "dog_buddy"},
        context=Context(user_id=hass_admin_user.id),
    )
    assert response == {"reset": ["dog_buddy"]}
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "off"
    buddy = (await _call(hass, "get_statistics", {}))["circuit_breakers"]["dog_buddy"]
    assert (buddy["state"], buddy["failure_count"], buddy["total_failures"]) == (
        "closed",
        0,
        3,
    )
    assert [
        (e.data["from_state"], e.data["to_state"], e.data["reason"]) for e in events
    ] == [
        ("closed", "open", "failure_threshold"),
        ("open", "closed", "reset"),
    ]
    assert events[0].data["circuit_name"] == "dog_buddy"
    assert events[0].data["failure_count"] == 3
    await tick(hass, freezer)
    assert hass.states.get("sensor.buddy_battery").attributes["stale"] is False


async def test_reset_all_without_response(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The name all resets every circuit; the response is optional."""
    await hass.services.async_call(
        DOMAIN, "reset_circuit_breaker", {"circuit_name": "all"}, blocking=True
    )
    response = await _call(hass, "reset_circuit_breaker", {"circuit_name": "all"})
    assert response == {"reset": ["dog_buddy"]}


async def test_reset_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """Non-admins get Unauthorized; unknown names and users are refused."""
    with pytest.raises(Unauthorized):
        await _call(
            hass,
            "reset_circuit_breaker",
            {"circuit_name": "all"},
            context=Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(UnknownUser):
        await _call(
            hass,
            "reset_circuit_breaker",
            {"circuit_name": "all"},
            context=Context(user_id="nobody"),
        )
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "reset_circuit_breaker", {"circuit_name": "dog_rex"})
    assert caught.value.translation_placeholders["valid"] == "all, dog_buddy"
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "reset_circuit_breaker", {"circuit_name": ""})
    assert caught.value.translation_key == "unknown_circuit"


async def test_repair_after_five_minutes_open(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A circuit open for 5 minutes raises a repair; closing removes it."""
    registry = ir.async_get(hass)
    await _open_buddy(hass, freezer, device_api)
    for _ in range(19):
        await tick(hass, freezer)
    assert registry.async_get_issue(DOMAIN, "circuit_open_dog_buddy") is None
    await tick(hass, freezer, 30)
    issue = registry.async_get_issue(DOMAIN, "circuit_open_dog_buddy")
    assert issue is not None
    assert issue.translation_key == "dog_circuit_open"
    assert issue.translation_placeholders == {
        "dog_name": "Buddy",
        "circuit_name": "dog_buddy",
        "problem": "the device API has an internal problem and cannot report the "
        "dog's data; your network and the token are fine (HTTP 500)",
    }
    title, description = await repair_text(hass, issue)
    assert title == "Buddy: the device connection is failing"
    assert description.startswith(
        "PawControl has had no data from the device of Buddy for more than 5 "
        "minutes: the device API has an internal problem and cannot report the "
        "dog's data; your network and the token are fine (HTTP 500). "
    )
    device_api.mode = Mode.HEALTHY
    for _ in range(12):
        await tick(hass, freezer, 30)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "off"
    assert registry.async_get_issue(DOMAIN, "circuit_open_dog_buddy") is None


async def test_short_outage_raises_no_repair(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A circuit that closes within 5 minutes leaves no repair behind."""
    await _open_buddy(hass, freezer, device_api)
    device_api.mode = Mode.HEALTHY
    for _ in range(4):
        await tick(hass, freezer, 30)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "off"
    await tick(hass, freezer, 600)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "circuit_open_dog_buddy") is None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"message": ""}, "invalid_message"),
        ({"message": "   "}, "invalid_message"),
        ({"message": "x" * 1001}, "invalid_message"),
        ({"message": "hi", "severity": "panic"}, "invalid_severity"),
    ],
)
async def test_emergency_alert_invalid_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad alert input gets a translated error, and nothing is sent."""
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "emergency_alert", data)
    assert caught.value.translation_key == key
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    assert (await client.receive_json())["result"] == []


async def test_emergency_alert_longest_message(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A message of exactly 1000 characters is accepted."""
    assert await _call(hass, "emergency_alert", {"message": "x" * 1000}) == {
        "channels": {},
        "persistent_notification": True,
    }


async def test_emergency_alert_unknown_dog(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An unknown dog is a translated error naming the one dog there is."""
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "emergency_alert", {"message": "hi", "dog": "rex"})
    assert caught.value.translation_key == "unknown_dog_only"
    assert caught.value.translation_placeholders == {"dog": "rex", "valid": "buddy"}
    assert await _error_text(hass, caught.value) == (
        'There is no dog with the ID "rex". PawControl\'s only dog has the ID "buddy".'
    )


async def test_unknown_dog_among_several(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With several dogs, the error lists every valid id."""
    hass.config_entries.async_update_entry(
        init_integration,
        options=init_integration.options
        | {CONF_DOGS: [dog_options(), dog_options("luna", "Luna")]},
    )
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "emergency_alert", {"message": "hi", "dog": "rex"})
    assert caught.value.translation_key == "unknown_dog"
    assert await _error_text(hass, caught.value) == (
        'There is no dog with the ID "rex". Valid IDs: buddy, luna.'
    )


async def _error_text(hass: HomeAssistant, err: ServiceValidationError) -> str:
    """Return a refused call's message as the frontend shows it in English."""
    assert err.translation_key is not None
    key = f"exceptions.{err.translation_key}.message"
    return await translated(hass, key, err.translation_placeholders)


async def test_emergency_alert_not_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without a loaded entry the alert is refused with a translated error."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "emergency_alert", {"message": "hi"})
    assert caught.value.translation_key == "not_loaded"


async def test_services_are_registered(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every service in services.yaml is registered."""
    assert set(hass.services.async_services_for_domain(DOMAIN)) == {
        "get_statistics",
        "reset_circuit_breaker",
        "isolate_circuit_breaker",
        "start_walk",
        "end_walk",
        "log_feeding",
        "log_weight",
        "emergency_alert",
        "add_care_task",
        "export_walk",
    }


@pytest.mark.parametrize(
    ("service", "data", "field"),
    [
        ("get_statistics", {"circuit_name": "x" * 100_000}, "circuit_name"),
        ("reset_circuit_breaker", {"circuit_name": "x" * 100_000}, "circuit_name"),
        ("isolate_circuit_breaker", {"circuit_name": "x" * 100_000}, "circuit_name"),
        ("emergency_alert", {"message": "hi", "dog": "x" * 100_000}, "dog"),
        ("emergency_alert", {"message": "hi", "severity": "x" * 100_000}, "severity"),
    ],
)
async def test_huge_inputs_are_refused_without_echo(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    service: str,
    data: dict[str, Any],
    field: str,
) -> None:
    """100 KB values are refused with a translated error that does not repeat them."""
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, service, data)
    assert caught.value.translation_key == "input_too_long"
    assert caught.value.translation_placeholders["field"] == field
    assert "x" * 100 not in str(caught.value)
    # Home Assistant logs service calls at DEBUG itself; PawControl repeats nothing.
    ours = [r for r in caplog.records if r.name.startswith("custom_components.")]
    assert not any("x" * 100 in r.getMessage() for r in ours)


async def test_unknown_names_are_echoed_short_and_printable(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An unknown name appears in the error only as a short, printable excerpt."""
    name = "dog_\x1b[31mred\u202e" + "y" * 100
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "get_statistics", {"circuit_name": name})
    shown = caught.value.translation_placeholders["circuit_name"]
    assert shown == "dog_?[31mred?" + "y" * 27 + "…"
