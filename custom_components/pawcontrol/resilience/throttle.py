"""Retry throttle: a gRPC-style token bucket that stops retries during outages."""

from __future__ import annotations

from typing import Final

# Tokens are kept in thousandths so that refunds of 0.1 never drift.
_SCALE: Final = 1000


class RetryThrottle:
    """Token bucket that allows retries only while enough tokens remain.

    As in gRPC retry throttling: the bucket starts full; each failed attempt
    costs 1 token, each successful attempt refunds ``token_ratio`` tokens, and
    a retry is allowed only while more than half of ``max_tokens`` remain.
    """

    __slots__ = ("_max", "_ratio", "_threshold", "_tokens")

    def __init__(self, max_tokens: float = 10.0, token_ratio: float = 0.1) -> None:
        """Create a full bucket of ``max_tokens``."""
        if max_tokens <= 0 or token_ratio <= 0:
            raise ValueError("max_tokens and token_ratio must be positive")
        self._max = round(max_tokens * _SCALE)
        self._ratio = round(token_ratio * _SCALE)
        self._threshold = self._max // 2
        self._tokens = self._max

    @property
    def tokens(self) -> float:
        """Return the tokens left."""
        return self._tokens / _SCALE

    def allow_retry(self) -> bool:
        """Return whether a retry may be made now."""
        return self._tokens > self._threshold

    def record_failure(self) -> None:
        """Take one token for a failed attempt."""
        self._tokens = max(0, self._tokens - _SCALE)

    def record_success(self) -> None:
        """Refund part of a token for a successful attempt."""
        if self._tokens < self._max:
            self._tokens = min(self._max, self._tokens + self._ratio)
