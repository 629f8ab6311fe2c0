"""Circuit states and the timing constants shared by the breaker and its store."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

MAX_BACKOFF_FACTOR: Final = 10
"""The base open duration never exceeds this many times ``timeout_seconds``."""
OPEN_JITTER: Final = 0.1
"""Each open period lasts ``base * (1 + OPEN_JITTER * random())``."""


class CircuitState(StrEnum):
    """State of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
