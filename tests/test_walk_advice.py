"""The walk advice sensor: thresholds, conditions, forecast, units and outages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.weather import Forecast
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.care.advice import Advice, Reason
from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_COLD_AVOID,
    CONF_DOGS,
    CONF_HEAT_AVOID,
    CONF_HEAT_CAUTION,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_INTERVAL,
    DEFAULT_RESILIENCE,
    DOMAIN,
)

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer, Mode
from .helpers import FAST, setup_entry, tick
from .platforms import CollarPlatforms, GardenWeather, async_setup_test_platforms

ADVICE = "sensor.buddy_walk_advice"
NOW = "2027-06-01T10:20:00+00:00"
# The hourly forecast's slots start on the hour; the current one began at 10:00.
THIS_HOUR = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
INTEGRATION = Path(__file__).parents[1] / "custom_components" / "pawcontrol"


def set_weather(weather: GardenWeather, celsius: float, condition: str) -> None:
    """Let the weather entity report these current conditions."""
    weather._attr_native_temperature = celsius
    weather._attr_condition = condition
    weather.async_write_ha_state()


def set_forecast(
    weather: GardenWeather, slots: Sequence[tuple[int, str, float]]
) -> None:
    """Let the weather entity forecast (hours after THIS_HOUR, condition, °C) slots."""

    async def hourly() -> list[Forecast]:
        return [
            Forecast(
                datetime=(THIS_HOUR + timedelta(hours=hours)).isoformat(),
                condition=condition,
                native_temperature=celsius,
            )
            for hours, condition, celsius in slots
        ]

    weather.async_forecast_hourly = hourly  # type: ignore[method-assign]


MILD_FORECAST = [(hours, "sunny", 18.0) for hours in range(6)]


def advice_options(*dogs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Return the options of an entry with the garden weather and a notify channel."""
    return {
        **DEFAULT_RESILIENCE,
        CONF_DOGS: list(dogs) or [dog_options()],
        CONF_WEATHER_ENTITY: "weather.garden",
        CONF_WEATHER_INTERVAL: 10,
        CONF_NOTIFY_SERVICES: ["notify.pixel"],
        CONF_NOTIFY_ENTITIES: ["notify.collar_speaker"],
        **FAST,
        **extra,
    }


