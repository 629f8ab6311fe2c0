"""Benchmark a PawControl coordinator refresh of 50 dogs: healthy, hanging, open.

Run from the repository root with the project's Home Assistant venv::

    .venv/bin/python benchmarks/bench_coordinator.py

Not a test: pytest only collects ``tests/``. A real Home Assistant (the test
instance of pytest-homeassistant-custom-component, with a temporary config
directory) sets up a PawControl config entry of 50 dogs against the device API
server of ``tests/device_api.py`` on 127.0.0.1. Each refresh is
``await coordinator.async_refresh()`` timed with ``time.perf_counter``:

1. healthy: the server answers every dog;
2. hanging, breakers closed: the server holds every request, so each attempt
   ends at the API client's real timeout (``DEFAULT_API_TIMEOUT``, 10 s);
   ``failure_threshold`` refreshes open the 50 breakers;
3. hanging, breakers open: every refresh must send no request at all.

Retry delays are 0 (``initial_delay`` = ``max_delay`` = 0), so the hanging
refreshes measure the timeouts only. The results go to
``benchmarks/results_coordinator.json``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import importlib.metadata
import json
import logging
import os
from pathlib import Path
import platform
import statistics
import sys
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp import AsyncResolver

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results_coordinator.json"
sys.path.insert(0, str(ROOT))

# The imports below need the repository root on sys.path.
from homeassistant import loader  # noqa: E402
from homeassistant.const import __version__ as ha_version  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.pawcontrol.const import (  # noqa: E402
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_FAILURE_THRESHOLD,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_INITIAL_DELAY,
    CONF_MAX_DELAY,
    CONF_UPDATE_INTERVAL,
    DATA_RESILIENCE,
    DEFAULT_API_TIMEOUT,
    DEFAULT_RESILIENCE,
    DOMAIN,
)
from custom_components.pawcontrol.coordinator import (  # noqa: E402
    PawControlCoordinator,
    dog_breaker_name,
)
from custom_components.pawcontrol.resilience import (  # noqa: E402
    CircuitState,
    ResilienceManager,
)
from tests.device_api import TOKEN, DeviceApiServer, Mode, load_fixture  # noqa: E402

DOGS = 50
HEALTHY_REFRESHES = 20
OPEN_REFRESHES = 20
# Far beyond the run, so the scheduled refresh never runs during a measurement.
UPDATE_INTERVAL = 86_400
DOMAIN_PLATFORMS = ("binary_sensor", "device_tracker", "sensor")
# A refresh with open breakers must not come anywhere near one request timeout.
OPEN_REFRESH_LIMIT = 1.0


def check(condition: bool, what: str) -> None:
    """Stop the benchmark when a sanity check fails."""
    if not condition:
        raise RuntimeError(f"sanity check failed: {what}")


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


def dog_ids() -> list[str]:
    """Return the benchmark's dog ids."""
    return [f"dog_{index:03d}" for index in range(DOGS)]


def entry_options() -> dict[str, Any]:
    """Return the options of the benchmark entry: 50 dogs, no retry delays."""
    return {
        CONF_DOGS: [
            {
                CONF_DOG_ID: dog_id,
                CONF_DOG_NAME: f"Dog {dog_id[4:]}",
                CONF_GPS_MAX_AGE: 600,
                CONF_GPS_ACCURACY_LIMIT: 100,
            }
            for dog_id in dog_ids()
        ],
        CONF_UPDATE_INTERVAL: UPDATE_INTERVAL,
        **DEFAULT_RESILIENCE,
        CONF_INITIAL_DELAY: 0.0,
        CONF_MAX_DELAY: 0.0,
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
    }


def summary(times: list[float]) -> dict[str, Any]:
    """Return median, min and max in seconds, and every time."""
    return {
        "refreshes": len(times),
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "times_s": times,
    }


async def timed_refresh(
    coordinator: PawControlCoordinator, server: DeviceApiServer
) -> tuple[float, int]:
    """Return the wall time of one refresh and the requests the server saw."""
    before = len(server.requests)
    start = time.perf_counter()
    await coordinator.async_refresh()
    elapsed = time.perf_counter() - start
    return elapsed, len(server.requests) - before


