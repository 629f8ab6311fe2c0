"""Options that apply while PawControl runs: no reload, no unavailable entity."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.pawcontrol.const import (
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_HEAT_CAUTION,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_INTERVAL,
    DEFAULT_RESILIENCE,
    DOMAIN,
)
from custom_components.pawcontrol.notifications import Message
from custom_components.pawcontrol.settings import Settings

from .conftest import dog_options
from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, entry_device, setup_entry, tick
from .platforms import async_setup_test_platforms
from .test_walk_advice import (
    ADVICE,
    MILD_FORECAST,
    NOW,
    advice_options,
    set_forecast,
    set_weather,
)

COLLAR = "device_tracker.buddy_collar"
CIRCUIT = "binary_sensor.buddy_device_connection"


@pytest.fixture
def sent(hass: HomeAssistant) -> list[str]:
    """Register notify.pixel; return the messages it got."""
    received: list[str] = []

    async def pixel(call: ServiceCall) -> None:
        received.append(call.data["message"])

    hass.services.async_register("notify", "pixel", pixel)
    return received


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    sent: list[str],
) -> MockConfigEntry:
    """Set up Buddy (collar and device API) with notify.pixel, refreshed every 15 s.

    The clock starts at the suite's pinned moment (``freezer``).
    """
    await hass.config.async_set_time_zone("UTC")
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=mock_config_entry.data,
        options=mock_config_entry.options
        | FAST
        | {"notify_services": ["notify.pixel"]},
    )
    await setup_entry(hass, entry)
    return entry


@pytest.fixture
def unavailable(hass: HomeAssistant) -> Generator[list[str]]:
    """Collect PawControl's entities that become unavailable (as a reload makes them).

    Started by the test once PawControl is set up: ``unavailable.clear()``.
    """
    seen: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] != COLLAR and (
            new is None or new.state == STATE_UNAVAILABLE
        ):
            seen.append(event.data["entity_id"])

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    yield seen
    unsub()


async def _save(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, user_input: dict[str, Any]
) -> None:
    """Save one options form, as the user does, and let everything settle."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    if step == "edit_dog":
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"dog_id": "buddy"}
        )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()


def _buddy(name: str = "Buddy", **care: Any) -> dict[str, Any]:
    """Return Buddy's edit form with these care values."""
    return {
        "name": name,
        CONF_GPS_SOURCE: COLLAR,
        "gps_max_age": 600,
        "gps_accuracy_limit": 100,
        "care": care,
    }


def _resilience(**changes: Any) -> dict[str, Any]:
    """Return the resilience form with FAST's delays and these changes."""
    values = dict(DEFAULT_RESILIENCE) | {"initial_delay": 0.0, "max_delay": 0.0}
    return {"advanced": values | changes}


async def test_quiet_hours_apply_without_reload(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sent: list[str],
    unavailable: list[str],
) -> None:
    """Quiet hours start holding messages at once; ending them sends the held ones."""
    runtime = entry.runtime_data
    now = dt_util.utcnow()
    hours = {
        "notify_services": ["notify.pixel"],
        CONF_QUIET_HOURS_START: (now - timedelta(hours=1)).strftime("%H:%M:%S"),
        CONF_QUIET_HOURS_END: (now + timedelta(hours=1)).strftime("%H:%M:%S"),
    }
    await _save(hass, entry, "notifications", hours)
    assert await runtime.notifications.async_send(Message("PawControl", "Nap")) is None
    assert sent == []
    await _save(hass, entry, "notifications", {"notify_services": ["notify.pixel"]})
    # Sent on the next turn of the event loop, not at some later hour.
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert sent == ["Nap"]
    assert entry.runtime_data is runtime
    assert unavailable == []


async def test_breaker_settings_apply_without_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    entry: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """With a failure threshold of 1, the next failed refresh opens the circuit."""
    runtime = entry.runtime_data
    await _save(hass, entry, "resilience", _resilience(failure_threshold=1))
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    circuit = hass.states.get(CIRCUIT)
    assert (circuit.state, circuit.attributes["failure_count"]) == ("on", 1)
    assert entry.runtime_data is runtime
    assert unavailable == []


async def test_stale_limit_applies_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    entry: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """Two minutes into an outage, a limit of one minute hides the old battery."""
    runtime = entry.runtime_data
    device_api.mode = Mode.ERROR_500
    hass.states.async_set(COLLAR, "unavailable")
    for _ in range(8):
        await tick(hass, freezer)
    assert hass.states.get("sensor.buddy_battery").state == "87"
    assert unavailable == []
    await _save(hass, entry, "resilience", _resilience(max_stale_minutes=1))
    assert hass.states.get("sensor.buddy_battery").state == STATE_UNAVAILABLE
    assert hass.states.get("device_tracker.buddy").state == STATE_UNAVAILABLE
    # Only what the limit hides; the data source describes the outage.
    assert hass.states.get("binary_sensor.buddy_data_source").state == "off"
    assert entry.runtime_data is runtime


