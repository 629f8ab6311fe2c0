"""Hub sensors: the resilience statistics and numeric health for long-term charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .data import PawControlConfigEntry
from .entity import hub_device_info, hub_unique_id
from .resilience import ResilienceManager, ResilienceStatistics, TransitionEvent

HEALTH_STATES: Final = ["healthy", "degraded", "critical"]
MIN_WRITE_INTERVAL: Final = timedelta(seconds=1)
"""Health sensors write their state at most this often, however busy PawControl is."""


def _percent(ratio: float | None) -> float | None:
    """Return a 0-1 ratio as a percentage with one decimal."""
    return None if ratio is None else round(ratio * 100, 1)


@dataclass(frozen=True, kw_only=True)
class PawControlHealthSensorDescription(SensorEntityDescription):
    """A number from the statistics, as `get_statistics` reports it."""

    value_fn: Callable[[ResilienceStatistics], StateType]
    # Unavailable (rather than unknown) while there is nothing to measure.
    available_fn: Callable[[ResilienceStatistics], bool] = lambda _stats: True


HEALTH_SENSORS: Final[tuple[PawControlHealthSensorDescription, ...]] = (
    PawControlHealthSensorDescription(
        key="open_circuits",
        translation_key="open_circuits",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: stats["summary"]["open"],
    ),
    PawControlHealthSensorDescription(
        key="retry_success_rate",
        translation_key="retry_success_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: _percent(stats["summary"]["retry_success_rate"]),
        available_fn=lambda stats: stats["summary"]["retry_success_rate"] is not None,
    ),
    PawControlHealthSensorDescription(
        key="cache_hit_rate",
        translation_key="cache_hit_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda stats: _percent(stats["cache"]["hit_rate"]),
    ),
    PawControlHealthSensorDescription(
        key="rejected_calls",
        translation_key="rejected_calls",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda stats: stats["summary"]["rejected_calls"],
    ),
    PawControlHealthSensorDescription(
        key="retries",
        translation_key="retries",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda stats: stats["summary"]["retries"],
    ),
)


class PawControlHubSensor(SensorEntity):
    """A sensor on the hub device that follows the ResilienceManager."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self, entry: PawControlConfigEntry, resilience: ResilienceManager, key: str
    ) -> None:
        """Attach the sensor to the hub device."""
        self._entry = entry
        self._resilience = resilience
        self._attr_unique_id = hub_unique_id(entry.entry_id, key)
        self._attr_device_info = hub_device_info(entry)


class PawControlStatisticsSensor(PawControlHubSensor):
    """The resilience health, with every statistic in the `resilience` attribute."""

    _attr_translation_key = "statistics"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = HEALTH_STATES
    # The attribute can be large and changes often; templates read it from the state machine.
    _unrecorded_attributes = frozenset({"resilience"})

    def __init__(
        self, entry: PawControlConfigEntry, resilience: ResilienceManager
    ) -> None:
        """Attach the sensor to the hub device."""
        super().__init__(entry, resilience, "statistics")

    async def async_added_to_hass(self) -> None:
        """Update on every breaker transition and every coordinator refresh."""
        self.async_on_remove(self._resilience.async_add_listener(self._on_resilience))
        self.async_on_remove(
            self._entry.runtime_data.coordinator.async_add_listener(
                self.async_write_ha_state
            )
        )

    @callback
    def _on_resilience(self, event: TransitionEvent | None) -> None:
        """Write the state when a breaker changed state."""
        if event is not None:
            self.async_write_ha_state()

    @property
    def native_value(self) -> str:
        """Return the health."""
        return self._resilience.statistics()["summary"]["health"]

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the statistics."""
        return {"resilience": self._resilience.statistics()}


class PawControlHealthSensor(PawControlHubSensor):
    """A number from the statistics, written at most once per second."""

    entity_description: PawControlHealthSensorDescription

    def __init__(
        self,
        entry: PawControlConfigEntry,
        resilience: ResilienceManager,
        description: PawControlHealthSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(entry, resilience, description.key)
        self.entity_description = description
        self._last_write: datetime | None = None
        self._unsub_write: CALLBACK_TYPE | None = None
        self._written: tuple[bool, StateType] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow every statistics change."""
        self.async_on_remove(self._resilience.async_add_listener(self._on_change))
        self.async_on_remove(self._cancel_write)

    @callback
    def _on_change(self, _event: TransitionEvent | None) -> None:
        """Write now, or once when a second has passed since the last write."""
        if self._unsub_write is not None:
            return
        now = dt_util.utcnow()
        if self._last_write is None or now - self._last_write >= MIN_WRITE_INTERVAL:
            self._write(now)
            return
        wait = MIN_WRITE_INTERVAL - (now - self._last_write)
        self._unsub_write = async_call_later(self.hass, wait, self._delayed_write)

    @callback
    def _delayed_write(self, _now: datetime) -> None:
        """Write the state the bursts left behind."""
        self._unsub_write = None
        self._write(dt_util.utcnow())

    @callback
    def _write(self, now: datetime) -> None:
        """Write the state if it changed, and remember when."""
        self._last_write = now
        shown = (self.available, self.native_value)
        if shown == self._written:
            return
        self._written = shown
        self.async_write_ha_state()

    @callback
    def _cancel_write(self) -> None:
        """Drop a pending write when the entity goes away."""
        if self._unsub_write is not None:
            self._unsub_write()
            self._unsub_write = None

    @property
    def available(self) -> bool:
        """Return whether there is something to measure."""
        return self.entity_description.available_fn(self._resilience.statistics())

    @property
    def native_value(self) -> StateType:
        """Return the number as `get_statistics` reports it now."""
        return self.entity_description.value_fn(self._resilience.statistics())
