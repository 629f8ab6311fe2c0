"""ResilienceManager: the breakers, retry statistics and persistence of one hass."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from functools import partial
import logging
import random as _random
import time
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .breaker import CircuitBreaker, CircuitBreakerConfig, TransitionEvent
from .listeners import KeyedListeners
from .persistence import (
    StoredData,
    parse_retry_stats,
    parse_saved_at,
    stored_count,
    stored_data,
    wall_clock,
)
from .retry import RetryConfig, RetryStats, async_retry, async_retry_with_breaker
from .stats import (
    DOG_BREAKER_PREFIX,
    CacheStats,
    Health,
    ResilienceStatistics,
    SummaryStats,
    build_statistics,
)
from .storage import DebouncedSave, PawControlStore
from .stored import aged_snapshot
from .throttle import RetryThrottle

__all__ = [
    "COMPONENTS",
    "DOG_BREAKER_PREFIX",
    "EXPIRY_RECHECK",
    "RESET_ALL",
    "SAVE_DELAY",
    "STORAGE_KEY",
    "STORAGE_VERSION",
    "CacheStats",
    "Health",
    "ResilienceListener",
    "ResilienceManager",
    "ResilienceStatistics",
    "StoredData",
    "SummaryStats",
]

_LOGGER = logging.getLogger(__name__)

STORAGE_KEY: Final = "pawcontrol.resilience"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 5.0
"""Seconds between a change and the debounced write of the store."""
COMPONENTS: Final = ("coordinator", "gps", "weather", "notifications")
RESET_ALL: Final = "all"
EXPIRY_RECHECK: Final = 0.05
"""Seconds to wait again when an open-period timer fires a moment early."""

_NO_RETRY: Final = RetryConfig(max_attempts=1, initial_delay=0.0, max_delay=0.0)

type ResilienceListener = Callable[[TransitionEvent | None], None]


class ResilienceManager:
    """Registry of named circuit breakers and per-component retry statistics.

    Listeners added with `async_add_listener` are called with a
    `TransitionEvent` on every breaker state change, and with None when the
    statistics changed otherwise (an operation finished, a reset, a removal,
    a cache hit or miss).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """Create an empty manager; call `async_load` before use."""
        self.hass = hass
        self._clock = clock
        self._random = random
        self._sleep = sleep
        self._store: PawControlStore[StoredData] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY
        )
        self._saver = DebouncedSave(hass, self._store, self._data_to_save, SAVE_DELAY)
        self._expiry: dict[str, CALLBACK_TYPE] = {}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._restored: dict[str, dict[str, Any]] = {}
        self._saved_at: float | None = None
        self._retry_stats = {component: RetryStats() for component in COMPONENTS}
        self._throttles: dict[str, RetryThrottle] = {}
        self._cache_hits = 0
        self._cache_misses = 0
        self._stale_served = 0
        self._listeners: list[ResilienceListener] = []
        self._circuit_listeners: KeyedListeners[str] = KeyedListeners()
        self._unsub_stop: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Restore the persisted state and save again when Home Assistant stops."""
        data = await self._store.async_load_or_reset()
        if isinstance(data, dict):
            self._load(data)
        elif data is not None:
            self._store.report_reset("not an object")
        if self._unsub_stop is None:
            self._unsub_stop = self.hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_STOP, self._async_on_stop
            )

    async def async_shutdown(self) -> None:
        """Write the state to the store now and stop listening for stop."""
        if self._unsub_stop is not None:
            self._unsub_stop()
            self._unsub_stop = None
        for cancel in self._expiry.values():
            cancel()
        self._expiry.clear()
        await self._saver.async_flush()

    def breaker(
        self, name: str, config: CircuitBreakerConfig | None = None
    ) -> CircuitBreaker:
        """Return the breaker ``name``, created (and restored) on first use.

        A different ``config`` for an existing breaker replaces its
        configuration and keeps its state.
        """
        breaker = self._breakers.get(name)
        if breaker is not None:
            if config is not None and config != breaker.config:
                breaker.config = config
            return breaker
        breaker = CircuitBreaker(
            name,
            config or CircuitBreakerConfig(),
            clock=self._clock,
            random=self._random,
            wall_clock=wall_clock,
            on_transition=self._on_transition,
        )
        self._breakers[name] = breaker
        snapshot = self._restored.pop(name, None)
        if snapshot is not None:
            self._restore(breaker, snapshot)
        return breaker

    def names(self) -> list[str]:
        """Return the names of the breakers, sorted."""
        return sorted(self._breakers)

    def stored_names(self) -> list[str]:
        """Return the names of saved states whose breaker was not created yet."""
        return sorted(self._restored)

    def isolate(self, name: str) -> list[str]:
        """Open the breaker ``name`` (or every breaker for ``"all"``) until a reset.

        Return the names isolated; raise `KeyError` for an unknown name.
        """
        for breaker_name in (names := self._select(name)):
            self._breakers[breaker_name].isolate()
        self._stats_changed()
        return names

    def _select(self, name: str) -> list[str]:
        """Return the breaker names ``name`` stands for, or raise `KeyError`."""
        if name == RESET_ALL:
            return self.names()
        if name in self._breakers:
            return [name]
        raise KeyError(name)

    def reset(self, name: str) -> list[str]:
        """Reset the breaker ``name``, or every breaker for ``"all"``.

        Return the names reset; raise `KeyError` for an unknown name.
        """
        for breaker_name in (names := self._select(name)):
            self._breakers[breaker_name].reset()
        self._stats_changed()
        return names

    def remove(self, name: str) -> bool:
        """Forget the breaker ``name`` and its saved state; return if it existed."""
        breaker = self._breakers.pop(name, None)
        restored = self._restored.pop(name, None)
        if breaker is None and restored is None:
            return False
        if breaker is not None:
            breaker.on_transition = None
        if cancel := self._expiry.pop(name, None):
            cancel()
        self._stats_changed()
        return True

    @callback
    def async_add_listener(self, listener: ResilienceListener) -> CALLBACK_TYPE:
        """Call ``listener`` on every change; return a function that removes it."""
        self._listeners.append(listener)

        @callback
        def _remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return _remove

    @callback
    def async_add_circuit_listener(
        self, circuit_name: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` only when the circuit ``circuit_name`` changes state."""
        return self._circuit_listeners.add(circuit_name, listener)

    async def async_call[T](
        self,
        component: str,
        func: Callable[[], Awaitable[T]],
        *,
        breaker: CircuitBreaker | None = None,
        retry: RetryConfig | None = None,
        source: str | None = None,
    ) -> T:
        """Run one operation of ``component``: the breaker around the retries.

        Without ``retry`` the operation is tried once; without ``breaker`` a
        retry throttle limits the retries: one per ``source`` when given (so
        one dead tracker does not use up another dog's retries), else one per
        component. The breaker rejects with `CircuitBreakerOpenError` without
        counting an operation. Statistics are counted per component.
        """
        stats = self._retry_stats.get(component)
        if stats is None:
            stats = self._retry_stats[component] = RetryStats()
        config = retry or _NO_RETRY
        try:
            if breaker is None:
                key = f"{component}_{source}" if source else component
                throttle = self._throttles.get(key)
                if throttle is None:
                    throttle = self._throttles[key] = RetryThrottle()
                return await async_retry(
                    func,
                    config,
                    name=key,
                    sleep=self._sleep,
                    random=self._random,
                    throttle=throttle,
                    stats=stats,
                )
            return await async_retry_with_breaker(
                breaker,
                func,
                config,
                sleep=self._sleep,
                random=self._random,
                stats=stats,
            )
        finally:
            self._stats_changed()

    @callback
    def record_cache(self, hit: bool) -> None:
        """Count a cache lookup."""
        if hit:
            self._cache_hits += 1
        else:
            self._cache_misses += 1
        self._stats_changed()

    @callback
    def record_stale_served(self) -> None:
        """Count cached data served because fresh data was unavailable."""
        self._stale_served += 1
        self._stats_changed()

    def statistics(self) -> ResilienceStatistics:
        """Return the statistics published by the sensor and the service."""
        return build_statistics(
            {name: self._breakers[name].stats() for name in self.names()},
            self._retry_stats,
            hits=self._cache_hits,
            misses=self._cache_misses,
            stale_served=self._stale_served,
        )

    def _load(self, data: Mapping[str, object]) -> None:
        """Take the stored data; malformed parts are skipped."""
        self._saved_at = parse_saved_at(data.get("saved_at"))
        breakers = data.get("breakers")
        if isinstance(breakers, dict):
            for name, snapshot in breakers.items():
                if not isinstance(name, str) or not isinstance(snapshot, dict):
                    self._store.report_reset("a circuit state is not an object")
                    continue
                if name in self._breakers:
                    self._restore(self._breakers[name], snapshot)
                else:
                    self._restored[name] = snapshot
        self._retry_stats.update(parse_retry_stats(data.get("retries")))
        cache = data.get("cache")
        if isinstance(cache, dict):
            self._cache_hits = stored_count(cache.get("hits"))
            self._cache_misses = stored_count(cache.get("misses"))
            self._stale_served = stored_count(cache.get("stale_served"))

    def _restore(self, breaker: CircuitBreaker, snapshot: dict[str, Any]) -> None:
        """Give ``breaker`` its saved state, aged by the wall-clock time since."""
        elapsed = 0.0 if self._saved_at is None else wall_clock() - self._saved_at
        try:
            breaker.restore(snapshot, elapsed=elapsed)
        except ValueError as err:
            # The name comes from the file too: show only a short piece of it.
            self._store.report_reset(f"circuit {breaker.name[:64]}: {err}")

    def _data_to_save(self) -> StoredData:
        """Return the data to write, built on the event loop; reads change nothing."""
        elapsed = 0.0 if self._saved_at is None else wall_clock() - self._saved_at
        # Saved states not claimed in this run keep ageing (see `aged_snapshot`).
        breakers = {
            name: aged_snapshot(snapshot, elapsed)
            for name, snapshot in self._restored.items()
        }
        breakers.update(
            (name, breaker.snapshot()) for name, breaker in self._breakers.items()
        )
        return stored_data(
            breakers,
            self._retry_stats,
            hits=self._cache_hits,
            misses=self._cache_misses,
            stale_served=self._stale_served,
        )

    @callback
    def _schedule_save(self) -> None:
        """Write within `SAVE_DELAY` seconds, however often things change."""
        self._saver.schedule()

    async def _async_on_stop(self, _event: Event) -> None:
        """Write the state when Home Assistant stops."""
        self._unsub_stop = None
        await self._saver.async_flush()

    @callback
    def _on_transition(self, event: TransitionEvent) -> None:
        """Time the open period, save, and tell the listeners about a state change."""
        self._track_open_period(event.circuit_name)
        self._schedule_save()
        self._circuit_listeners.notify(event.circuit_name)
        self._notify(event)

    @callback
    def _track_open_period(self, name: str) -> None:
        """Half-open the breaker on the loop when its open period ends."""
        if cancel := self._expiry.pop(name, None):
            cancel()
        breaker = self._breakers.get(name)
        remaining = breaker.open_remaining if breaker is not None else None
        if remaining is not None:
            self._expiry[name] = async_call_later(
                self.hass,
                max(remaining, EXPIRY_RECHECK),
                HassJob(partial(self._expire, name), cancel_on_shutdown=True),
            )

    @callback
    def _expire(self, name: str, _now: datetime) -> None:
        """End the open period of ``name``; wait again if the timer was early."""
        self._expiry.pop(name, None)
        breaker = self._breakers.get(name)
        if breaker is not None and not breaker.expire_open_period():
            self._track_open_period(name)

    @callback
    def _stats_changed(self) -> None:
        """Save and tell the listeners that the statistics changed."""
        self._schedule_save()
        self._notify(None)

    @callback
    def _notify(self, event: TransitionEvent | None) -> None:
        """Call every listener; one failing listener does not stop the others."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                _LOGGER.exception("Error in resilience listener")