async def test_care_applies_without_reload(
    hass: HomeAssistant, entry: MockConfigEntry, unavailable: list[str]
) -> None:
    """A new default portion is what the Fed button logs next, without a reload."""
    runtime = entry.runtime_data
    await _save(hass, entry, "edit_dog", _buddy(default_portion_g=150))
    assert entry.options[CONF_DOGS][0]["default_portion_g"] == 150
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.buddy_fed"}, blocking=True
    )
    assert hass.states.get("sensor.buddy_food_today").state == "150"
    assert entry.runtime_data is runtime
    assert unavailable == []


async def test_a_renamed_dog_reloads(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A new name is a new device name and entity names: that reloads."""
    runtime = entry.runtime_data
    await _save(hass, entry, "edit_dog", _buddy(name="Buddy Boy"))
    assert entry.runtime_data is not runtime
    device = entry_device(hass, entry, f"{entry.entry_id}_buddy")
    assert device is not None
    assert device.name == "Buddy Boy"


async def test_defaults_saved_for_the_first_time_change_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """An entry without stored resilience options saves the defaults: no reload."""
    collar_reports(hass)
    options = {
        key: value
        for key, value in mock_config_entry.options.items()
        if key not in DEFAULT_RESILIENCE
    }
    entry = MockConfigEntry(domain=DOMAIN, data=mock_config_entry.data, options=options)
    await setup_entry(hass, entry)
    unavailable.clear()
    runtime = entry.runtime_data
    await _save(hass, entry, "resilience", {"advanced": dict(DEFAULT_RESILIENCE)})
    assert entry.options["failure_threshold"] == 3
    assert entry.runtime_data is runtime
    assert unavailable == []
    # Another dog still reloads.
    await _save(
        hass,
        entry,
        "add_dog",
        {"name": "Rex", CONF_GPS_SOURCE: COLLAR, "care": {}},
    )
    assert entry.runtime_data is not runtime
    assert [dog["dog_id"] for dog in entry.options[CONF_DOGS]] == ["buddy", "rex"]


async def test_weather_settings_apply_without_reload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, unavailable: list[str]
) -> None:
    """New heat limits judge the weather at once; a shorter interval reads it sooner."""
    freezer.move_to(NOW)
    weather = (await async_setup_test_platforms(hass)).weather
    set_forecast(weather, MILD_FORECAST)
    set_weather(weather, 26.0, "sunny")
    collar_reports(hass)
    dog = dog_options(gps_source=COLLAR)
    entry = MockConfigEntry(domain=DOMAIN, options=advice_options(dog))
    await setup_entry(hass, entry)
    unavailable.clear()
    runtime = entry.runtime_data
    assert hass.states.get(ADVICE).state == "caution"
    await _save(hass, entry, "edit_dog", _buddy(**{CONF_HEAT_CAUTION: 28}))
    assert hass.states.get(ADVICE).state == "good"
    await _save(
        hass,
        entry,
        "weather",
        {CONF_WEATHER_ENTITY: "weather.garden", CONF_WEATHER_INTERVAL: 1},
    )
    set_weather(weather, 31.0, "sunny")
    await tick(hass, freezer, 61)
    assert hass.states.get(ADVICE).state == "avoid"
    assert entry.runtime_data is runtime
    assert unavailable == []


@pytest.mark.parametrize(
    ("changes", "reload"),
    [
        ({CONF_QUIET_HOURS_START: "22:00:00", CONF_QUIET_HOURS_END: "07:00:00"}, False),
        ({"failure_threshold": 5, "max_delay": 4.0, "jitter": False}, False),
        ({"max_stale_minutes": 5, CONF_WEATHER_INTERVAL: 3}, False),
        ({CONF_DOGS: [dog_options(gps_max_age=60, heat_avoid_c=33)]}, False),
        ({CONF_DOGS: [dog_options(feeding_times=["07:00"], auto_walk=True)]}, False),
        ({CONF_DOGS: [dog_options(name="Bud")]}, True),
        ({CONF_DOGS: [dog_options(gps_source=COLLAR)]}, True),
        ({CONF_DOGS: [dog_options(), dog_options("rex", "Rex")]}, True),
        ({"update_interval": 120}, True),
        ({CONF_WEATHER_ENTITY: "weather.garden"}, True),
        ({"notify_services": ["notify.pixel"]}, True),
        ({"notify_entities": ["notify.kitchen"]}, True),
    ],
)
def test_what_needs_a_reload(changes: dict[str, Any], reload: bool) -> None:
    """Only what decides entities, devices, timers and subscriptions reloads."""
    options: dict[str, Any] = {CONF_DOGS: [dog_options()], **DEFAULT_RESILIENCE}
    before = Settings.from_options(options)
    after = Settings.from_options(options | changes)
    assert after != before
    assert before.needs_reload(after) is reload
