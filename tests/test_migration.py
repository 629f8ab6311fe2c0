"""Entry migration: unique ids of different kinds never share a prefix; nothing is lost."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .device_api import DeviceApiServer
from .helpers import setup_entry


async def test_dog_named_circuit_keeps_its_entities(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
    entry_options: dict[str, Any],
) -> None:
    """A dog called "Circuit" from before the migration keeps its entities and names."""
    device_api.statuses["circuit"] = device_api.statuses["buddy"] | {
        "dog_id": "circuit"
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=1,
        data=dict(mock_config_entry.data),
        options=entry_options | {CONF_DOGS: [dog_options("circuit", "Circuit")]},
    )
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    # As 1.0 registered them: "<entry>_<dog>_<key>", which looks like a circuit.
    old = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{entry.entry_id}_circuit_battery",
        config_entry=entry,
        suggested_object_id="circuit_battery",
    )
    registry.async_update_entity(old.entity_id, name="Circuit's collar battery")
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == 2
    migrated = registry.async_get(old.entity_id)
    assert migrated is not None
    assert migrated.unique_id == f"{entry.entry_id}_dog_circuit_battery"
    assert migrated.name == "Circuit's collar battery"
    state = hass.states.get(old.entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == "Circuit's collar battery"
    # A reload (which cleans up removed circuits) leaves the dog's entities alone.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    dog_entities = [
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.unique_id.startswith(f"{entry.entry_id}_dog_circuit_")
    ]
    assert old.entity_id in dog_entities
    # The dog's 5 data entities, its 15 care entities (no weather: no advice),
    # its diary, its care task list and its 3 collar watch sensors (its collar
    # says whether it charges).
    assert len(dog_entities) == 25
    assert registry.async_get(old.entity_id).name == "Circuit's collar battery"


async def test_newer_entry_is_refused(hass: HomeAssistant) -> None:
    """An entry written by a newer major version is not touched."""
    entry = MockConfigEntry(domain=DOMAIN, version=2, options={CONF_DOGS: []})
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
