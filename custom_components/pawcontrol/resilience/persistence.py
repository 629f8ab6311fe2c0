"""The resilience manager's stored data: built to save, its counters read back.

The stored file is outside input: a malformed counter reads as 0 and a
malformed entry as missing, never as an error. `stored` validates the
snapshots of the breakers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from homeassistant.util import dt as dt_util

from .retry import RetryStats
from .stored import CLOCK_SKEW, MAX_COUNT

__all__ = [
    "StoredData",
    "parse_retry_stats",
    "parse_saved_at",
    "stored_count",
    "stored_data",
    "wall_clock",
]


class StoredData(TypedDict):
    """What the store holds (version 1)."""

    saved_at: str
    breakers: dict[str, dict[str, Any]]
    retries: dict[str, dict[str, int]]
    cache: dict[str, int]


def wall_clock() -> float:
    """Return the wall-clock time as a POSIX timestamp."""
    return dt_util.utcnow().timestamp()


def stored_data(
    breakers: dict[str, dict[str, Any]],
    retry_stats: Mapping[str, RetryStats],
    *,
    hits: int,
    misses: int,
    stale_served: int,
) -> StoredData:
    """Return the data to store, saved now, with these breaker snapshots."""
    return {
        "saved_at": dt_util.utcnow().isoformat(),
        "breakers": breakers,
        "retries": {
            component: _retry_counters(stats)
            for component, stats in retry_stats.items()
        },
        "cache": {"hits": hits, "misses": misses, "stale_served": stale_served},
    }


def _retry_counters(stats: RetryStats) -> dict[str, int]:
    """Return the counters of ``stats`` to store."""
    return {
        "operations": stats.operations,
        "retries": stats.retries,
        "recovered": stats.recovered,
        "exhausted": stats.exhausted,
    }


def stored_count(value: Any) -> int:
    """Return ``value`` if it is a plausible counter, else 0."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= MAX_COUNT
    ):
        return value
    return 0


def parse_saved_at(value: Any) -> float | None:
    """Return the stored save time as a timestamp, or None when it is not plausible."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt_util.parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    stamp = parsed.timestamp()
    return stamp if stamp <= wall_clock() + CLOCK_SKEW else None


def parse_retry_stats(retries: Any) -> dict[str, RetryStats]:
    """Return the retry statistics by component; malformed entries are skipped."""
    if not isinstance(retries, dict):
        return {}
    return {
        component: _retry_stats_from(counters)
        for component, counters in retries.items()
        if isinstance(counters, dict)
    }


def _retry_stats_from(counters: dict[str, Any]) -> RetryStats:
    """Return retry statistics from stored counters; a malformed counter is 0."""
    return RetryStats(
        operations=stored_count(counters.get("operations")),
        retries=stored_count(counters.get("retries")),
        recovered=stored_count(counters.get("recovered")),
        exhausted=stored_count(counters.get("exhausted")),
    )
