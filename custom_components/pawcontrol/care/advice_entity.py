"""The walk advice sensor of each dog, from the coordinator's weather.

The weather manager refreshes the weather with the coordinator and keeps its
last weather through an outage (marked stale), so the sensor follows the
coordinator and shows the advice of the cached weather, with `stale: true`.
"""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.components.weather.const import ATTR_WEATHER_TEMPERATURE_UNIT
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from ..const import DOMAIN
from ..coordinator import PawControlCoordinator
from ..data import DogConfig, PawControlConfigEntry
from ..entity import PawControlDogEntity, dog_unique_id
from ..weather_manager import WeatherSnapshot
from .advice import Advice, WalkAdvice, walk_advice

KEY: Final = "walk_advice"
OPTIONS: Final = [advice.value for advice in Advice]


@callback
def walk_advice_sensors(
    hass: HomeAssistant, entry: PawControlConfigEntry
) -> list[PawControlWalkAdviceSensor]:
    """Return a walk advice sensor per dog, if a weather entity is configured.

    Without a weather entity there is nothing to advise from; the sensors of an
    earlier configuration are removed rather than left unavailable for good.
    """
    runtime = entry.runtime_data
    if runtime.weather is None:
        registry = er.async_get(hass)
        for dog_id in runtime.dogs:
            unique_id = dog_unique_id(entry.entry_id, dog_id, KEY)
            if entity_id := registry.async_get_entity_id(
                Platform.SENSOR, DOMAIN, unique_id
            ):
                registry.async_remove(entity_id)
        return []
    return [
        PawControlWalkAdviceSensor(runtime.coordinator, dog)
        for dog in runtime.dogs.values()
    ]


class PawControlWalkAdviceSensor(PawControlDogEntity, SensorEntity):
    """Whether the weather now and in the next hours is good for the dog's walk.

    While the weather is stale, `stale_since` says when it was read, a fixed
    time: an outage of the weather writes one new state, not one per refresh.
    """

    _attr_translation_key = "walk_advice"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = OPTIONS

    def __init__(self, coordinator: PawControlCoordinator, dog: DogConfig) -> None:
        """Judge the weather by the dog's thresholds."""
        super().__init__(coordinator, dog, KEY)
        self._unit: str | None = None
        self._advice: WalkAdvice | None = None

    @property
    def _weather(self) -> WeatherSnapshot | None:
        """Return the weather of the last refresh, fresh or stale."""
        return self.coordinator.data.weather

    @override
    async def async_added_to_hass(self) -> None:
        """Judge the weather the first refresh brought."""
        await super().async_added_to_hass()
        self._update_advice()

    @override
    def _shown_inputs(self) -> object:
        """Return the advice and the weather it shows."""
        weather = self._weather
        if weather is None:
            return self._advice
        return (self._advice, weather.temperature, weather.condition, weather.stale)

    @override
    def _changes_by_itself(self) -> bool:
        """Return False: the advice shows no age, and the dog's stale limit is not its."""
        return False

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Judge the weather again: new weather, or the next hours moved on."""
        self._update_advice()
        super()._handle_coordinator_update()

    @callback
    def _update_advice(self) -> None:
        """Compute the advice once per refresh."""
        weather = self._weather
        self._advice = (
            None
            if weather is None
            else walk_advice(
                weather,
                # The dog's limits as they are now: they apply without a reload.
                self.coordinator.dogs[self.dog_id].care,
                self._temperature_unit(weather),
                dt_util.utcnow(),
            )
        )

    def _temperature_unit(self, weather: WeatherSnapshot) -> str:
        """Return the unit of the weather's temperatures.

        The weather entity reports them in its display unit; during an outage
        its state has no unit, so the last one seen is kept.
        """
        state = self.hass.states.get(weather.entity_id)
        unit = state.attributes.get(ATTR_WEATHER_TEMPERATURE_UNIT) if state else None
        if unit in TemperatureConverter.VALID_UNITS:
            self._unit = unit
        return self._unit or self.hass.config.units.temperature_unit

    @property
    @override
    def available(self) -> bool:
        """Return whether there is weather; a device API outage does not matter."""
        return self._advice is not None

    @property
    @override
    def native_value(self) -> str | None:
        """Return the advice."""
        return self._advice.advice.value if self._advice else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return what the advice is based on and how old the weather is."""
        weather, advice = self._weather, self._advice
        if weather is None or advice is None:
            return {}
        return {
            "temperature": weather.temperature,
            "condition": weather.condition,
            "reason": advice.reason.value,
            "reason_time": advice.reason_time.isoformat()
            if advice.reason_time
            else None,
            "stale": weather.stale,
            # When the weather shown was read: fixed, unlike its age.
            "stale_since": weather.fetched_at.isoformat() if weather.stale else None,
        }
