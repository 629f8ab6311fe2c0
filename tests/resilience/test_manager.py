"""Tests for the ResilienceManager on a real Home Assistant (semantics 9, 12, 13)."""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.pawcontrol.resilience import (
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    ResilienceManager,
    RetryConfig,
    TransitionEvent,
)
from custom_components.pawcontrol.resilience.manager import STORAGE_KEY

from .conftest import FakeClock, FakeSleep


class ApiError(Exception):
    """A transient failure."""


async def ok() -> str:
    """Succeed."""
    return "ok"


async def fail() -> str:
    """Fail."""
    raise ApiError("cloud down")


@pytest.fixture
async def manager(
    hass: HomeAssistant, clock: FakeClock, sleep: FakeSleep
) -> ResilienceManager:
    """Return a loaded manager on the fake clock, with no open-period jitter."""
    manager = ResilienceManager(hass, clock=clock, random=lambda: 0.0, sleep=sleep)
    await manager.async_load()
    return manager


async def fire_timers(hass: HomeAssistant, seconds: float) -> None:
    """Run the Home Assistant timers due within ``seconds`` from now."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


async def trip(manager: ResilienceManager, name: str, failures: int = 3) -> None:
    """Fail ``failures`` operations through the breaker ``name``."""
    breaker = manager.breaker(name)
    for _ in range(failures):
        with pytest.raises(ApiError):
            await manager.async_call("coordinator", fail, breaker=breaker)


async def test_breaker_get_or_create(manager: ResilienceManager) -> None:
    """The same name returns the same breaker; a new config keeps the state."""
    breaker = manager.breaker("dog_rex")
    assert manager.breaker("dog_rex") is breaker
    assert breaker.config == CircuitBreakerConfig()
    await trip(manager, "dog_rex")
    config = CircuitBreakerConfig(timeout_seconds=60)
    assert manager.breaker("dog_rex", config) is breaker
    assert breaker.config is config
    assert breaker.state is CircuitState.OPEN
    assert (
        manager.breaker("dog_rex", CircuitBreakerConfig(timeout_seconds=60)).config
        is config
    )
    assert manager.names() == ["dog_rex"]


async def test_reset(manager: ResilienceManager) -> None:
    """reset() resets one breaker or all, and rejects unknown names."""
    await trip(manager, "dog_rex")
    await trip(manager, "dog_bella")
    assert manager.reset("dog_rex") == ["dog_rex"]
    assert manager.breaker("dog_rex").state is CircuitState.CLOSED
    assert manager.breaker("dog_bella").state is CircuitState.OPEN
    assert manager.reset("all") == ["dog_bella", "dog_rex"]
    assert manager.statistics()["summary"]["closed"] == 2
    with pytest.raises(KeyError):
        manager.reset("dog_unknown")


async def test_remove(manager: ResilienceManager) -> None:
    """remove() drops a breaker; later transitions of it are not published."""
    events: list[TransitionEvent | None] = []
    breaker = manager.breaker("dog_rex")
    manager.async_add_listener(events.append)
    assert manager.remove("dog_rex")
    assert not manager.remove("dog_rex")
    assert manager.names() == []
    assert manager.statistics()["circuit_breakers"] == {}
    events.clear()
    for _ in range(3):
        with pytest.raises(ApiError):
            await breaker.call(fail)
    assert events == []


async def test_statistics_shape(manager: ResilienceManager) -> None:
    """statistics() has exactly the documented shape and is JSON-safe."""
    stats = manager.statistics()
    assert stats == {
        "circuit_breakers": {},
        "summary": {
            "total": 0,
            "closed": 0,
            "open": 0,
            "half_open": 0,
            "isolated": 0,
            "health": "healthy",
            "rejected_calls": 0,
            "retries": 0,
            "retry_success_rate": None,
        },
        "retries": {
            component: {
                "operations": 0,
                "retries": 0,
                "recovered": 0,
                "exhausted": 0,
                "retry_success_rate": None,
            }
            for component in ("coordinator", "gps", "weather", "notifications")
        },
        "cache": {"hits": 0, "misses": 0, "hit_rate": None, "stale_served": 0},
    }
    manager.breaker("dog_rex")
    stats = manager.statistics()
    json.dumps(stats)
    assert stats["circuit_breakers"]["dog_rex"] == manager.breaker("dog_rex").stats()


async def test_health(
    hass: HomeAssistant, manager: ResilienceManager, clock: FakeClock
) -> None:
    """Healthy: all closed; critical: no dog breaker closed; else degraded."""
    manager.breaker("dog_rex")
    manager.breaker("dog_bella")
    manager.breaker("notification_mobile")
    assert manager.statistics()["summary"]["health"] == "healthy"
    await trip(manager, "notification_mobile")
    assert manager.statistics()["summary"]["health"] == "degraded"
    await trip(manager, "dog_rex")
    assert manager.statistics()["summary"]["health"] == "degraded"
    await trip(manager, "dog_bella")
    summary = manager.statistics()["summary"]
    assert summary == {
        "total": 3,
        "closed": 0,
        "open": 3,
        "half_open": 0,
        "isolated": 0,
        "health": "critical",
        "rejected_calls": 0,
        "retries": 0,
        "retry_success_rate": None,
    }
    clock.advance(30)
    await fire_timers(hass, 31)
    summary = manager.statistics()["summary"]
    assert (summary["half_open"], summary["health"]) == (3, "critical")
    manager.reset("dog_rex")
    assert manager.statistics()["summary"]["health"] == "degraded"


async def test_health_without_dog_breakers(manager: ResilienceManager) -> None:
    """Only non-dog breakers open is degraded, never critical."""
    await trip(manager, "notification_mobile")
    assert manager.statistics()["summary"]["health"] == "degraded"


async def test_coordinator_call_breaker_and_retry(
    manager: ResilienceManager, sleep: FakeSleep
) -> None:
    """The breaker wraps the retries; the component's statistics count them."""
    breaker = manager.breaker("dog_rex")
    outcomes: list[Exception | str] = [ApiError("blip"), "ok"]

    async def status() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    retry = RetryConfig(max_attempts=2)
    result = await manager.async_call(
        "coordinator", status, breaker=breaker, retry=retry
    )
    assert result == "ok"
    for _ in range(3):
        with pytest.raises(ApiError):
            await manager.async_call("coordinator", fail, breaker=breaker, retry=retry)
    with pytest.raises(CircuitBreakerOpenError):
        await manager.async_call("coordinator", fail, breaker=breaker, retry=retry)
    stats = manager.statistics()
    # The breaker's throttle fell to 5 tokens before the fourth operation.
    assert stats["retries"]["coordinator"] == {
        "operations": 4,
        "retries": 3,
        "recovered": 1,
        "exhausted": 2,
        "retry_success_rate": pytest.approx(1 / 3),
    }
    breaker_stats = stats["circuit_breakers"]["dog_rex"]
    assert breaker_stats["total_calls"] == 4
    assert breaker_stats["total_failures"] == 3
    assert breaker_stats["rejected_calls"] == 1
    assert len(sleep.delays) == 3


