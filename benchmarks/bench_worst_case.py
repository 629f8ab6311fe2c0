"""Benchmark the worst-case duration of one PawControl refresh: everything hangs.

Run from the repository root with the project's Home Assistant venv::

    .venv/bin/python benchmarks/bench_worst_case.py

Not a test: pytest only collects ``tests/``. For each update interval (60 s,
the default, and 15 s, the minimum) a real Home Assistant (the test instance of
pytest-homeassistant-custom-component, with a temporary config directory) sets
up a PawControl config entry of 3 dogs with the default resilience options
(``DEFAULT_RESILIENCE``: 2 device API attempts, 3 tracker attempts, 2 weather
attempts, retry delays 1 s to 5 s with jitter; nothing zeroed). Each dog has

* the device API server of ``tests/device_api.py`` on 127.0.0.1,
* its own GPS tracker entity of a mock integration (registered like
  ``tests/platforms.py`` does, so PawControl asks it to refresh through
  ``homeassistant.update_entity``),

and the entry reads a weather entity of the same mock integration that
supports hourly forecasts.

The entry is set up while everything is healthy (setup runs the first refresh).
Then everything hangs: the server holds every request (``Mode.HANG``), each
tracker reports no fix (unavailable) and its ``async_update`` waits on an event
that never fires, and the weather's ``async_forecast_hourly`` does the same.
``REFRESHES`` refreshes are then timed, each ``await coordinator.async_refresh()``
measured with ``time.perf_counter``. The weather is read at most every
``weather_interval`` (10 minutes); so that every timed refresh is one that reads
the forecast, the benchmark marks the weather as due before each refresh
(``WeatherManager._next_refresh = None``), as if 10 minutes had passed.

Nothing is frozen: these are real seconds, and the whole run takes about
3 minutes. Each dog's and the weather's own duration are taken by wrapping
the coordinator's ``_async_update_dog`` and ``_async_weather`` of this
instance (no production code is changed).

The theoretical worst case of the previous design (fixed 10 s timeouts, dogs
one after the other with the tracker, the weather after all dogs, full
jitter) is computed, not measured, for comparison.

Checks (after the results are written; the run then fails with an error):
every dog ends within its budget (``dog_budget``) and every refresh within
the update interval. The results go to ``benchmarks/results_worst_case.json``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import importlib.metadata
import json
import logging
import os
from pathlib import Path
import platform
import sys
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp import AsyncResolver

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results_worst_case.json"
sys.path.insert(0, str(ROOT))

# The imports below need the repository root on sys.path.
from homeassistant import loader  # noqa: E402
from homeassistant.components.device_tracker.config_entry import (  # noqa: E402
    TrackerEntity,
)
from homeassistant.components.device_tracker.const import SourceType  # noqa: E402
from homeassistant.components.weather import Forecast, WeatherEntity  # noqa: E402
from homeassistant.components.weather.const import WeatherEntityFeature  # noqa: E402
from homeassistant.config_entries import ConfigEntry, ConfigFlow  # noqa: E402
from homeassistant.const import (  # noqa: E402
    Platform,
    UnitOfSpeed,
    UnitOfTemperature,
    __version__ as ha_version,
)
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers.entity_platform import (  # noqa: E402
    AddConfigEntryEntitiesCallback,
)
from homeassistant.setup import async_setup_component  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_test_home_assistant,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.pawcontrol.const import (  # noqa: E402
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_COORDINATOR_RETRY_ATTEMPTS,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_GPS_RETRY_ATTEMPTS,
    CONF_GPS_SOURCE,
    CONF_MAX_DELAY,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_RETRY_ATTEMPTS,
    DATA_RESILIENCE,
    DEFAULT_API_TIMEOUT,
    DEFAULT_RESILIENCE,
    DEFAULT_WEATHER_INTERVAL,
    DOMAIN,
)
from custom_components.pawcontrol.coordinator import (  # noqa: E402
    DogData,
    PawControlCoordinator,
    api_timeout,
    dog_breaker_name,
    dog_budget,
)
from custom_components.pawcontrol.data import (  # noqa: E402
    DogConfig,
    retry_config_from_options,
)
from custom_components.pawcontrol.gps_manager import REFRESH_TIMEOUT  # noqa: E402
from custom_components.pawcontrol.resilience import (  # noqa: E402
    ResilienceManager,
    RetryConfig,
)
from custom_components.pawcontrol.resilience.retry import retry_delay  # noqa: E402
from custom_components.pawcontrol.weather_manager import (  # noqa: E402
    FORECAST_TIMEOUT,
    WeatherSnapshot,
)
from tests.device_api import TOKEN, DeviceApiServer, Mode, load_fixture  # noqa: E402

DOGS = 3
REFRESHES = 3
INTERVALS = (60, 15)
MOCK_DOMAIN = "collar"
FIX = (52.52, 13.405, 8)
# Scheduling noise allowed on top of a dog's budget (cancellation, listeners).
BUDGET_SLACK = 0.5


def dog_ids() -> list[str]:
    """Return the benchmark's dog ids."""
    return [f"dog_{index}" for index in range(DOGS)]