@pytest.fixture
async def platforms(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> CollarPlatforms:
    """Set up the garden weather: sunny, 18.5 °C, a mild forecast."""
    freezer.move_to(NOW)
    platforms = await async_setup_test_platforms(hass)
    set_forecast(platforms.weather, MILD_FORECAST)
    return platforms


@pytest.fixture
def weather(platforms: CollarPlatforms) -> GardenWeather:
    """Return the garden weather entity."""
    return platforms.weather


@pytest.fixture
def sent(hass: HomeAssistant) -> list[ServiceCall]:
    """Register notify.pixel and return what it was asked to send."""
    calls: list[ServiceCall] = []

    async def pixel(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("notify", "pixel", pixel)
    return calls


async def _advice(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    """Set up PawControl with these options."""
    entry = MockConfigEntry(domain=DOMAIN, options=options)
    await setup_entry(hass, entry)
    return entry


def _shown(hass: HomeAssistant, entity_id: str = ADVICE) -> tuple[str, str]:
    """Return the advice and its reason."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state, state.attributes["reason"]


async def test_mild_weather_is_good(
    hass: HomeAssistant, weather: GardenWeather, entity_registry: er.EntityRegistry
) -> None:
    """Sunny at 18.5 °C with a mild forecast: good, nothing to note, fresh weather."""
    entry = await _advice(hass, advice_options())
    state = hass.states.get(ADVICE)
    assert state is not None
    assert state.state == "good"
    assert state.attributes == {
        "device_class": "enum",
        "options": ["good", "caution", "avoid"],
        "friendly_name": "Buddy Walk advice",
        "temperature": 18.5,
        "condition": "sunny",
        "reason": "none",
        "reason_time": None,
        "stale": False,
        "stale_since": None,
    }
    registered = entity_registry.async_get(ADVICE)
    assert registered is not None
    assert registered.unique_id == f"{entry.entry_id}_dog_buddy_walk_advice"
    assert registered.translation_key == "walk_advice"


@pytest.mark.parametrize(
    ("celsius", "condition", "expected"),
    [
        (25.0, "sunny", ("good", "none")),
        (25.5, "sunny", ("caution", "heat")),
        (30.0, "sunny", ("caution", "heat")),
        (30.5, "sunny", ("avoid", "heat")),
        (-10.0, "clear-night", ("good", "none")),
        (-10.5, "clear-night", ("avoid", "cold")),
        (18.0, "rainy", ("caution", "rain")),
        (18.0, "pouring", ("caution", "rain")),
        (0.0, "snowy", ("caution", "snow")),
        (1.0, "snowy-rainy", ("caution", "snow")),
        (12.0, "hail", ("caution", "hail")),
        (18.0, "windy", ("caution", "wind")),
        (18.0, "windy-variant", ("caution", "wind")),
        (18.0, "lightning", ("avoid", "thunderstorm")),
        (18.0, "lightning-rainy", ("avoid", "thunderstorm")),
        (18.0, "exceptional", ("avoid", "exceptional")),
        (18.0, "fog", ("good", "none")),
        # Two reasons at one level: the more serious one is named.
        (27.0, "rainy", ("caution", "heat")),
        (31.0, "lightning", ("avoid", "thunderstorm")),
        # A worse level always wins.
        (31.0, "rainy", ("avoid", "heat")),
    ],
)
async def test_current_conditions(
    hass: HomeAssistant,
    weather: GardenWeather,
    celsius: float,
    condition: str,
    expected: tuple[str, str],
) -> None:
    """The current temperature (above/below the defaults) and condition decide."""
    set_weather(weather, celsius, condition)
    await _advice(hass, advice_options())
    assert _shown(hass) == expected
    assert hass.states.get(ADVICE).attributes["condition"] == condition


async def test_heat_forecast_in_two_hours(
    hass: HomeAssistant, weather: GardenWeather
) -> None:
    """Heat forecast for the 12:00 hour makes 10:20 an "avoid", saying when."""
    set_weather(weather, 20.0, "sunny")
    set_forecast(weather, [(0, "sunny", 20.0), (1, "sunny", 26.0), (2, "sunny", 31.0)])
    await _advice(hass, advice_options())
    state = hass.states.get(ADVICE)
    assert (state.state, state.attributes["reason"]) == ("avoid", "heat")
    assert state.attributes["reason_time"] == "2027-06-01T12:00:00+00:00"
    # The current temperature is still the one shown.
    assert state.attributes["temperature"] == 20.0


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        # Past slots and slots from three hours on do not count.
        ([(-2, "lightning", 18.0), (4, "lightning", 18.0)], ("good", "none", None)),
        # The 13:00 slot still overlaps the next three hours (until 13:20).
        ([(3, "lightning", 18.0)], ("avoid", "thunderstorm", "13:00")),
        # The current slot counts, too.
        ([(0, "rainy", 18.0)], ("caution", "rain", "10:00")),
        # At one level, the earlier slot names the reason.
        ([(1, "snowy", -2.0), (2, "rainy", 18.0)], ("caution", "snow", "11:00")),
        # The worse slot wins over an earlier, milder one.
        (
            [(1, "rainy", 18.0), (2, "lightning", 18.0)],
            ("avoid", "thunderstorm", "12:00"),
        ),
        ([(1, "clear-night", -12.0)], ("avoid", "cold", "11:00")),
    ],
)
async def test_forecast_window(
    hass: HomeAssistant,
    weather: GardenWeather,
    slots: list[tuple[int, str, float]],
    expected: tuple[str, str, str | None],
) -> None:
    """Only the hourly slots of the next three hours count, in time order."""
    set_forecast(weather, slots)
    await _advice(hass, advice_options())
    state = hass.states.get(ADVICE)
    when = state.attributes["reason_time"]
    assert (
        state.state,
        state.attributes["reason"],
        when and datetime.fromisoformat(when).strftime("%H:%M"),
    ) == expected


async def test_now_beats_forecast_at_the_same_level(
    hass: HomeAssistant, weather: GardenWeather
) -> None:
    """Rain now and heat later are both a caution: the reason is the rain now."""
    set_weather(weather, 18.0, "rainy")
    set_forecast(weather, [(2, "sunny", 27.0)])
    await _advice(hass, advice_options())
    assert _shown(hass) == ("caution", "rain")
    assert hass.states.get(ADVICE).attributes["reason_time"] is None


async def test_advice_follows_the_weather(
    hass: HomeAssistant, weather: GardenWeather, freezer: FrozenDateTimeFactory
) -> None:
    """A weather read (every 10 minutes) brings new advice; the window moves along."""
    set_forecast(weather, [(2, "lightning", 18.0)])
    await _advice(hass, advice_options())
    assert _shown(hass) == ("avoid", "thunderstorm")
    set_weather(weather, 26.0, "sunny")
    await tick(hass, freezer, 600)
    assert _shown(hass) == ("avoid", "thunderstorm")
    # 13:05: the 12:00 storm is over; the heat remains.
    await tick(hass, freezer, 2 * 3600 + 35 * 60)
    assert _shown(hass) == ("caution", "heat")


async def test_thresholds_per_dog(hass: HomeAssistant, weather: GardenWeather) -> None:
    """Each dog's options set its thresholds; unusable values keep the defaults."""
    bella = dog_options(
        "bella",
        "Bella",
        **{CONF_HEAT_CAUTION: 20, CONF_HEAT_AVOID: 23.5, CONF_COLD_AVOID: 5},
    )
    rex = dog_options("rex", "Rex", **{CONF_HEAT_CAUTION: "hot", CONF_HEAT_AVOID: 99})
    set_weather(weather, 22.0, "sunny")
    await _advice(hass, advice_options(dog_options(), bella, rex))
    assert _shown(hass) == ("good", "none")
    assert _shown(hass, "sensor.bella_walk_advice") == ("caution", "heat")
    assert _shown(hass, "sensor.rex_walk_advice") == ("good", "none")


async def test_thresholds_per_dog_heat_and_cold(
    hass: HomeAssistant, weather: GardenWeather, freezer: FrozenDateTimeFactory
) -> None:
    """A dog's own heat avoid and cold avoid limits."""
    bella = dog_options("bella", "Bella", **{CONF_HEAT_AVOID: 23.5, CONF_COLD_AVOID: 5})
    set_weather(weather, 24.0, "sunny")
    await _advice(hass, advice_options(dog_options(), bella))
    assert _shown(hass, "sensor.bella_walk_advice") == ("avoid", "heat")
    assert _shown(hass) == ("good", "none")
    set_weather(weather, 3.0, "sunny")
    await tick(hass, freezer, 600)
    assert _shown(hass, "sensor.bella_walk_advice") == ("avoid", "cold")
    assert _shown(hass) == ("good", "none")


async def test_fahrenheit_weather(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Thresholds are °C; a weather entity shown in °F is converted."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    freezer.move_to(NOW)
    weather = (await async_setup_test_platforms(hass)).weather
    set_forecast(weather, [(1, "sunny", 24.0)])
    set_weather(weather, 24.0, "sunny")
    assert hass.states.get("weather.garden").attributes["temperature_unit"] == "°F"
    await _advice(hass, advice_options())
    state = hass.states.get(ADVICE)
    # Home Assistant shows °F without decimals.
    assert (state.state, state.attributes["temperature"]) == ("good", 75)
    set_forecast(weather, [(1, "sunny", 31.0)])
    await tick(hass, freezer, 600)
    assert _shown(hass) == ("avoid", "heat")


async def _persistent(hass: HomeAssistant, ws: WebSocketGenerator) -> list[Any]:
    """Return the persistent notifications."""
    client = await ws(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    response = await client.receive_json()
    return list(response["result"])


async def test_weather_outage_keeps_stale_advice(
    hass: HomeAssistant,
    platforms: CollarPlatforms,
    freezer: FrozenDateTimeFactory,
    sent: list[ServiceCall],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """While the weather is unavailable the cached weather advises, marked stale.

    Nobody is notified: no notify call, no persistent notification, no repair.
    """
    weather = platforms.weather
    set_weather(weather, 31.0, "sunny")
    read_at = dt_util.utcnow()
    await _advice(hass, advice_options())
    assert _shown(hass) == ("avoid", "heat")

    weather._attr_available = False
    weather.async_write_ha_state()
    await tick(hass, freezer, 600)
    state = hass.states.get(ADVICE)
    assert state.state == "avoid"
    assert state.attributes == state.attributes | {
        "temperature": 31.0,
        "condition": "sunny",
        "reason": "heat",
        "stale": True,
        "stale_since": read_at.isoformat(),
    }
    written = state.last_updated
    # Between weather reads the coordinator serves the cache: nothing to write.
    await tick(hass, freezer, 15)
    assert hass.states.get(ADVICE).last_updated == written
    assert hass.states.get(ADVICE).state == "avoid"

    assert sent == []
    assert platforms.speaker.messages == []
    assert await _persistent(hass, hass_ws_client) == []
    assert not [
        issue
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    ]

    weather._attr_available = True
    set_weather(weather, 18.0, "sunny")
    await tick(hass, freezer, 600)
    state = hass.states.get(ADVICE)
    assert (state.state, state.attributes["stale"]) == ("good", False)
    assert state.attributes["stale_since"] is None


async def test_forecast_failure_keeps_stale_advice(
    hass: HomeAssistant, weather: GardenWeather, freezer: FrozenDateTimeFactory
) -> None:
    """A failing forecast is a weather outage, too: the last advice stays, stale."""
    set_forecast(weather, [(1, "lightning", 18.0)])
    await _advice(hass, advice_options())
    del weather.async_forecast_hourly  # back to the entity's own forecast
    weather.fail_forecast = True
    await tick(hass, freezer, 600)
    state = hass.states.get(ADVICE)
    assert (state.state, state.attributes["reason"]) == ("avoid", "thunderstorm")
    assert state.attributes["stale"] is True


async def test_no_weather_yet_is_unavailable(hass: HomeAssistant) -> None:
    """A weather entity that never answered: no weather to advise from."""
    await _advice(hass, advice_options())
    state = hass.states.get(ADVICE)
    assert state is not None
    assert state.state == "unavailable"


async def test_device_api_outage_keeps_advice(
    hass: HomeAssistant,
    weather: GardenWeather,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
) -> None:
    """The advice needs only the weather: a failing device API does not hide it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN},
        options=advice_options(),
    )
    await setup_entry(hass, entry)
    assert _shown(hass) == ("good", "none")
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    assert hass.states.get("sensor.buddy_battery").attributes["stale"] is True
    state = hass.states.get(ADVICE)
    assert (state.state, state.attributes["stale"]) == ("good", False)


async def test_without_weather_entity_no_advice(
    hass: HomeAssistant, weather: GardenWeather, entity_registry: er.EntityRegistry
) -> None:
    """Without a weather entity there is no advice; removing it removes the sensor."""
    entry = await _advice(hass, advice_options())
    assert entity_registry.async_get(ADVICE) is not None
    options = dict(entry.options)
    del options[CONF_WEATHER_ENTITY]
    # What saving the options flow does: store, then reload.
    hass.config_entries.async_update_entry(entry, options=options)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get(ADVICE) is None
    assert hass.states.get(ADVICE) is None
    assert hass.states.get("sensor.buddy_walks_today") is not None


@pytest.mark.parametrize("language", ["en", "de"])
async def test_states_and_reasons_are_translated(
    hass: HomeAssistant, language: str
) -> None:
    """Every advice and reason has words in English and German, and an icon."""
    strings = await async_get_translations(hass, language, "entity", {DOMAIN})
    prefix = f"component.{DOMAIN}.entity.sensor.walk_advice"
    states = {a: strings[f"{prefix}.state.{a}"] for a in Advice}
    reasons = {
        r: strings[f"{prefix}.state_attributes.reason.state.{r}"] for r in Reason
    }
    expected = {
        "en": ("Walk advice", "Good", "Caution", "Avoid", "Heat"),
        "de": ("Spaziergangsempfehlung", "Gut", "Vorsicht", "Vermeiden", "Hitze"),
    }[language]
    assert (
        strings[f"{prefix}.name"],
        states[Advice.GOOD],
        states[Advice.CAUTION],
        states[Advice.AVOID],
        reasons[Reason.HEAT],
    ) == expected
    assert all(reasons.values())
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert set(icons["entity"]["sensor"]["walk_advice"]["state"]) == set(Advice)


async def test_german_state_shown(hass: HomeAssistant, weather: GardenWeather) -> None:
    """With Home Assistant in German the sensor is named in German."""
    hass.config.language = "de"
    set_weather(weather, 31.0, "sunny")
    await _advice(hass, advice_options())
    state = hass.states.get("sensor.buddy_spaziergangsempfehlung")
    assert state is not None
    assert state.state == "avoid"
    strings = await async_get_translations(hass, "de", "entity", {DOMAIN})
    key = f"component.{DOMAIN}.entity.sensor.walk_advice.state.{state.state}"
    assert strings[key] == "Vermeiden"
