"""Benchmark PawControl's circuit breaker and retry against peer libraries.

Run from the repository root: ``python benchmarks/bench_resilience.py``.
Needs only the peers of ``benchmarks/requirements.txt``; Home Assistant is not
imported: ``breaker.py``, ``retry.py`` and ``throttle.py`` are loaded from
their files as a stand-alone package, so neither ``custom_components/pawcontrol
/__init__.py`` nor ``resilience/__init__.py`` (which imports the manager and
Home Assistant) runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import gc
import importlib
import json
import os
from pathlib import Path
import platform
import sys
import time
import tracemalloc
import types
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESILIENCE = ROOT / "custom_components" / "pawcontrol" / "resilience"
RESULTS = Path(__file__).resolve().parent / "results.json"

CALLS = 20_000
REPEATS = 9
BREAKERS = 10_000


def check(condition: bool, what: str) -> None:
    """Stop the benchmark when a sanity check fails."""
    if not condition:
        raise RuntimeError(f"sanity check failed: {what}")


def load_resilience() -> tuple[types.ModuleType, types.ModuleType]:
    """Import breaker.py and retry.py as the package ``pawcontrol_resilience``."""
    package = types.ModuleType("pawcontrol_resilience")
    package.__path__ = [str(RESILIENCE)]
    sys.modules["pawcontrol_resilience"] = package
    breaker = importlib.import_module("pawcontrol_resilience.breaker")
    retry = importlib.import_module("pawcontrol_resilience.retry")
    if "homeassistant" in sys.modules:
        raise RuntimeError("the pure modules imported Home Assistant")
    return breaker, retry


class ServiceError(Exception):
    """The failure used to trip breakers."""


async def noop() -> None:
    """Do nothing, asynchronously."""


async def failing() -> None:
    """Fail."""
    raise ServiceError("down")


def noop_sync() -> None:
    """Do nothing."""


def failing_sync() -> None:
    """Fail."""
    raise ServiceError("down")


async def _run_once(call: Callable[[], Awaitable[Any]]) -> float:
    """Return the time in ns of one ``await call()``, averaged over CALLS calls."""
    gc.disable()
    start = time.perf_counter_ns()
    for _ in range(CALLS):
        await call()
    elapsed = time.perf_counter_ns() - start
    gc.enable()
    return elapsed / CALLS


async def time_async_all(
    calls: dict[str, Callable[[], Awaitable[Any]]],
) -> dict[str, float]:
    """Return the best time in ns per call of each candidate.

    The candidates take turns in every round, so a noisy moment on the host
    hits all of them alike; one warm-up round is discarded.
    """
    best = dict.fromkeys(calls, float("inf"))
    for round_number in range(REPEATS + 1):
        for name, call in calls.items():
            elapsed = await _run_once(call)
            if round_number:
                best[name] = min(best[name], elapsed)
    return best


async def time_async_rejection(
    call: Callable[[], Awaitable[Any]], error: type[BaseException]
) -> float:
    """Return the best-of-REPEATS time in ns of one rejected ``await call()``."""
    best = float("inf")
    for _ in range(REPEATS):
        gc.disable()
        start = time.perf_counter_ns()
        for _ in range(CALLS):
            try:  # noqa: SIM105 - cheaper than contextlib.suppress in the timed loop
                await call()
            except error:
                pass
        elapsed = time.perf_counter_ns() - start
        gc.enable()
        best = min(best, elapsed / CALLS)
    return best


def time_sync(
    call: Callable[[], Any], error: type[BaseException] | None = None
) -> float:
    """Return the best-of-REPEATS time in ns of one ``call()``."""
    best = float("inf")
    for _ in range(REPEATS):
        gc.disable()
        start = time.perf_counter_ns()
        for _ in range(CALLS):
            if error is None:
                call()
            else:
                try:  # noqa: SIM105 - cheaper than contextlib.suppress in the timed loop
                    call()
                except error:
                    pass
        elapsed = time.perf_counter_ns() - start
        gc.enable()
        best = min(best, elapsed / CALLS)
    return best


async def trip_async(call: Callable[[], Awaitable[Any]], times: int) -> None:
    """Fail ``times`` calls to open a breaker."""
    for _ in range(times):
        with contextlib.suppress(Exception):
            await call()


async def measure_success(
    breaker_mod: types.ModuleType, retry_mod: types.ModuleType
) -> dict[str, float]:
    """Return ns per successful call, bare and through each library."""
    import aiobreaker  # noqa: PLC0415
    import backoff  # noqa: PLC0415
    import circuitbreaker  # noqa: PLC0415
    import purgatory  # noqa: PLC0415
    import stamina  # noqa: PLC0415
    import tenacity  # noqa: PLC0415

    ours = breaker_mod.CircuitBreaker("bench")
    ours_with_retry = breaker_mod.CircuitBreaker("bench_retry")
    retry_config = retry_mod.RetryConfig()
    retry_stats = retry_mod.RetryStats()
    async_retry = retry_mod.async_retry

    aio = aiobreaker.CircuitBreaker(fail_max=3)
    factory = purgatory.AsyncCircuitBreakerFactory(default_threshold=3)
    await factory.initialize()
    purg = factory("bench")(noop)
    cb = circuitbreaker.circuit(failure_threshold=3, recovery_timeout=30)(noop)
    tena = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(3),
        wait=tenacity.wait_random_exponential(multiplier=1, max=5),
    )
    stam = stamina.retry(on=ServiceError, attempts=3)(noop)
    back = backoff.on_exception(backoff.expo, ServiceError, max_tries=3)(noop)

    async def ours_retry_call() -> None:
        await ours_with_retry.call(
            async_retry,
            noop,
            retry_config,
            name="bench_retry",
            throttle=ours_with_retry.throttle,
            stats=retry_stats,
            breaker=ours_with_retry,
        )

    fused = retry_mod.async_retry_with_breaker
    ours_fused = breaker_mod.CircuitBreaker("bench_fused")

    results = await time_async_all(
        {
            "bare await noop()": noop,
            "ours: CircuitBreaker.call": lambda: ours.call(noop),
            "ours: breaker + async_retry": lambda: fused(
                ours_fused, noop, retry_config, stats=retry_stats
            ),
            "ours: breaker.call(async_retry, ...)": ours_retry_call,
            "aiobreaker": lambda: aio.call_async(noop),
            "purgatory": purg,
            "circuitbreaker": cb,
            "tenacity AsyncRetrying": lambda: tena(noop),
            "stamina": stam,
            "backoff": back,
        }
    )
    check(ours.stats()["total_successes"] == CALLS * (REPEATS + 1), "successes")
    return results


def measure_sync_success() -> dict[str, float]:
    """Return ns per successful synchronous call, bare and through pybreaker."""
    import pybreaker  # noqa: PLC0415

    pyb = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=30)
    return {
        "bare noop_sync()": time_sync(noop_sync),
        "pybreaker (sync)": time_sync(lambda: pyb.call(noop_sync)),
    }


async def measure_rejection(breaker_mod: types.ModuleType) -> dict[str, float]:
    """Return ns per call rejected by an open breaker, absolute."""
    import aiobreaker  # noqa: PLC0415
    import circuitbreaker  # noqa: PLC0415
    import purgatory  # noqa: PLC0415
    from purgatory.domain.model import OpenedState  # noqa: PLC0415
    import pybreaker  # noqa: PLC0415

    ours = breaker_mod.CircuitBreaker("bench_open", clock=time.monotonic)
    await trip_async(lambda: ours.call(failing), 3)
    check(ours.state == "open", "open breaker")

    aio = aiobreaker.CircuitBreaker(fail_max=3)
    await trip_async(lambda: aio.call_async(failing), 3)

    factory = purgatory.AsyncCircuitBreakerFactory(default_threshold=3)
    await factory.initialize()
    purg_fail = factory("bench_open")(failing)
    await trip_async(purg_fail, 3)

    cb_fail = circuitbreaker.circuit(
        failure_threshold=3, recovery_timeout=300, name="bench_open"
    )(failing)
    await trip_async(cb_fail, 3)

    pyb = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=300)
    for _ in range(3):
        with contextlib.suppress(ServiceError, pybreaker.CircuitBreakerError):
            pyb.call(failing_sync)

    results = {
        "ours: CircuitBreaker.call": await time_async_rejection(
            lambda: ours.call(noop), breaker_mod.CircuitBreakerOpenError
        ),
        "aiobreaker": await time_async_rejection(
            lambda: aio.call_async(failing), aiobreaker.CircuitBreakerError
        ),
        "purgatory": await time_async_rejection(purg_fail, OpenedState),
        "circuitbreaker": await time_async_rejection(
            cb_fail, circuitbreaker.CircuitBreakerError
        ),
        "pybreaker (sync)": time_sync(
            lambda: pyb.call(failing_sync), pybreaker.CircuitBreakerError
        ),
    }
    check(ours.stats()["rejected_calls"] == CALLS * REPEATS, "rejections")
    return results


def _bytes_per(factory: Callable[[int], Any]) -> float:
    """Return traced bytes per object made by ``factory(i)``, over BREAKERS objects."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    objects = [factory(i) for i in range(BREAKERS)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # The list holding the objects is not part of any breaker.
    size -= sys.getsizeof(objects)
    del objects
    return size / BREAKERS


