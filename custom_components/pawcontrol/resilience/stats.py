"""The statistics the resilience manager publishes: their shape and their sums."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypedDict

from .models import BreakerStats
from .retry import RetryStats, RetryStatsDict
from .state import CircuitState

__all__ = [
    "DOG_BREAKER_PREFIX",
    "CacheStats",
    "Health",
    "ResilienceStatistics",
    "SummaryStats",
    "build_statistics",
    "current_error",
]

DOG_BREAKER_PREFIX: Final = "dog_"

type Health = Literal["healthy", "degraded", "critical"]


class SummaryStats(TypedDict):
    """Breaker counts by state and the overall health."""

    total: int
    closed: int
    open: int
    half_open: int
    isolated: int
    health: Health
    rejected_calls: int
    retries: int
    retry_success_rate: float | None


class CacheStats(TypedDict):
    """Cache use of the coordinator and the weather manager."""

    hits: int
    misses: int
    hit_rate: float | None
    stale_served: int


class ResilienceStatistics(TypedDict):
    """Everything `ResilienceManager.statistics` returns."""

    circuit_breakers: dict[str, BreakerStats]
    summary: SummaryStats
    retries: dict[str, RetryStatsDict]
    cache: CacheStats


def build_statistics(
    breakers: dict[str, BreakerStats],
    retry_stats: Mapping[str, RetryStats],
    *,
    hits: int,
    misses: int,
    stale_served: int,
) -> ResilienceStatistics:
    """Return the statistics of these breakers, retry counters and cache counts."""
    lookups = hits + misses
    return {
        "circuit_breakers": breakers,
        "summary": _summary(breakers, retry_stats),
        "retries": {
            component: stats.as_dict() for component, stats in retry_stats.items()
        },
        "cache": {
            "hits": hits,
            "misses": misses,
            "hit_rate": hits / lookups if lookups else None,
            "stale_served": stale_served,
        },
    }


def current_error(stats: BreakerStats) -> str | None:
    """Return the breaker's last error while it lasts: not closed, or failing in a row.

    Once a call succeeded (or the circuit was reset) the error is history:
    `last_error` in the statistics keeps it, and `last_failure_time` its time.
    """
    if stats["state"] == CircuitState.CLOSED and stats["failure_count"] == 0:
        return None
    return stats["last_error"]


def _summary(
    breakers: dict[str, BreakerStats], retry_stats: Mapping[str, RetryStats]
) -> SummaryStats:
    """Return the breaker counts by state, the health and the retry totals."""
    states = [stats["state"] for stats in breakers.values()]
    recovered = sum(stats.recovered for stats in retry_stats.values())
    finished = recovered + sum(stats.exhausted for stats in retry_stats.values())
    return {
        "total": len(states),
        "closed": states.count(CircuitState.CLOSED),
        "open": states.count(CircuitState.OPEN),
        "half_open": states.count(CircuitState.HALF_OPEN),
        "isolated": sum(stats["isolated"] for stats in breakers.values()),
        "health": _health(breakers),
        "rejected_calls": sum(stats["rejected_calls"] for stats in breakers.values()),
        "retries": sum(stats.retries for stats in retry_stats.values()),
        "retry_success_rate": recovered / finished if finished else None,
    }


def _health(breakers: dict[str, BreakerStats]) -> Health:
    """Return healthy, degraded or critical for these breaker statistics.

    Critical means that no dog is served: there are dog breakers and none of
    them is closed.
    """
    if all(stats["state"] == CircuitState.CLOSED for stats in breakers.values()):
        return "healthy"
    dogs = [
        stats["state"]
        for name, stats in breakers.items()
        if name.startswith(DOG_BREAKER_PREFIX)
    ]
    if dogs and CircuitState.CLOSED not in dogs:
        return "critical"
    return "degraded"
