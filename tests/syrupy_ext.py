"""Snapshots that read the same on every Home Assistant release we test.

One set of snapshot files serves 2025.4, 2026.2 and 2026.10. Entity registry
entries are serialized by the same rules as Home Assistant's own extension,
except for the fields Home Assistant changed between those releases:
``aliases`` (a set in 2025.4, a list later, which from 2026.10 on holds a
marker for "the entity's own name") is written as a sorted list of the aliases
a user gave, and the fields that only newer releases have (listed in
`RELEASE_ONLY_FIELDS`) are left out. Every other field is compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, override

import attr
from homeassistant.core import State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.syrupy import (
    ANY,
    EntityRegistryEntrySnapshot,
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
    StateSnapshot,
)


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return attributes with plain string keys, without the release-only ones.

    Home Assistant 2026.10 keys attributes with StrEnum members, whose repr
    differs from the plain strings of earlier releases; the values are the same.
    """
    if attributes is None:
        return None
    return {
        str(key): value
        for key, value in attributes.items()
        if key not in RELEASE_ONLY_ATTRIBUTES
    }


# Fields that exist only in some of the releases we test; see the module docstring.
RELEASE_ONLY_FIELDS: Final = frozenset(
    {
        "object_id_base",  # 2026.2 and later
        "suggested_object_id",  # 2026.2 and later
        "compat_aliases",  # 2026.10 and later
        "original_name_unprefixed",  # 2026.10 and later
    }
)
# What Home Assistant 2026.10 adds to every device tracker (state and capabilities),
# and the tracker's battery_level, which PawControl sets only before 2026.7.
RELEASE_ONLY_ATTRIBUTES: Final = frozenset(
    {"in_zones", "tracking_type", "battery_level"}
)
# Fields Home Assistant's own extension leaves out: random ids, timestamps, caches.
VOLATILE_FIELDS: Final = frozenset(
    {"_cache", "categories", "created_at", "modified_at"}
)


class PawControlSnapshotSerializer(HomeAssistantSnapshotSerializer):
    """Home Assistant's serializer with release-independent registry entries."""

    @classmethod
    @override
    def _serializable_entity_registry_entry(
        cls, data: er.RegistryEntry
    ) -> EntityRegistryEntrySnapshot:
        """Return the entry's fields as every tested release has them."""
        fields: dict[str, Any] = attr.asdict(data, recurse=False)
        for name in RELEASE_ONLY_FIELDS | VOLATILE_FIELDS:
            fields.pop(name, None)
        fields |= {
            # None when empty, as Home Assistant stores capabilities.
            "capabilities": _attributes(data.capabilities) or None,
            "aliases": sorted(
                alias for alias in data.aliases if isinstance(alias, str)
            ),
            "config_entry_id": ANY,
            "config_subentry_id": ANY,
            "device_id": ANY,
            "id": ANY,
            "options": {key: dict(value) for key, value in data.options.items()},
        }
        return EntityRegistryEntrySnapshot(fields)

    @classmethod
    @override
    def _serializable_state(cls, data: State) -> StateSnapshot:
        """Return the state as Home Assistant's extension does, keys as strings."""
        fields = data.as_dict() | {
            "attributes": _attributes(data.attributes),
            "context": ANY,
            "last_changed": ANY,
            "last_reported": ANY,
            "last_updated": ANY,
        }
        return StateSnapshot(fields)


class PawControlSnapshotExtension(HomeAssistantSnapshotExtension):
    """Syrupy extension with the release-independent serializer."""

    serializer_class = PawControlSnapshotSerializer
