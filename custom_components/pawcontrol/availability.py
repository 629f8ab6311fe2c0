"""Log once when a source becomes unavailable and once when it is back."""

from __future__ import annotations

import logging

from .resilience.breaker import format_error


class AvailabilityLog:
    """Remember which sources are down so that an outage logs one warning."""

    def __init__(self, logger: logging.Logger, kind: str) -> None:
        """Log through ``logger``; ``kind`` names the sources, e.g. "GPS source"."""
        self._logger = logger
        self._kind = kind
        self._down: set[str] = set()

    def is_down(self, source: str) -> bool:
        """Return whether the source is currently known to be down."""
        return source in self._down

    def failed(self, source: str, error: BaseException | str) -> None:
        """Record a failure; warn only on the first one of an outage."""
        if source in self._down:
            return
        self._down.add(source)
        detail = error if isinstance(error, str) else format_error(error)
        self._logger.warning("%s %s is unavailable: %s", self._kind, source, detail)

    def succeeded(self, source: str) -> None:
        """Record a success; log once when the source is back."""
        if source in self._down:
            self._down.discard(source)
            self._logger.info("%s %s is available again", self._kind, source)