def measure_memory(breaker_mod: types.ModuleType) -> dict[str, float]:
    """Return bytes per breaker, with its name and statistics."""
    import aiobreaker  # noqa: PLC0415
    import circuitbreaker  # noqa: PLC0415
    import pybreaker  # noqa: PLC0415

    def used(i: int) -> Any:
        breaker = breaker_mod.CircuitBreaker(f"dog_{i:05d}")
        loop_run(breaker.call(noop))
        with contextlib.suppress(ServiceError):
            loop_run(breaker.call(failing))
        return breaker

    return {
        "ours: new breaker": _bytes_per(
            lambda i: breaker_mod.CircuitBreaker(f"dog_{i:05d}")
        ),
        "ours: after a success and a failure": _bytes_per(used),
        "aiobreaker: new breaker": _bytes_per(
            lambda i: aiobreaker.CircuitBreaker(fail_max=3, name=f"dog_{i:05d}")
        ),
        "circuitbreaker: new breaker": _bytes_per(
            lambda i: circuitbreaker.CircuitBreaker(
                failure_threshold=3, name=f"dog_{i:05d}"
            )
        ),
        "pybreaker: new breaker": _bytes_per(
            lambda i: pybreaker.CircuitBreaker(fail_max=3, name=f"dog_{i:05d}")
        ),
    }


