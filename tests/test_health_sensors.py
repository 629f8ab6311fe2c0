"""Numeric health sensors on the hub: long-term charts of the statistics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DATA_RESILIENCE

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, get_statistics, tick

SENSORS = {
    "sensor.pawcontrol_open_circuits": ("measurement", None),
    "sensor.pawcontrol_retry_success_rate": ("measurement", "%"),
    "sensor.pawcontrol_cache_hit_rate": ("measurement", "%"),
    "sensor.pawcontrol_rejected_calls": ("total_increasing", None),
    "sensor.pawcontrol_retries": ("total_increasing", None),
}


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Locate Buddy through the device API; refresh every 15 s; retry at once."""
    return entry_options | {CONF_DOGS: [dog_options()], **FAST}


def _numbers(hass: HomeAssistant) -> dict[str, str]:
    """Return the states of the health sensors."""
    return {entity_id: hass.states.get(entity_id).state for entity_id in SENSORS}


def _expected(stats: dict[str, Any]) -> dict[str, str]:
    """Return what the sensors must show for these statistics."""
    summary, cache = stats["summary"], stats["cache"]

    def percent(ratio: float | None) -> str:
        return STATE_UNAVAILABLE if ratio is None else str(round(ratio * 100, 1))

    return {
        "sensor.pawcontrol_open_circuits": str(summary["open"]),
        "sensor.pawcontrol_retry_success_rate": percent(summary["retry_success_rate"]),
        "sensor.pawcontrol_cache_hit_rate": "unknown"
        if cache["hit_rate"] is None
        else str(round(cache["hit_rate"] * 100, 1)),
        "sensor.pawcontrol_rejected_calls": str(summary["rejected_calls"]),
        "sensor.pawcontrol_retries": str(summary["retries"]),
    }


async def test_health_sensors_are_diagnostic_and_chartable(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each is a diagnostic entity of the hub with a state class for statistics."""
    registry = er.async_get(hass)
    for entity_id, (state_class, unit) in SENSORS.items():
        entry = registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.entity_category == "diagnostic"
        state = hass.states.get(entity_id)
        assert state.attributes["state_class"] == state_class
        assert state.attributes.get("unit_of_measurement") == unit
    assert hass.states.get("sensor.pawcontrol_retry_success_rate").state == (
        STATE_UNAVAILABLE
    )


async def test_health_sensors_equal_get_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    init_integration: MockConfigEntry,
) -> None:
    """Through an outage and a recovery the sensors show the service's numbers."""
    for mode in (Mode.ERROR_500, Mode.ERROR_500, Mode.ERROR_500, Mode.ERROR_500):
        device_api.mode = mode
        await tick(hass, freezer)
        await tick(hass, freezer, 1)
        assert _numbers(hass) == _expected(await get_statistics(hass))
    assert hass.states.get("sensor.pawcontrol_open_circuits").state == "1"
    assert int(hass.states.get("sensor.pawcontrol_rejected_calls").state) >= 1
    device_api.mode = Mode.HEALTHY
    for _ in range(6):
        await tick(hass, freezer)
    await tick(hass, freezer, 1)
    assert _numbers(hass) == _expected(await get_statistics(hass))
    assert hass.states.get("sensor.pawcontrol_open_circuits").state == "0"


async def test_bursts_write_at_most_once_per_second(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """1,000 quick statistics changes write each sensor's state at most twice."""
    writes: list[str] = []
    entity_id = "sensor.pawcontrol_cache_hit_rate"

    @callback
    def only_ours(event_data: Mapping[str, Any]) -> bool:
        return bool(event_data["entity_id"] == entity_id)

    @callback
    def count(event: Event[Any]) -> None:
        writes.append(event.event_type)

    freezer.tick(5)
    # A write with an unchanged state is "reported", a changed one "changed".
    for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(event_type, count, event_filter=only_ours)
    resilience = hass.data[DATA_RESILIENCE]
    for index in range(1000):
        resilience.record_cache(hit=index % 2 == 0)
    await hass.async_block_till_done()
    assert len(writes) <= 1
    await tick(hass, freezer, 1)
    assert len(writes) <= 2
    stats = await get_statistics(hass)
    assert hass.states.get("sensor.pawcontrol_cache_hit_rate").state == str(
        round(stats["cache"]["hit_rate"] * 100, 1)
    )