class CollarFlow(ConfigFlow):
    """The mock integration's (unused) config flow."""

    VERSION = 1


class HangingTracker(TrackerEntity):
    """A GPS collar whose fix can vanish and whose update can hang forever."""

    _attr_should_poll = False
    _attr_source_type = SourceType.GPS

    def __init__(self, index: int, never: asyncio.Event) -> None:
        """Start with a fix and a working update."""
        self._attr_name = f"Collar {index}"
        self._attr_unique_id = f"collar_tracker_{index}"
        self.fix: tuple[float, float, int] | None = FIX
        self.hang = False
        self.updates = 0
        self._never = never

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
        """Count the request; while hanging, never finish."""
        self.updates += 1
        if self.hang:
            await self._never.wait()


class HangingWeather(WeatherEntity):
    """A weather entity with hourly forecasts that can hang forever."""

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

    def __init__(self, never: asyncio.Event) -> None:
        """Start with a working forecast."""
        self.hang = False
        self.forecast_calls = 0
        self._never = never

    async def async_forecast_hourly(self) -> list[Forecast]:
        """Return one hour of forecast; while hanging, never answer."""
        self.forecast_calls += 1
        if self.hang:
            await self._never.wait()
        return [Forecast(datetime="2025-01-01T12:00:00+00:00", condition="rainy")]


@dataclass
class MockEntities:
    """The mock integration's trackers (one per dog) and weather entity."""

    trackers: list[HangingTracker]
    weather: HangingWeather
    never: asyncio.Event