async def test_notifications_breaker_only(manager: ResilienceManager) -> None:
    """Without a retry config an operation is tried once."""
    breaker = manager.breaker("notification_mobile")
    calls = 0

    async def send() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("no route")

    with pytest.raises(ApiError):
        await manager.async_call("notifications", send, breaker=breaker)
    assert calls == 1
    assert manager.statistics()["retries"]["notifications"]["operations"] == 1


async def test_gps_retry_only_is_throttled(
    manager: ResilienceManager, sleep: FakeSleep
) -> None:
    """Retry without a breaker uses a throttle per component."""
    calls = 0

    async def locate() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("no fix")

    for _ in range(10):
        with pytest.raises(ApiError):
            await manager.async_call("gps", locate, retry=RetryConfig())
    assert calls == 13
    stats = manager.statistics()["retries"]
    assert stats["gps"]["operations"] == 10
    assert stats["gps"]["exhausted"] == 2
    assert stats["weather"]["operations"] == 0


async def test_new_component_is_counted(manager: ResilienceManager) -> None:
    """An unknown component gets its own statistics."""
    assert await manager.async_call("diagnostics", ok) == "ok"
    assert manager.statistics()["retries"]["diagnostics"]["operations"] == 1


async def test_cache_statistics(manager: ResilienceManager) -> None:
    """Cache hits, misses and stale data served are counted."""
    manager.record_cache(hit=True)
    manager.record_cache(hit=True)
    manager.record_cache(hit=True)
    manager.record_cache(hit=False)
    manager.record_stale_served()
    assert manager.statistics()["cache"] == {
        "hits": 3,
        "misses": 1,
        "hit_rate": 0.75,
        "stale_served": 1,
    }


