"""Weather from a weather entity: refresh interval, retry, cache and stale serving."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientConnectionError
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import FAST, collar_reports, get_statistics, our_warnings, tick
from .platforms import async_setup_test_platforms


async def test_weather_cache_and_stale_serving(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The forecast is read once per 10 minutes; a failure serves the cache, stale."""
    weather = (await async_setup_test_platforms(hass)).weather
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [dog_options()],
            "weather_entity": "weather.garden",
            "weather_interval": 10,
            **FAST,
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    snapshot = entry.runtime_data.coordinator.data.weather
    assert snapshot is not None
    assert (snapshot.condition, snapshot.temperature, snapshot.stale) == (
        "sunny",
        18.5,
        False,
    )
    assert snapshot.forecast_type == "hourly"
    assert snapshot.forecast[0]["condition"] == "rainy"
    assert weather.forecast_calls == 1

    await tick(hass, freezer, 15)
    assert weather.forecast_calls == 1

    weather.fail_forecast = True
    caplog.clear()
    await tick(hass, freezer, 600)
    # Two attempts, then the cached weather, marked stale.
    assert weather.forecast_calls == 3
    snapshot = entry.runtime_data.coordinator.data.weather
    assert snapshot is not None
    assert snapshot.stale is True
    assert snapshot.condition == "sunny"
    await tick(hass, freezer, 15)
    assert weather.forecast_calls == 3

    weather.fail_forecast = False
    await tick(hass, freezer, 600)
    assert weather.forecast_calls == 4
    assert entry.runtime_data.coordinator.data.weather.stale is False

    statistics = await get_statistics(hass)
    assert statistics["cache"] == {
        "hits": 2,
        "misses": 3,
        "hit_rate": 0.4,
        "stale_served": 2,
    }
    assert statistics["retries"]["weather"]["exhausted"] == 1
    warnings = our_warnings(caplog)
    assert warnings == [
        "Weather entity weather.garden is unavailable: HomeAssistantError: forecast service down"
    ]
    assert "Weather entity weather.garden is available again" in caplog.text


@pytest.mark.parametrize(
    "error",
    [
        ClientConnectionError("Cannot connect to host weather.example:443"),
        OSError(113, "No route to host"),
        KeyError("forecast"),
        ValueError("bad number"),
    ],
    ids=type,
)
async def test_any_weather_error_never_fails_the_dogs(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    error: Exception,
) -> None:
    """Whatever a weather platform raises is a weather failure, not a dog failure."""
    weather = (await async_setup_test_platforms(hass)).weather
    weather.forecast_error = error
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options | {"weather_entity": "weather.garden", **FAST},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # The first refresh loads the entry although the weather failed.
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("device_tracker.buddy").state == "not_home"
    assert entry.runtime_data.coordinator.data.weather is None
    assert weather.forecast_calls == 2
    weather.forecast_error = None
    await tick(hass, freezer, 600)
    assert entry.runtime_data.coordinator.data.weather.stale is False
    weather.forecast_error = error
    await tick(hass, freezer, 600)
    snapshot = entry.runtime_data.coordinator.data.weather
    assert (snapshot.stale, snapshot.condition) == (True, "sunny")
    assert hass.states.get("device_tracker.buddy").state == "not_home"
    statistics = await get_statistics(hass)
    assert statistics["retries"]["weather"]["exhausted"] == 2


async def test_hanging_weather_ends_at_the_deadline(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """A forecast that hangs is cut off within the refresh; the cache is served, stale."""
    weather = (await async_setup_test_platforms(hass)).weather
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options | {"weather_entity": "weather.garden", **FAST},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    weather.hang = asyncio.Event()
    calls = weather.forecast_calls
    freezer.tick(600)
    async_fire_time_changed(hass)
    for _ in range(1000):
        if weather.forecast_calls > calls:
            break
        await asyncio.sleep(0)
    assert weather.forecast_calls == calls + 1
    # 12 s (80 % of the 15 s interval) later the refresh ends with the cache.
    freezer.tick(12)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    snapshot = entry.runtime_data.coordinator.data.weather
    assert (snapshot.stale, snapshot.condition) == (True, "sunny")
    assert hass.states.get("device_tracker.buddy").state == "not_home"
    weather.hang.set()
    await hass.async_block_till_done()


async def test_weather_entity_missing(
    hass: HomeAssistant, entry_options: dict[str, Any]
) -> None:
    """A weather entity that does not exist leaves the weather empty, not the dogs."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [dog_options()],
            "weather_entity": "weather.nowhere",
            "initial_delay": 0.0,
            "max_delay": 0.0,
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.data.weather is None


async def test_weather_without_forecast(
    hass: HomeAssistant, entry_options: dict[str, Any]
) -> None:
    """A weather entity without forecasts still gives current conditions."""
    hass.states.async_set(
        "weather.plain", "cloudy", {"temperature": 9, "humidity": "n/a"}
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {CONF_DOGS: [dog_options()], "weather_entity": "weather.plain"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    snapshot = entry.runtime_data.coordinator.data.weather
    assert snapshot is not None
    assert (snapshot.condition, snapshot.temperature, snapshot.humidity) == (
        "cloudy",
        9.0,
        None,
    )
    assert snapshot.forecast == ()
    assert snapshot.forecast_type is None