async def async_setup_mock_entities(hass: HomeAssistant) -> MockEntities:
    """Set up the mock integration with one tracker per dog and a weather entity."""
    never = asyncio.Event()
    entities = MockEntities(
        trackers=[HangingTracker(index, never) for index in range(DOGS)],
        weather=HangingWeather(never),
        never=never,
    )

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            entry, [Platform.DEVICE_TRACKER, Platform.WEATHER]
        )
        return True

    async def async_add_trackers(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add(entities.trackers)

    async def async_add_weather(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([entities.weather])

    mock_integration(hass, MockModule(MOCK_DOMAIN, async_setup_entry=async_setup_entry))
    mock_platform(hass, f"{MOCK_DOMAIN}.config_flow")
    mock_platform(
        hass,
        f"{MOCK_DOMAIN}.device_tracker",
        MockPlatform(async_setup_entry=async_add_trackers),
    )
    mock_platform(
        hass,
        f"{MOCK_DOMAIN}.weather",
        MockPlatform(async_setup_entry=async_add_weather),
    )
    entry = MockConfigEntry(domain=MOCK_DOMAIN)
    entry.add_to_hass(hass)
    with mock_config_flow(MOCK_DOMAIN, CollarFlow):
        check(await hass.config_entries.async_setup(entry.entry_id), "mock set up")
        await hass.async_block_till_done()
    return entities


class WarningCounter(logging.Handler):
    """Count PawControl's WARNING-or-worse log records by message template."""

    def __init__(self) -> None:
        """Start with no records."""
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record."""
        self.counts[f"{record.levelname} {record.msg}"] += 1

    def take(self) -> dict[str, int]:
        """Return the counts since the last call and start again."""
        counts = dict(self.counts)
        self.counts.clear()
        return counts


def check(condition: bool, what: str) -> None:
    """Stop the benchmark when a precondition fails."""
    if not condition:
        raise RuntimeError(f"sanity check failed: {what}")


def entry_options(
    update_interval: int, trackers: list[str], weather: str
) -> dict[str, Any]:
    """Return the benchmark entry's options: the defaults, 3 dogs with trackers."""
    return {
        CONF_DOGS: [
            {CONF_DOG_ID: dog_id, CONF_DOG_NAME: dog_id, CONF_GPS_SOURCE: tracker}
            for dog_id, tracker in zip(dog_ids(), trackers, strict=True)
        ],
        CONF_WEATHER_ENTITY: weather,
        CONF_UPDATE_INTERVAL: update_interval,
        **DEFAULT_RESILIENCE,
    }


def delay_caps(config: RetryConfig) -> list[float]:
    """Return the longest delay before each retry of ``config``."""
    return [
        retry_delay(config, retry, lambda: 1.0)
        for retry in range(1, config.max_attempts)
    ]


def previous_design() -> dict[str, Any]:
    """Return the computed worst case of the previous design, in seconds.

    Per dog: the device API (2 attempts of the fixed 10 s timeout, a retry
    delay of up to ``max_delay`` 5 s), then the tracker (3 refresh requests of
    10 s, delays of up to 1 s and 2 s); the dogs run concurrently, the weather
    (2 forecast calls of 10 s, a delay of up to 1 s) only after all dogs.
    Full jitter draws each delay from 0 to its cap, so the sum lies between
    ``min_s`` (no delay) and ``max_s``, ``expected_s`` on average.
    """
    options = dict(DEFAULT_RESILIENCE)
    api_attempts = int(options[CONF_COORDINATOR_RETRY_ATTEMPTS])
    gps_caps = delay_caps(retry_config_from_options(options, CONF_GPS_RETRY_ATTEMPTS))
    weather_config = retry_config_from_options(options, CONF_WEATHER_RETRY_ATTEMPTS)
    weather_caps = delay_caps(weather_config)
    parts: dict[str, dict[str, Any]] = {
        "device_api": {
            "timeouts_s": api_attempts * DEFAULT_API_TIMEOUT,
            "delay_caps_s": [float(options[CONF_MAX_DELAY])] * (api_attempts - 1),
        },
        "tracker": {
            "timeouts_s": int(options[CONF_GPS_RETRY_ATTEMPTS]) * REFRESH_TIMEOUT,
            "delay_caps_s": gps_caps,
        },
        "weather_after_dogs": {
            "timeouts_s": weather_config.max_attempts * FORECAST_TIMEOUT,
            "delay_caps_s": weather_caps,
        },
    }
    timeouts = sum(part["timeouts_s"] for part in parts.values())
    caps = sum(sum(part["delay_caps_s"]) for part in parts.values())
    return {
        "computed_not_measured": True,
        "parts": parts,
        "min_s": timeouts,
        "expected_s": timeouts + caps / 2,
        "max_s": timeouts + caps,
    }


def new_design_bound(update_interval: timedelta) -> dict[str, float]:
    """Return the computed bound of the new design: dogs' budget or the weather."""
    weather_config = retry_config_from_options(
        DEFAULT_RESILIENCE, CONF_WEATHER_RETRY_ATTEMPTS
    )
    weather = weather_config.max_attempts * FORECAST_TIMEOUT + sum(
        delay_caps(weather_config)
    )
    budget = dog_budget(update_interval)
    return {
        "dogs_s": budget,
        "weather_s": weather,
        "refresh_s": max(budget, weather),
    }


def machine() -> dict[str, Any]:
    """Return the CPU, core count and software versions."""
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "homeassistant": ha_version,
        "pytest-homeassistant-custom-component": importlib.metadata.version(
            "pytest-homeassistant-custom-component"
        ),
        "aiohttp": importlib.metadata.version("aiohttp"),
        "load_average": list(os.getloadavg()),
    }


@dataclass
class Durations:
    """Each dog's and the weather's duration within one refresh, in seconds."""

    start: float = 0.0
    dogs: dict[str, float] = field(default_factory=dict)
    weather: float | None = None


def instrument(
    coordinator: PawControlCoordinator, durations: Durations
) -> tuple[
    Callable[[DogConfig], Awaitable[DogData]],
    Callable[[], Awaitable[WeatherSnapshot | None]],
]:
    """Return wrappers of the dog and weather updates that record when each ends."""
    update_dog = coordinator._async_update_dog
    update_weather = coordinator._async_weather

    async def timed_dog(dog: DogConfig) -> DogData:
        try:
            return await update_dog(dog)
        finally:
            durations.dogs[dog.dog_id] = time.perf_counter() - durations.start

    async def timed_weather() -> WeatherSnapshot | None:
        try:
            return await update_weather()
        finally:
            durations.weather = time.perf_counter() - durations.start

    return timed_dog, timed_weather


def counters(
    resilience: ResilienceManager, server: DeviceApiServer, entities: MockEntities
) -> dict[str, Any]:
    """Return what the sources saw so far and the breakers' and throttles' state."""
    return {
        "http_requests": len(server.requests),
        "tracker_updates": sum(t.updates for t in entities.trackers),
        "forecast_calls": entities.weather.forecast_calls,
        "breakers": {
            dog_id: str(resilience.breaker(dog_breaker_name(dog_id)).state)
            for dog_id in dog_ids()
        },
        "api_throttle_tokens": sorted(
            {resilience.breaker(dog_breaker_name(d)).throttle.tokens for d in dog_ids()}
        ),
        "gps_throttle_tokens": sorted(
            {resilience._throttles[f"gps_{d}"].tokens for d in dog_ids()}
        ),
        "weather_throttle_tokens": resilience._throttles["weather"].tokens,
    }


async def measure_interval(config_dir: str, update_interval: int) -> dict[str, Any]:
    """Set up an entry with ``update_interval`` and time the hanging refreshes."""
    warnings = WarningCounter()
    pawcontrol_logger = logging.getLogger("custom_components.pawcontrol")
    pawcontrol_logger.setLevel(logging.WARNING)
    pawcontrol_logger.propagate = False
    pawcontrol_logger.handlers.clear()
    pawcontrol_logger.addHandler(warnings)

    fixture = load_fixture("status_buddy.json")
    server = DeviceApiServer(
        statuses={dog_id: fixture | {"dog_id": dog_id} for dog_id in dog_ids()}
    )
    await server.start()
    # As phcc's autouse mock_zeroconf_resolver fixture: HA's shared session would
    # otherwise start zeroconf for its mDNS resolver. The server is an IP literal.
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=AsyncResolver(),
    )
    try:
        with resolver:
            return await _measure(config_dir, update_interval, server, warnings)
    finally:
        await server.close()


