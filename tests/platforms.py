"""A real test integration with a tracker and a weather entity that tests can break."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from homeassistant.components.device_tracker.config_entry import TrackerEntity
from homeassistant.components.device_tracker.const import SourceType
from homeassistant.components.notify import NotifyEntity
from homeassistant.components.weather import Forecast, WeatherEntity
from homeassistant.components.weather.const import WeatherEntityFeature
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform, UnitOfSpeed, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

TEST_DOMAIN = "collar"


class CollarFlow(ConfigFlow):
    """The collar integration's (unused) config flow."""

    VERSION = 1


class CollarTracker(TrackerEntity):
    """A GPS collar that only reports a fix when asked to update."""

    _attr_name = "Collar"
    _attr_unique_id = "collar_tracker"
    _attr_should_poll = False
    _attr_source_type = SourceType.GPS

    def __init__(self) -> None:
        """Start without a fix."""
        self.updates = 0
        self.fix: tuple[float, float, int] | None = None
        self.fix_on_update: tuple[float, float, int] | None = None
        # When set, an update waits for it: a tracker whose cloud hangs.
        self.hang: asyncio.Event | None = None

    @property
    def latitude(self) -> float | None:
        """Return the latitude of the fix."""
        return self.fix[0] if self.fix else None

    @property
    def longitude(self) -> float | None:
        """Return the longitude of the fix."""
        return self.fix[1] if self.fix else None

    @property
    def location_accuracy(self) -> int:
        """Return the accuracy of the fix."""
        return self.fix[2] if self.fix else 0

    @property
    def available(self) -> bool:
        """Return whether the collar has a fix."""
        return self.fix is not None

    async def async_update(self) -> None:
        """Take a new fix when asked."""
        self.updates += 1
        if self.hang is not None:
            await self.hang.wait()
        if self.fix_on_update is not None:
            self.fix = self.fix_on_update


class CollarSpeaker(NotifyEntity):
    """A notify entity that records what it was asked to say."""

    _attr_name = "Collar speaker"
    _attr_unique_id = "collar_speaker"

    def __init__(self) -> None:
        """Start with no messages."""
        self.messages: list[tuple[str | None, str]] = []

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Record the message."""
        self.messages.append((title, message))


class GardenWeather(WeatherEntity):
    """A weather entity whose forecast can fail."""

    _attr_name = "Garden"
    _attr_unique_id = "garden_weather"
    _attr_should_poll = False
    _attr_supported_features = WeatherEntityFeature.FORECAST_HOURLY
    _attr_native_temperature = 18.5
    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_native_wind_speed = 12.0
    _attr_native_wind_speed_unit = UnitOfSpeed.KILOMETERS_PER_HOUR
    _attr_humidity = 60
    _attr_condition = "sunny"

    def __init__(self) -> None:
        """Start with a working forecast."""
        self.fail_forecast = False
        self.forecast_error: Exception | None = None
        self.forecast_calls = 0
        # When set, a forecast waits for it: a weather service that hangs.
        self.hang: asyncio.Event | None = None

    async def async_forecast_hourly(self) -> list[Forecast]:
        """Return one hour of forecast, or fail."""
        self.forecast_calls += 1
        if self.hang is not None:
            await self.hang.wait()
        if self.forecast_error is not None:
            raise self.forecast_error
        if self.fail_forecast:
            raise HomeAssistantError("forecast service down")
        return [
            Forecast(
                datetime=dt_util.utcnow().isoformat(),
                condition="rainy",
                native_temperature=16.0,
            )
        ]


@dataclass
class CollarPlatforms:
    """The entities of the collar integration."""

    tracker: CollarTracker
    weather: GardenWeather
    speaker: CollarSpeaker


async def async_setup_test_platforms(
    hass: HomeAssistant,
) -> CollarPlatforms:
    """Set up the collar integration with its tracker and weather entities."""
    tracker = CollarTracker()
    weather = GardenWeather()
    speaker = CollarSpeaker()

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            entry, [Platform.DEVICE_TRACKER, Platform.NOTIFY, Platform.WEATHER]
        )
        return True

    async def async_add_tracker(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([tracker])

    async def async_add_speaker(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([speaker])

    async def async_add_weather(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([weather])

    mock_integration(hass, MockModule(TEST_DOMAIN, async_setup_entry=async_setup_entry))
    mock_platform(hass, f"{TEST_DOMAIN}.config_flow")
    mock_platform(
        hass,
        f"{TEST_DOMAIN}.device_tracker",
        MockPlatform(async_setup_entry=async_add_tracker),
    )
    mock_platform(
        hass,
        f"{TEST_DOMAIN}.weather",
        MockPlatform(async_setup_entry=async_add_weather),
    )
    mock_platform(
        hass, f"{TEST_DOMAIN}.notify", MockPlatform(async_setup_entry=async_add_speaker)
    )
    entry = MockConfigEntry(domain=TEST_DOMAIN)
    entry.add_to_hass(hass)
    with mock_config_flow(TEST_DOMAIN, CollarFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return CollarPlatforms(tracker, weather, speaker)