async def test_listeners(
    manager: ResilienceManager, caplog: pytest.LogCaptureFixture
) -> None:
    """Listeners get transition events and None for other changes."""
    events: list[TransitionEvent | None] = []

    def broken(event: TransitionEvent | None) -> None:
        raise RuntimeError("listener bug")

    manager.async_add_listener(broken)
    unsubscribe = manager.async_add_listener(events.append)
    await trip(manager, "dog_rex")
    transitions = [e for e in events if e is not None]
    assert [(e.circuit_name, e.to_state, e.reason) for e in transitions] == [
        ("dog_rex", CircuitState.OPEN, "failure_threshold")
    ]
    assert transitions[0].last_error == "ApiError: cloud down"
    assert events.count(None) == 3
    assert "Error in resilience listener" in caplog.text
    events.clear()
    manager.reset("all")
    assert [e.reason if e else None for e in events] == ["reset", None]
    unsubscribe()
    unsubscribe()
    manager.record_cache(hit=False)
    assert len(events) == 2


async def test_debounced_save(
    hass: HomeAssistant,
    manager: ResilienceManager,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Changes are written a few seconds later, at most once per delay."""
    await trip(manager, "dog_rex")
    assert STORAGE_KEY not in hass_storage
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    stored = hass_storage[STORAGE_KEY]
    assert stored["version"] == 1
    assert stored["data"]["breakers"]["dog_rex"]["state"] == "open"
    assert stored["data"]["retries"]["coordinator"]["operations"] == 3


async def test_saved_on_stop(
    hass: HomeAssistant, manager: ResilienceManager, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant stopping writes the state."""
    await trip(manager, "dog_rex", 1)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    breaker = hass_storage[STORAGE_KEY]["data"]["breakers"]["dog_rex"]
    assert breaker["failure_count"] == 1


async def test_open_breaker_survives_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    sleep: FakeSleep,
) -> None:
    """An OPEN breaker is open for the rest of its time after a restart (semantics 13)."""
    freezer.move_to("2026-06-01T08:00:00+00:00")
    first_clock = FakeClock(500.0)
    first = ResilienceManager(hass, clock=first_clock, random=lambda: 0.0, sleep=sleep)
    await first.async_load()
    await trip(first, "dog_rex")
    first.record_cache(hit=True)
    first_clock.advance(10)
    freezer.tick(timedelta(seconds=10))
    await first.async_shutdown()
    saved = first.statistics()

    # Restart: 5 s of wall-clock time pass, the monotonic clock starts anew.
    freezer.tick(timedelta(seconds=5))
    second_clock = FakeClock(3.0)
    events: list[TransitionEvent | None] = []
    second = ResilienceManager(hass, clock=second_clock, sleep=sleep)
    await second.async_load()
    second.async_add_listener(events.append)
    breaker = second.breaker("dog_rex")
    assert breaker.state is CircuitState.OPEN
    assert breaker.open_remaining == pytest.approx(15.0)
    assert [e.reason for e in events if e] == ["restored"]
    with pytest.raises(CircuitBreakerOpenError) as exc_info:
        await second.async_call("coordinator", ok, breaker=breaker)
    assert exc_info.value.retry_after == pytest.approx(15.0)
    stats = second.statistics()
    restored = stats["circuit_breakers"]["dog_rex"]
    before = saved["circuit_breakers"]["dog_rex"]
    assert restored["total_failures"] == before["total_failures"] == 3
    assert restored["rejected_calls"] == 1
    assert restored["opened_count"] == 1
    assert restored["last_error"] == "ApiError: cloud down"
    assert restored["last_state_change"] == "2026-06-01T08:00:00+00:00"
    assert stats["retries"]["coordinator"]["operations"] == 3
    assert stats["cache"]["hits"] == 1
    second_clock.advance(15)
    assert await second.async_call("coordinator", ok, breaker=breaker) == "ok"
    assert breaker.state is CircuitState.HALF_OPEN
    await second.async_shutdown()