async def _measure(
    config_dir: str,
    update_interval: int,
    server: DeviceApiServer,
    warnings: WarningCounter,
) -> dict[str, Any]:
    """Set up the entry in a test Home Assistant and time ``REFRESHES`` refreshes."""
    interval = timedelta(seconds=update_interval)
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        # As the enable_custom_integrations fixture: load custom_components/.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        check(await async_setup_component(hass, "homeassistant", {}), "core set up")
        entities = await async_setup_mock_entities(hass)
        trackers = [str(t.entity_id) for t in entities.trackers]
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="PawControl",
            data={CONF_API_URL: server.url, CONF_API_TOKEN: TOKEN},
            options=entry_options(
                update_interval, trackers, str(entities.weather.entity_id)
            ),
        )
        entry.add_to_hass(hass)
        start = time.perf_counter()
        check(await hass.config_entries.async_setup(entry.entry_id), "entry set up")
        await hass.async_block_till_done()
        setup_s = time.perf_counter() - start
        coordinator = entry.runtime_data.coordinator
        weather = entry.runtime_data.weather
        if weather is None:
            raise RuntimeError("sanity check failed: weather configured")
        resilience = hass.data[DATA_RESILIENCE]
        check(coordinator.last_update_success, "healthy first refresh")
        check(
            all(
                not d.stale and d.location is not None and d.location.source in trackers
                for d in coordinator.data.dogs.values()
            ),
            "after setup every dog is fresh, located by its tracker",
        )
        check(
            coordinator.data.weather is not None
            and len(coordinator.data.weather.forecast) == 1,
            "after setup the weather has its forecast",
        )
        setup_warnings = warnings.take()

        # Everything hangs from now on.
        server.mode = Mode.HANG
        for tracker in entities.trackers:
            tracker.fix = None
            tracker.hang = True
            tracker.async_write_ha_state()
        entities.weather.hang = True
        check(
            all(hass.states.is_state(t, "unavailable") for t in trackers),
            "trackers unavailable",
        )

        refreshes: list[dict[str, Any]] = []
        for _ in range(REFRESHES):
            # As if weather_interval had passed: this refresh reads the forecast.
            weather._next_refresh = None
            before = counters(resilience, server, entities)
            durations = Durations()
            timed_dog, timed_weather = instrument(coordinator, durations)
            with (
                patch.object(coordinator, "_async_update_dog", timed_dog),
                patch.object(coordinator, "_async_weather", timed_weather),
            ):
                durations.start = time.perf_counter()
                await coordinator.async_refresh()
                elapsed = time.perf_counter() - durations.start
            after = counters(resilience, server, entities)
            dogs = coordinator.data.dogs
            refreshes.append(
                {
                    "refresh_s": elapsed,
                    "dog_s": durations.dogs,
                    "weather_s": durations.weather,
                    "last_update_success": coordinator.last_update_success,
                    "http_requests": after["http_requests"] - before["http_requests"],
                    "tracker_refresh_requests": after["tracker_updates"]
                    - before["tracker_updates"],
                    "forecast_calls": after["forecast_calls"]
                    - before["forecast_calls"],
                    "breakers_after": after["breakers"],
                    "api_throttle_tokens_after": after["api_throttle_tokens"],
                    "gps_throttle_tokens_after": after["gps_throttle_tokens"],
                    "weather_throttle_tokens_after": after["weather_throttle_tokens"],
                    "dogs_stale": sorted(d for d, data in dogs.items() if data.stale),
                    "locations": {
                        dog_id: None
                        if data.location is None
                        else {
                            "source": data.location.source,
                            "stale": data.location.stale,
                            "rejected_reason": data.location.rejected_reason,
                        }
                        for dog_id, data in dogs.items()
                    },
                    "weather_stale": None
                    if coordinator.data.weather is None
                    else coordinator.data.weather.stale,
                    "warnings": warnings.take(),
                }
            )
            await hass.async_block_till_done()

        retries = resilience.statistics()["retries"]
        entities.never.set()
        check(await hass.config_entries.async_unload(entry.entry_id), "unloaded")
        await hass.async_stop(force=True)

    return {
        "update_interval_s": update_interval,
        "dog_budget_s": dog_budget(interval),
        "api_timeout_s": api_timeout(
            interval, int(DEFAULT_RESILIENCE[CONF_COORDINATOR_RETRY_ATTEMPTS])
        ),
        "tracker_refresh_timeout_s": REFRESH_TIMEOUT,
        "forecast_timeout_s": FORECAST_TIMEOUT,
        "computed_new_design_bound": new_design_bound(interval),
        "setup_s": setup_s,
        "setup_warnings": setup_warnings,
        "refreshes": refreshes,
        "retry_statistics": {k: retries[k] for k in ("coordinator", "gps", "weather")},
    }


