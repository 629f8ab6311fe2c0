"""Resilience for PawControl: circuit breakers, retries and their manager.

`breaker`, `retry` and `throttle` are pure asyncio; `manager` binds them to
Home Assistant.
"""

from __future__ import annotations

from .breaker import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    TransitionEvent,
)
from .manager import ResilienceListener, ResilienceManager, ResilienceStatistics
from .retry import (
    RetryConfig,
    RetryStats,
    async_retry,
    async_retry_with_breaker,
    is_transient,
)
from .throttle import RetryThrottle

__all__ = [
    "CircuitBreaker",
    "CircuitBreakerConfig",
    "CircuitBreakerOpenError",
    "CircuitState",
    "ResilienceListener",
    "ResilienceManager",
    "ResilienceStatistics",
    "RetryConfig",
    "RetryStats",
    "RetryThrottle",
    "TransitionEvent",
    "async_retry",
    "async_retry_with_breaker",
    "is_transient",
]
