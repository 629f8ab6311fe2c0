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
from .resilience import (
    ResilienceManager,
    ResilienceStatistics,
    TransitionEvent,
)
from .resilience.models import BreakerStats
from .resilience.stats import current_error

HEALTH_STATES: Final = ["healthy", "degraded", "critical"]
MIN_WRITE_INTERVAL: Final = timedelta(seconds=1)
"""Health sensors write their state at most this often, however busy PawControl is."""


# Numbers that change with every call, or every refresh of an outage: they
# stay in get_statistics and the diagnostics, and leave the attribute, where
# each change would be a new state.
PER_CALL_KEYS: Final = frozenset(
    {
        "total_calls",
        "total_successes",
        "rejected_calls",
        "last_success_time",
        "open_remaining",
    }
)


def shown_breaker(stats: BreakerStats) -> dict[str, Any]:
    """Return a breaker's statistics without per-call numbers; an error only while it lasts."""
    shown: dict[str, Any] = {
        key: value for key, value in stats.items() if key not in PER_CALL_KEYS
    }
    shown["last_error"] = current_error(stats)
    return shown


def shown_statistics(statistics: ResilienceStatistics) -> dict[str, Any]:
    """Return the statistics the `resilience` attribute shows: circuits and counts."""
    summary = statistics["summary"]
    return {
        "circuit_breakers": {
            name: shown_breaker(stats)
            for name, stats in statistics["circuit_breakers"].items()
        },
        "summary": {
            "total": summary["total"],
            "closed": summary["closed"],
            "open": summary["open"],
            "half_open": summary["half_open"],
            "isolated": summary["isolated"],
            "health": summary["health"],
        },
    }


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
    """The resilience health; the `resilience` attribute holds what changes with a circuit.

    It writes only when the health or that attribute changed: numbers that
    grow with every call are in `get_statistics` and the diagnostics.
    """

    _attr_translation_key = "statistics"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = HEALTH_STATES
    # The attribute can be large; templates read it from the state machine.
    _unrecorded_attributes = frozenset({"resilience"})
    # The health and attribute at the last write (nothing written yet).
    _written: object = None

    def __init__(
        self, entry: PawControlConfigEntry, resilience: ResilienceManager
    ) -> None:
        """Attach the sensor to the hub device."""
        super().__init__(entry, resilience, "statistics")

    async def async_added_to_hass(self) -> None:
        """Follow every breaker transition and every coordinator refresh."""
        self._read()
        self.async_on_remove(self._resilience.async_add_listener(self._on_resilience))
        self.async_on_remove(
            self._entry.runtime_data.coordinator.async_add_listener(self._refresh)
        )

    @callback
    def _on_resilience(self, event: TransitionEvent | None) -> None:
        """Check for a change when a breaker changed state.

        Other changes (every call) wait for the next refresh: building the
        statistics on every call would cost a pass over all circuits per call.
        """
        if event is not None:
            self._refresh()

    @callback
    def _read(self) -> bool:
        """Take the health and the shown statistics; return whether they changed."""
        statistics = self._resilience.statistics()
        health = statistics["summary"]["health"]
        shown = shown_statistics(statistics)
        if (health, shown) == self._written:
            return False
        self._written = (health, shown)
        self._attr_native_value = health
        self._attr_extra_state_attributes = {"resilience": shown}
        return True

    @callback
    def _refresh(self) -> None:
        """Write the state only if the health or the shown statistics changed."""
        if self._read():
            self.async_write_ha_state()


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
