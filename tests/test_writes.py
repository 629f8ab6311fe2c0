"""A refresh writes only what changed: one dog's new fix writes only that dog."""

from __future__ import annotations

from collections import Counter
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import FAST, tick

DOGS = ("buddy", "luna", "max")
LUNA_DISTANCE = "sensor.luna_walk_distance_today"


def _status(dog_id: str, latitude: float) -> dict[str, Any]:
    """Return a collar's status at ``latitude``."""
    return {
        "dog_id": dog_id,
        "location": {"latitude": latitude, "longitude": 13.405, "accuracy": 8.0},
        "battery": 87,
        "activity": "walking",
    }


@pytest.fixture
async def kennel(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up three dogs on the device API, each on an automatic walk."""
    for dog_id in DOGS:
        device_api.statuses[dog_id] = _status(dog_id, 52.52)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options=mock_config_entry.options
        | FAST
        | {CONF_DOGS: [dog_options(dog_id, dog_id.title()) for dog_id in DOGS]},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    for dog_id in DOGS:
        await hass.services.async_call(
            DOMAIN, "start_walk", {"dog": dog_id}, blocking=True
        )
    await tick(hass, freezer)
    return mock_config_entry


def _dog_of(entity_id: str) -> str | None:
    """Return the dog an entity id belongs to (None: the hub)."""
    name = entity_id.split(".", 1)[1]
    return next((d for d in DOGS if name == d or name.startswith(f"{d}_")), None)


async def _writes_of_a_refresh(
    hass: HomeAssistant, entry: MockConfigEntry
) -> Counter[str | None]:
    """Refresh once; return the state writes per dog (None: the hub)."""
    writes: Counter[str | None] = Counter()

    @callback
    def count(event: Event[Any]) -> None:
        writes[_dog_of(event.data["entity_id"])] += 1
        if event.event_type == EVENT_STATE_REPORTED:
            # A write that changed nothing.
            writes["unchanged"] += 1

    @callback
    def every_entity(_event_data: Any) -> bool:
        return True

    unsubs = [
        hass.bus.async_listen(event_type, count, event_filter=every_entity)
        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED)
    ]
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    for unsub in unsubs:
        unsub()
    return writes


async def test_a_refresh_with_nothing_new_writes_nothing(
    hass: HomeAssistant, kennel: MockConfigEntry
) -> None:
    """Three dogs on walks, the same fixes again: no dog entity writes."""
    writes = await _writes_of_a_refresh(hass, kennel)
    assert {dog: writes[dog] for dog in DOGS} == dict.fromkeys(DOGS, 0)
    assert writes["unchanged"] == 0


async def test_a_fix_of_one_dog_writes_only_that_dog(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    kennel: MockConfigEntry,
    device_api: DeviceApiServer,
    entity_registry: er.EntityRegistry,
) -> None:
    """Luna moves on her walk: her entities write, Buddy's and Max's do not."""
    before = hass.states.get(LUNA_DISTANCE)
    # Buddy's and Max's collars have nothing new; Luna's reports a new fix.
    for dog_id in ("buddy", "max"):
        device_api.reported_at[dog_id] = dt_util.utcnow()
    freezer.tick(15)
    device_api.statuses["luna"] = _status("luna", 52.5215)
    writes = await _writes_of_a_refresh(hass, kennel)
    assert writes["buddy"] == 0
    assert writes["max"] == 0
    assert writes["unchanged"] == 0
    luna_entities = [
        e
        for e in er.async_entries_for_config_entry(entity_registry, kennel.entry_id)
        if _dog_of(e.entity_id) == "luna"
    ]
    # Her tracker, her walk distance and the like; never all of her entities.
    assert 0 < writes["luna"] < len(luna_entities)
    assert hass.states.get("device_tracker.luna").attributes["latitude"] == 52.5215
    after = hass.states.get(LUNA_DISTANCE)
    assert before is not None
    assert after is not None
    assert float(after.state) > float(before.state)


async def test_a_quiet_collar_writes_only_its_own_sensor(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    kennel: MockConfigEntry,
    device_api: DeviceApiServer,
) -> None:
    """Luna's collar freezes: at her limit her sensor writes, nobody else's."""
    device_api.reported_at["luna"] = dt_util.utcnow()
    await tick(hass, freezer, 30 * 60 - 15)
    # Buddy's and Max's collars have nothing new in the last 15 s either.
    for dog_id in ("buddy", "max"):
        device_api.reported_at[dog_id] = dt_util.utcnow()
    written: Counter[str] = Counter()

    @callback
    def count(event: Event[Any]) -> None:
        written[event.data["entity_id"]] += 1

    @callback
    def every_entity(_event_data: Any) -> bool:
        return True

    unsubs = [
        hass.bus.async_listen(event_type, count, event_filter=every_entity)
        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED)
    ]
    await tick(hass, freezer)
    for unsub in unsubs:
        unsub()
    assert hass.states.get("binary_sensor.luna_not_reporting").state == "on"
    assert written["binary_sensor.luna_not_reporting"] == 1
    assert [e for e in written if _dog_of(e) in ("buddy", "max")] == []
    assert hass.states.get("binary_sensor.buddy_not_reporting").state == "off"


async def test_a_low_battery_writes_only_its_own_sensors(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    kennel: MockConfigEntry,
    device_api: DeviceApiServer,
) -> None:
    """Max's battery runs low: his battery sensors write; Buddy's and Luna's do not."""
    for dog_id in ("buddy", "luna"):
        device_api.reported_at[dog_id] = dt_util.utcnow()
    device_api.statuses["max"] |= {"battery": 12}
    writes = await _writes_of_a_refresh(hass, kennel)
    assert writes["buddy"] == 0
    assert writes["luna"] == 0
    assert writes["unchanged"] == 0
    assert hass.states.get("binary_sensor.max_battery_low").state == "on"
    assert hass.states.get("sensor.max_battery").state == "12"