def breaker_states(resilience: ResilienceManager) -> Counter[str]:
    """Return how many dog breakers are in each state."""
    return Counter(
        str(resilience.breaker(dog_breaker_name(dog_id)).state) for dog_id in dog_ids()
    )


async def run(config_dir: str) -> dict[str, Any]:
    """Set up the entry and measure the three phases."""
    warnings = WarningCounter()
    pawcontrol_logger = logging.getLogger("custom_components.pawcontrol")
    pawcontrol_logger.setLevel(logging.WARNING)
    pawcontrol_logger.propagate = False
    pawcontrol_logger.addHandler(warnings)

    fixture = load_fixture("status_buddy.json")
    server = DeviceApiServer(
        statuses={dog_id: fixture | {"dog_id": dog_id} for dog_id in dog_ids()}
    )
    await server.start()
    results: dict[str, Any] = {}
    # As phcc's autouse mock_zeroconf_resolver fixture: HA's shared session would
    # otherwise start zeroconf for its mDNS resolver. The server is an IP literal.
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=AsyncResolver(),
    )
    try:
        with resolver:
            await _measure(config_dir, server, warnings, results)
    finally:
        await server.close()
    return results


async def _measure(
    config_dir: str,
    server: DeviceApiServer,
    warnings: WarningCounter,
    results: dict[str, Any],
) -> None:
    """Set up the entry in a test Home Assistant and run the three phases."""
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        # As the enable_custom_integrations fixture: load custom_components/.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="PawControl",
            data={CONF_API_URL: server.url, CONF_API_TOKEN: TOKEN},
            options=entry_options(),
        )
        entry.add_to_hass(hass)
        start = time.perf_counter()
        check(await hass.config_entries.async_setup(entry.entry_id), "entry set up")
        await hass.async_block_till_done()
        results["setup_s"] = time.perf_counter() - start
        results["setup_requests"] = len(server.requests)
        check(len(server.requests) == DOGS, "setup asked once per dog")
        coordinator = entry.runtime_data.coordinator
        resilience = hass.data[DATA_RESILIENCE]
        check(len(coordinator.dogs) == DOGS, f"{DOGS} dogs configured")
        threshold = int(DEFAULT_RESILIENCE[CONF_FAILURE_THRESHOLD])
        warnings.take()

        # 1. Healthy server: one warm-up refresh, then the measured ones.
        await timed_refresh(coordinator, server)
        healthy: list[float] = []
        for _ in range(HEALTHY_REFRESHES):
            elapsed, requests = await timed_refresh(coordinator, server)
            check(requests == DOGS, "healthy refresh: one request per dog")
            check(coordinator.last_update_success, "healthy refresh succeeded")
            check(
                not any(d.stale for d in coordinator.data.dogs.values()),
                "healthy refresh: no dog stale",
            )
            healthy.append(elapsed)
            await hass.async_block_till_done()
        results["healthy"] = summary(healthy) | {
            "requests_per_refresh": DOGS,
            "warnings": warnings.take(),
        }
        check(
            breaker_states(resilience) == Counter({CircuitState.CLOSED: DOGS}),
            "breakers closed while healthy",
        )

        # 2. Hanging server until the breakers open.
        server.mode = Mode.HANG
        hanging: list[float] = []
        hanging_requests: list[int] = []
        for _ in range(threshold):
            elapsed, requests = await timed_refresh(coordinator, server)
            hanging.append(elapsed)
            hanging_requests.append(requests)
            check(coordinator.last_update_success, "cached data keeps it up")
            check(
                all(
                    d.stale and d.status is not None
                    for d in coordinator.data.dogs.values()
                ),
                "every dog served from its cache, marked stale",
            )
            await hass.async_block_till_done()
        states = breaker_states(resilience)
        check(states == Counter({CircuitState.OPEN: DOGS}), f"all open: {states}")
        results["hanging_closed"] = summary(hanging) | {
            "requests_per_refresh": hanging_requests,
            # Each breaker's retry throttle: 10 tokens, 1 per failed attempt,
            # no retry while <= 5 remain.
            "throttle_tokens_after": sorted(
                {
                    resilience.breaker(dog_breaker_name(dog_id)).throttle.tokens
                    for dog_id in dog_ids()
                }
            ),
            "coordinator_retries": resilience.statistics()["retries"]["coordinator"],
            "warnings": warnings.take(),
        }

        # 3. Hanging server, breakers open: no request, no wait.
        opened: list[float] = []
        open_requests = 0
        for _ in range(OPEN_REFRESHES):
            elapsed, requests = await timed_refresh(coordinator, server)
            opened.append(elapsed)
            open_requests += requests
            await hass.async_block_till_done()
        states = breaker_states(resilience)
        check(states == Counter({CircuitState.OPEN: DOGS}), f"still open: {states}")
        check(open_requests == 0, f"{open_requests} requests with breakers open")
        check(max(opened) < OPEN_REFRESH_LIMIT, "open refreshes do not wait")
        check(
            all(d.stale for d in coordinator.data.dogs.values()),
            "every dog stale while open",
        )
        stats = resilience.statistics()["circuit_breakers"]
        rejected = sum(
            stats[dog_breaker_name(dog_id)]["rejected_calls"] for dog_id in dog_ids()
        )
        check(rejected == DOGS * OPEN_REFRESHES, "one rejection per dog and refresh")
        results["hanging_open"] = summary(opened) | {
            "http_requests": open_requests,
            "rejected_calls": rejected,
            "warnings": warnings.take(),
        }
        # The same work without the listeners (the entities writing their
        # states): only the coordinator's _async_update_data.
        update_only: list[float] = []
        before = len(server.requests)
        for _ in range(OPEN_REFRESHES):
            start = time.perf_counter()
            await coordinator._async_update_data()
            update_only.append(time.perf_counter() - start)
        check(len(server.requests) == before, "no request from _async_update_data")
        results["hanging_open_update_data_only"] = summary(update_only)
        results["entities"] = len(hass.states.async_entity_ids(DOMAIN_PLATFORMS))

        check(await hass.config_entries.async_unload(entry.entry_id), "unloaded")
        await hass.async_stop(force=True)


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:,.1f} ms"


