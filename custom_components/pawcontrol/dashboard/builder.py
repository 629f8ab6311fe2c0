"""The PawControl dashboard of the dogs configured now, in the viewer's language.

The dashboard strategy (``pawcontrol-strategy.js``) asks for it over the
websocket each time the dashboard opens, so a dog added in the options
appears and a removed one disappears without any YAML. Only entities that
exist and are enabled in the entity registry get a card: there is never a
card for a missing entity. Entity ids come from the registry by unique id,
so a renamed entity stays on the dashboard; row names are the entity's own
name (the user's, else its translation in the viewer's language).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
import math
from typing import Any, Final

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..coordinator import dog_breaker_name
from ..data import DogConfig, PawControlConfigEntry
from ..entity import circuit_unique_id, dog_unique_id, hub_unique_id
from .texts import STALE_NOTICE, STATISTICS_TABLE

# The dog's cards, in order: (title label or None for tiles, rows).
WALKS: Final = (
    (Platform.SENSOR, "walks_today"),
    (Platform.SENSOR, "walk_distance_today"),
    (Platform.SENSOR, "last_walk"),
    (Platform.SENSOR, "last_walk_duration"),
    (Platform.BINARY_SENSOR, "needs_walk"),
    (Platform.BUTTON, "start_walk"),
    (Platform.BUTTON, "end_walk"),
)
FEEDING: Final = (
    (Platform.SENSOR, "meals_today"),
    (Platform.SENSOR, "food_today"),
    (Platform.SENSOR, "last_fed"),
    (Platform.BINARY_SENSOR, "needs_feeding"),
    (Platform.SENSOR, "weight"),
    (Platform.BUTTON, "fed"),
)
COLLAR: Final = (
    (Platform.SENSOR, "battery"),
    (Platform.BINARY_SENSOR, "battery_low"),
    (Platform.BINARY_SENSOR, "charging"),
    (Platform.SENSOR, "activity"),
    (Platform.BINARY_SENSOR, "connectivity"),
    (Platform.BINARY_SENSOR, "not_reporting"),
    (Platform.SENSOR, "last_update"),
)
HEALTH: Final = (
    "statistics",
    "open_circuits",
    "rejected_calls",
    "retries",
    "retry_success_rate",
    "cache_hit_rate",
)
MAP_ZOOM: Final = 15
FULL: Final = {"columns": "full"}


@dataclass(frozen=True, slots=True)
class Texts:
    """The dashboard's labels and entity names in one language."""

    labels: dict[str, str]
    entity_names: dict[str, str]

    def label(self, key: str) -> str:
        """Return the label ``key`` (Home Assistant fills gaps with English)."""
        return self.labels.get(key, key)

    def name(self, entry: er.RegistryEntry) -> str | None:
        """Return the name the user gave the entity, else its translated name."""
        if entry.name:
            return entry.name
        key = f"component.{DOMAIN}.entity.{entry.domain}.{entry.translation_key}.name"
        return self.entity_names.get(key) or entry.original_name


async def async_texts(hass: HomeAssistant, language: str) -> Texts:
    """Load PawControl's dashboard labels and entity names in ``language``."""
    common = await async_get_translations(hass, language, "common", {DOMAIN})
    prefix = f"component.{DOMAIN}.common.dashboard_"
    labels = {
        key.removeprefix(prefix): text
        for key, text in common.items()
        if key.startswith(prefix)
    }
    names = await async_get_translations(hass, language, "entity", {DOMAIN})
    return Texts(labels, names)


