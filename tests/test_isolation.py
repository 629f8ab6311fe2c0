"""Manual isolation: pawcontrol.isolate_circuit_breaker opens a circuit until a reset."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import FAST, get_statistics, restarted, tick


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Locate Buddy through the device API; refresh every 15 s."""
    return entry_options | {CONF_DOGS: [dog_options()], **FAST}


async def _isolate(hass: HomeAssistant, name: str, **kwargs: Any) -> Any:
    """Call pawcontrol.isolate_circuit_breaker and return its response."""
    return await hass.services.async_call(
        DOMAIN,
        "isolate_circuit_breaker",
        {"circuit_name": name},
        blocking=True,
        return_response=True,
        **kwargs,
    )


async def test_isolate_until_reset(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """An isolated circuit rejects every call, never half-opens, raises no repair."""
    events = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    assert await _isolate(hass, "dog_buddy") == {"isolated": ["dog_buddy"]}
    assert [(e.data["to_state"], e.data["reason"]) for e in events] == [
        ("open", "isolated")
    ]
    stats = (await get_statistics(hass))["circuit_breakers"]["dog_buddy"]
    assert (stats["state"], stats["isolated"], stats["open_remaining"]) == (
        "open",
        True,
        None,
    )
    circuit = hass.states.get("binary_sensor.buddy_device_connection")
    assert (circuit.state, circuit.attributes["isolated"]) == ("on", True)
    requests = len(device_api.requests)
    for _ in range(30):  # 7.5 minutes: no probe, no repair
        await tick(hass, freezer)
    assert len(device_api.requests) == requests
    assert ir.async_get(hass).async_get_issue(DOMAIN, "circuit_open_dog_buddy") is None
    assert len(events) == 1
    await hass.services.async_call(
        DOMAIN, "reset_circuit_breaker", {"circuit_name": "dog_buddy"}, blocking=True
    )
    await tick(hass, freezer)
    assert len(device_api.requests) > requests
    stats = (await get_statistics(hass))["circuit_breakers"]["dog_buddy"]
    assert (stats["state"], stats["isolated"]) == ("closed", False)


async def test_isolate_all_admin_only_and_unknown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """Only admins isolate; "all" isolates every circuit; unknown names are refused."""
    with pytest.raises(Unauthorized):
        await _isolate(hass, "all", context=Context(user_id=hass_read_only_user.id))
    with pytest.raises(ServiceValidationError) as err:
        await _isolate(hass, "dog_nobody")
    assert err.value.translation_key == "unknown_circuit"
    assert await _isolate(hass, "all") == {"isolated": ["dog_buddy"]}
    assert (await get_statistics(hass))["summary"]["isolated"] == 1


async def test_isolation_survives_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """A new Home Assistant on the same storage keeps the circuit isolated."""
    await _isolate(hass, "dog_buddy")
    requests = len(device_api.requests)
    async with restarted(hass, init_integration) as (second, entry, events):
        stats = await get_statistics(second)
        breaker = stats["circuit_breakers"]["dog_buddy"]
        assert (breaker["state"], breaker["isolated"]) == ("open", True)
        # Isolated: no call to the device, and the entry loads all the same.
        assert len(device_api.requests) == requests
        assert entry.state is ConfigEntryState.LOADED
        # A circuit restored open at start does not look like a new opening.
        assert events == []
        state = second.states.get("binary_sensor.buddy_device_connection")
        assert state is not None
        assert state.state == "on"