def main() -> None:
    """Run the benchmark, print the table and write the JSON results."""
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="pawcontrol-bench-") as config_dir:
        results = asyncio.run(run(config_dir))
    output = {
        "machine": machine(),
        "dogs": DOGS,
        "api_timeout_s": DEFAULT_API_TIMEOUT,
        "options": {
            key: value
            for key, value in entry_options().items()
            if key not in (CONF_DOGS,)
        },
        **results,
    }
    RESULTS.write_text(json.dumps(output, indent=2) + "\n")
    print(json.dumps(output["machine"], indent=2))
    print(f"setup (first refresh + platforms): {ms(results['setup_s'])}")
    print(f"entities: {results['entities']}")
    print(f"{'phase':<36} {'n':>3} {'median':>12} {'min':>12} {'max':>12}")
    for key, label in (
        ("healthy", "healthy"),
        ("hanging_closed", "hanging, breakers closed"),
        ("hanging_open", "hanging, breakers open"),
        ("hanging_open_update_data_only", "  open, _async_update_data only"),
    ):
        phase = results[key]
        print(
            f"{label:<36} {phase['refreshes']:>3} {ms(phase['median_s']):>12}"
            f" {ms(phase['min_s']):>12} {ms(phase['max_s']):>12}"
        )
    hanging = results["hanging_closed"]
    print("hanging refreshes:", ", ".join(ms(t) for t in hanging["times_s"]))
    print("hanging requests per refresh:", hanging["requests_per_refresh"])
    print(
        "warnings:",
        {
            k: results[k]["warnings"]
            for k in ("healthy", "hanging_closed", "hanging_open")
        },
    )
    print(
        f"with breakers open: {results['hanging_open']['http_requests']} HTTP requests,"
        f" {results['hanging_open']['rejected_calls']} rejected calls"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