class DashboardBuilder:
    """Build the dashboard of one loaded PawControl entry."""

    def __init__(
        self, hass: HomeAssistant, entry: PawControlConfigEntry, texts: Texts
    ) -> None:
        """Look entities up in the registry of ``hass``."""
        self._registry = er.async_get(hass)
        self._entry = entry
        self._texts = texts

    def build(self) -> dict[str, Any]:
        """Return the dashboard: a section per dog and the resilience section."""
        sections = [self._dog(dog) for dog in self._entry.runtime_data.dogs.values()]
        sections.append(self._resilience())
        return {
            "title": "PawControl",
            "views": [
                {
                    "title": self._texts.label("view"),
                    "path": "dogs",
                    "icon": "mdi:dog-side",
                    "type": "sections",
                    "max_columns": 3,
                    "sections": sections,
                }
            ],
        }

    def _entity(self, platform: Platform, unique_id: str) -> er.RegistryEntry | None:
        """Return the enabled registry entry of an entity, None when it has none."""
        entity_id = self._registry.async_get_entity_id(platform, DOMAIN, unique_id)
        if entity_id is None:
            return None
        entry = self._registry.async_get(entity_id)
        return entry if entry is not None and entry.disabled_by is None else None

    def _dog_entity(
        self, dog: DogConfig, platform: Platform, key: str
    ) -> er.RegistryEntry | None:
        """Return a dog's entity by its key, None when it does not exist."""
        return self._entity(
            platform, dog_unique_id(self._entry.entry_id, dog.dog_id, key)
        )

    def _rows(self, found: list[er.RegistryEntry | None]) -> list[dict[str, Any]]:
        """Return entities-card rows for the entities that exist."""
        return [
            {"entity": entry.entity_id, "name": self._texts.name(entry)}
            for entry in found
            if entry is not None
        ]

    def _dog(self, dog: DogConfig) -> dict[str, Any]:
        """Return the dog's section: name, stale notice, map, walks, food, collar."""
        find = partial(self._dog_entity, dog)
        cards: list[dict[str, Any]] = [
            {"type": "heading", "heading": dog.name, "icon": "mdi:dog"}
        ]
        source = find(Platform.BINARY_SENSOR, "connectivity")
        if source is not None:
            cards.append(self._stale_notice(source.entity_id))
        tracker = find(Platform.DEVICE_TRACKER, "location")
        if tracker is not None:
            cards.append(
                {
                    "type": "map",
                    "entities": [tracker.entity_id, "zone.home"],
                    "hours_to_show": _hours_today(),
                    "default_zoom": MAP_ZOOM,
                    "grid_options": FULL,
                }
            )
        for key, platform, content in (
            ("walk_advice", Platform.SENSOR, ["state", "reason"]),
            ("walk_in_progress", Platform.BINARY_SENSOR, None),
        ):
            if (entity := find(platform, key)) is not None:
                tile: dict[str, Any] = {
                    "type": "tile",
                    "entity": entity.entity_id,
                    "name": self._texts.name(entity),
                    "grid_options": FULL,
                }
                if content:
                    tile["state_content"] = content
                cards.append(tile)
        circuit = self._entity(
            Platform.BINARY_SENSOR,
            circuit_unique_id(self._entry.entry_id, dog_breaker_name(dog.dog_id)),
        )
        for title, rows in (("walks", WALKS), ("feeding", FEEDING)):
            self._add_entities(cards, title, [find(p, k) for p, k in rows])
        if (tasks := find(Platform.TODO, "care_tasks")) is not None:
            cards.append(
                {
                    "type": "todo-list",
                    "entity": tasks.entity_id,
                    "title": self._texts.name(tasks),
                }
            )
        self._add_entities(cards, "collar", [*(find(p, k) for p, k in COLLAR), circuit])
        return {"type": "grid", "cards": cards}

    def _add_entities(
        self,
        cards: list[dict[str, Any]],
        title: str,
        found: list[er.RegistryEntry | None],
    ) -> None:
        """Add an entities card of the entities that exist, if any does."""
        if entities := self._rows(found):
            cards.append(
                {
                    "type": "entities",
                    "title": self._texts.label(title),
                    "state_color": True,
                    "entities": entities,
                }
            )

    def _stale_notice(self, source: str) -> dict[str, Any]:
        """Return a card shown only while the dog's data is not fresh."""
        label = self._texts.label
        content = STALE_NOTICE.substitute(
            since=f"state_attr('{source}', 'stale_since')"
            f" or state_attr('{source}', 'last_success')",
            fmt=_quoted(label("time_format")),
            stale=label("stale").replace("{time}", "{{ when }}"),
            never=label("no_data"),
        )
        return {
            "type": "markdown",
            "content": content,
            "grid_options": FULL,
            "visibility": [{"condition": "state", "entity": source, "state": "off"}],
        }

    def _resilience(self) -> dict[str, Any]:
        """Return the resilience section: circuits, open circuits, health."""
        entry_id = self._entry.entry_id
        health = [
            self._entity(Platform.SENSOR, hub_unique_id(entry_id, key))
            for key in HEALTH
        ]
        statistics = health[0]
        open_circuits = health[1]
        cards: list[dict[str, Any]] = [
            {
                "type": "heading",
                "heading": self._texts.label("resilience"),
                "icon": "mdi:shield-check",
            }
        ]
        if statistics is not None:
            cards.append(
                {
                    "type": "markdown",
                    "content": self._table(statistics.entity_id, health),
                }
            )
        if open_circuits is not None:
            cards.append(
                {
                    "type": "history-graph",
                    "title": self._texts.name(open_circuits),
                    "hours_to_show": 24,
                    "entities": [open_circuits.entity_id],
                }
            )
        if rows := self._rows(health):
            cards.append(
                {
                    "type": "entities",
                    "title": self._texts.label("health"),
                    "entities": rows,
                }
            )
        return {"type": "grid", "cards": cards}

    def _table(self, statistics: str, health: list[er.RegistryEntry | None]) -> str:
        """Return the markdown of the circuits table, its words translated."""
        label = self._texts.label
        summary = label("summary")
        # The statistics attribute holds no count that grows with every call;
        # the health sensors do.
        rejected, retries = (
            f"{{{{ states('{entity.entity_id}') }}}}" if entity else "-"
            for entity in health[2:4]
        )
        for placeholder, value in (
            ("{open}", "{{ stats.summary.open }}"),
            ("{total}", "{{ stats.summary.total }}"),
            ("{rejected}", rejected),
            ("{retries}", retries),
        ):
            summary = summary.replace(placeholder, value)
        words = {
            key: _quoted(label(key))
            for key in ("closed", "open", "half_open", "isolated")
        }
        return STATISTICS_TABLE.substitute(
            statistics=statistics,
            summary=summary,
            circuit=label("circuit"),
            state=label("state"),
            failures=label("failures"),
            opened=label("opened"),
            reopened=label("reopened"),
            unavailable=label("unavailable"),
            **words,
        )


def _hours_today() -> int:
    """Return the hours since local midnight, begun: the map's line is today's path.

    The strategy builds the dashboard each time it opens, so the line starts
    at the day's start whenever the user looks (at least the last hour).
    """
    now = dt_util.now()
    elapsed = now - dt_util.start_of_local_day(now)
    return max(1, math.ceil(elapsed.total_seconds() / 3600))


def _quoted(text: str) -> str:
    """Return ``text`` safe inside a single-quoted template string."""
    return text.replace("\\", "").replace("'", "\u2019")