def violations(result: dict[str, Any]) -> list[str]:
    """Return every refresh that overran the interval and every dog its budget."""
    found: list[str] = []
    interval = result["update_interval_s"]
    budget = result["dog_budget_s"]
    for number, refresh in enumerate(result["refreshes"], 1):
        if refresh["refresh_s"] > interval:
            found.append(
                f"{interval} s interval, refresh {number}: {refresh['refresh_s']:.2f} s"
                f" > {interval} s (weather {refresh['weather_s']:.2f} s)"
            )
        found.extend(
            f"{interval} s interval, refresh {number}: {dog_id} took {seconds:.2f} s"
            f" > budget {budget:.1f} s"
            for dog_id, seconds in refresh["dog_s"].items()
            if seconds > budget + BUDGET_SLACK
        )
    return found


def main() -> None:
    """Run both intervals, write the JSON, print the table, then check."""
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for update_interval in INTERVALS:
        with tempfile.TemporaryDirectory(prefix="pawcontrol-bench-") as config_dir:
            results.append(asyncio.run(measure_interval(config_dir, update_interval)))
    failed = [v for result in results for v in violations(result)]
    output: dict[str, Any] = {
        "machine": machine(),
        "dogs": DOGS,
        "options": dict(DEFAULT_RESILIENCE),
        "weather_interval_min": DEFAULT_WEATHER_INTERVAL,
        "previous_design_worst_case": previous_design(),
        "intervals": results,
        "sanity_violations": failed,
        "run_s": time.perf_counter() - started,
    }
    RESULTS.write_text(json.dumps(output, indent=2) + "\n")

    print(json.dumps(output["machine"], indent=2))
    previous = output["previous_design_worst_case"]
    print(
        "previous design, computed: "
        f"{previous['min_s']:.1f} s to {previous['max_s']:.1f} s"
        f" (expected {previous['expected_s']:.1f} s) per refresh, any interval"
    )
    header = (
        f"{'interval':>8} {'budget':>7} {'API t/o':>7} {'#':>2} {'refresh':>9}"
        f" {'dogs max':>9} {'weather':>8} {'HTTP':>5} {'trk':>4} {'fc':>3}"
        "  breakers after"
    )
    print(header)
    for result in results:
        for number, refresh in enumerate(result["refreshes"], 1):
            states = Counter(refresh["breakers_after"].values())
            print(
                f"{result['update_interval_s']:>7}s {result['dog_budget_s']:>6.1f}s"
                f" {result['api_timeout_s']:>6.1f}s {number:>2}"
                f" {refresh['refresh_s']:>8.2f}s {max(refresh['dog_s'].values()):>8.2f}s"
                f" {refresh['weather_s']:>7.2f}s {refresh['http_requests']:>5}"
                f" {refresh['tracker_refresh_requests']:>4}"
                f" {refresh['forecast_calls']:>3}  {dict(states)}"
            )
    print(f"whole run: {output['run_s']:.0f} s; wrote {RESULTS.relative_to(ROOT)}")
    if failed:
        for violation in failed:
            print("VIOLATION:", violation)
        raise RuntimeError(f"sanity check failed: {len(failed)} violation(s)")


if __name__ == "__main__":
    main()
