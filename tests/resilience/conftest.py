"""Fixtures for the resilience tests: a fake monotonic clock and a fake sleep."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest


@dataclass
class FakeClock:
    """A monotonic clock that moves only when told."""

    now: float = 1000.0

    def __call__(self) -> float:
        """Return the current time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@dataclass
class FakeSleep:
    """An ``asyncio.sleep`` replacement that records delays and advances a clock."""

    clock: FakeClock
    delays: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        """Record the delay and move the clock instead of waiting."""
        self.delays.append(delay)
        self.clock.advance(delay)


@pytest.fixture
def clock() -> FakeClock:
    """Return a fake monotonic clock."""
    return FakeClock()


@pytest.fixture
def sleep(clock: FakeClock) -> FakeSleep:
    """Return a fake sleep bound to the fake clock."""
    return FakeSleep(clock)
