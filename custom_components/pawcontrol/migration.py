"""Config entry migrations: keep every entity and its user customisations."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import LOGGER
from .data import PawControlConfigEntry, dogs_from_options
from .entity import DOG_KEYS, dog_unique_id

__all__ = ["async_migrate_entry"]


async def async_migrate_entry(
    hass: HomeAssistant, entry: PawControlConfigEntry
) -> bool:
    """Migrate an entry written by an older PawControl to the current version."""
    if entry.version > 1:
        # Written by a newer PawControl: refuse rather than guess.
        return False
    if entry.minor_version < 2:
        await _async_prefix_dog_unique_ids(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


async def _async_prefix_dog_unique_ids(
    hass: HomeAssistant, entry: PawControlConfigEntry
) -> None:
    """Move dog entities from ``<entry>_<dog>_<key>`` to ``<entry>_dog_<dog>_<key>``.

    Before, a dog named "Circuit" had ids starting with ``<entry>_circuit_``,
    which the cleanup of removed circuits deleted on every setup. The registry
    entries are renamed in place, so entity ids, names, areas and other user
    settings stay.
    """
    old_ids = {
        f"{entry.entry_id}_{dog_id}_{key}": dog_unique_id(entry.entry_id, dog_id, key)
        for dog_id in dogs_from_options(entry.options)
        for key in DOG_KEYS
    }

    @callback
    def migrate(entity: er.RegistryEntry) -> dict[str, str] | None:
        new_id = old_ids.get(entity.unique_id)
        return None if new_id is None else {"new_unique_id": new_id}

    await er.async_migrate_entries(hass, entry.entry_id, migrate)
    LOGGER.debug("Dog entity unique ids of %s migrated", entry.entry_id)