def loop_run(coro: Any) -> Any:
    """Run a coroutine that never suspends, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("coroutine suspended")


def machine() -> dict[str, Any]:
    """Describe the machine and interpreter."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def main() -> None:
    """Run every measurement, print a table and write results.json."""
    breaker_mod, retry_mod = load_resilience()
    success = asyncio.run(measure_success(breaker_mod, retry_mod))
    sync = measure_sync_success()
    rejection = asyncio.run(measure_rejection(breaker_mod))
    memory = measure_memory(breaker_mod)

    bare = success["bare await noop()"]
    overhead = {
        name: ns - bare for name, ns in success.items() if name != "bare await noop()"
    }
    overhead["pybreaker (sync)"] = sync["pybreaker (sync)"] - sync["bare noop_sync()"]
    peer_breakers = ("aiobreaker", "purgatory", "circuitbreaker", "pybreaker (sync)")
    fastest_peer = min(peer_breakers, key=lambda name: overhead[name])
    ours_retry = overhead["ours: breaker + async_retry"]
    targets = {
        "breaker+retry <= fastest peer breaker": ours_retry <= overhead[fastest_peer],
        "breaker+retry <= tenacity / 10": ours_retry
        <= overhead["tenacity AsyncRetrying"] / 10,
        "rejection < 2 us": rejection["ours: CircuitBreaker.call"] < 2000,
        "memory < 1 KB per breaker": memory["ours: after a success and a failure"]
        < 1024,
        "memory <= 512 B per breaker (aim)": memory[
            "ours: after a success and a failure"
        ]
        <= 512,
    }
    results = {
        "machine": machine(),
        "calls_per_repeat": CALLS,
        "repeats": REPEATS,
        "baseline_ns": {"await noop()": bare, "noop_sync()": sync["bare noop_sync()"]},
        "success_overhead_ns": overhead,
        "rejection_ns": rejection,
        "memory_bytes_per_breaker": memory,
        "fastest_peer_breaker": fastest_peer,
        "targets_met": targets,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    info = results["machine"]
    print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}")
    print(
        f"bare await noop(): {bare:.0f} ns; bare noop_sync(): {sync['bare noop_sync()']:.0f} ns"
    )
    print("\nSuccess-path overhead per call (ns, best of repeats)")
    for name, ns in sorted(overhead.items(), key=lambda item: item[1]):
        print(f"  {name:38} {ns:9.0f}")
    print("\nRejected call by an open breaker (ns per call, absolute)")
    for name, ns in sorted(rejection.items(), key=lambda item: item[1]):
        print(f"  {name:38} {ns:9.0f}")
    print(f"\nMemory per breaker (bytes, tracemalloc over {BREAKERS} breakers)")
    for name, size in memory.items():
        print(f"  {name:38} {size:7.0f}")
    print("\nTargets")
    for name, met in targets.items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