@pytest.mark.parametrize(("wall_elapsed", "open_after"), [(-3600, 20.0), (3600, None)])
async def test_restart_clamps_clock_jumps(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    clock: FakeClock,
    wall_elapsed: float,
    open_after: float | None,
) -> None:
    """A wall clock jumping back keeps the full rest; a long outage expires it."""
    first = ResilienceManager(hass, clock=clock, random=lambda: 0.0)
    await first.async_load()
    await trip(first, "dog_rex")
    clock.advance(10)
    await first.async_shutdown()
    freezer.tick(timedelta(seconds=wall_elapsed))
    second = ResilienceManager(hass, clock=FakeClock(0.0))
    await second.async_load()
    breaker = second.breaker("dog_rex")
    assert breaker.open_remaining == pytest.approx(open_after or 0.0)
    await fire_timers(hass, 1)
    expected = CircuitState.HALF_OPEN if open_after is None else CircuitState.OPEN
    assert breaker.state is expected
    await second.async_shutdown()


async def test_load_applies_to_existing_breakers(
    hass: HomeAssistant, hass_storage: dict[str, Any], clock: FakeClock
) -> None:
    """A breaker created before async_load still gets its saved state."""
    first = ResilienceManager(hass, clock=clock, random=lambda: 0.0)
    await first.async_load()
    await trip(first, "dog_rex")
    await first.async_shutdown()
    second = ResilienceManager(hass, clock=clock)
    breaker = second.breaker("dog_rex")
    await second.async_load()
    assert breaker.state is CircuitState.OPEN


async def test_unclaimed_state_is_kept_until_removed(
    hass: HomeAssistant, hass_storage: dict[str, Any], clock: FakeClock
) -> None:
    """Saved state of a breaker not created yet is saved again; remove drops it."""
    first = ResilienceManager(hass, clock=clock)
    await first.async_load()
    await trip(first, "dog_rex")
    await first.async_shutdown()
    second = ResilienceManager(hass, clock=clock)
    await second.async_load()
    await second.async_shutdown()
    assert "dog_rex" in hass_storage[STORAGE_KEY]["data"]["breakers"]
    assert second.remove("dog_rex")
    await second.async_shutdown()
    assert hass_storage[STORAGE_KEY]["data"]["breakers"] == {}


@pytest.mark.parametrize(
    "data",
    [
        {"saved_at": 5, "breakers": [], "retries": None, "cache": "x"},
        {
            "breakers": {"dog_rex": "broken"},
            "retries": {"gps": "broken", "weather": {"operations": -1, "retries": 2}},
            "cache": {"hits": True, "misses": 2},
        },
    ],
)
async def test_malformed_storage_is_ignored(
    hass: HomeAssistant, hass_storage: dict[str, Any], data: dict[str, Any]
) -> None:
    """Malformed stored data does not stop the manager from loading."""
    hass_storage[STORAGE_KEY] = {"version": 1, "key": STORAGE_KEY, "data": data}
    manager = ResilienceManager(hass)
    await manager.async_load()
    assert manager.breaker("dog_rex").state is CircuitState.CLOSED
    stats = manager.statistics()
    assert stats["retries"]["gps"]["operations"] == 0
    if "cache" in data and isinstance(data["cache"], dict):
        assert stats["retries"]["weather"]["retries"] == 2
        assert stats["cache"]["hits"] == 0
        assert stats["cache"]["misses"] == 2


async def test_malformed_breaker_state_is_logged(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken breaker snapshot is skipped with a warning."""
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {"breakers": {"dog_rex": {"state": "on fire"}}},
    }
    manager = ResilienceManager(hass)
    await manager.async_load()
    caplog.set_level(logging.WARNING)
    assert manager.breaker("dog_rex").state is CircuitState.CLOSED
    assert (
        "Ignored stored data of pawcontrol.resilience that could not be used "
        "(circuit dog_rex: state is unknown)" in caplog.text
    )


async def test_no_storage_yet(hass: HomeAssistant) -> None:
    """A first start loads nothing and works."""
    manager = ResilienceManager(hass)
    await manager.async_load()
    await manager.async_load()
    assert manager.statistics()["summary"]["total"] == 0
