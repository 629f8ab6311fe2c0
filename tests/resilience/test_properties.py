"""Property tests: random call sequences keep the breaker's invariants."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from custom_components.pawcontrol.resilience import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    RetryConfig,
    RetryThrottle,
    TransitionEvent,
)
from custom_components.pawcontrol.resilience.retry import retry_delay

from .conftest import FakeClock

CLOSED, OPEN, HALF_OPEN = CircuitState.CLOSED, CircuitState.OPEN, CircuitState.HALF_OPEN
ALLOWED = {
    (CLOSED, OPEN, "failure_threshold"),
    (OPEN, HALF_OPEN, "timeout_elapsed"),
    (HALF_OPEN, OPEN, "probe_failed"),
    (HALF_OPEN, CLOSED, "probe_succeeded"),
    (OPEN, CLOSED, "reset"),
    (HALF_OPEN, CLOSED, "reset"),
    (CLOSED, OPEN, "isolated"),
    (OPEN, OPEN, "isolated"),
    (HALF_OPEN, OPEN, "isolated"),
}


class ApiError(Exception):
    """A failure."""


class InvalidInputError(Exception):
    """An excluded error."""


class Hold:
    """An awaitable that suspends once, so a call stays in flight."""

    def __await__(self) -> Generator[None]:
        """Suspend once."""
        yield


async def held() -> str:
    """Wait until the test resumes or throws into this call."""
    await Hold()
    return "ok"


@dataclass
class Pending:
    """A call in flight and the period it was admitted in."""

    coro: Coroutine[Any, Any, str]
    period: int


class BreakerMachine(RuleBasedStateMachine):
    """Drive one breaker with overlapping calls, cancels and clock jumps."""

    def __init__(self) -> None:
        """Create the breaker and the model."""
        super().__init__()
        self.clock = FakeClock()
        self.config = CircuitBreakerConfig(
            failure_threshold=3,
            success_threshold=2,
            timeout_seconds=1,
            half_open_max_calls=2,
            excluded_exceptions=(InvalidInputError,),
        )
        self.draws = iter([0.0, 0.3, 0.7, 0.99] * 10_000)
        self.events: list[TransitionEvent] = []
        self.breaker = CircuitBreaker(
            "dog_rex",
            self.config,
            clock=self.clock,
            random=lambda: next(self.draws),
            on_transition=self.events.append,
        )
        self.pending: list[Pending] = []
        self.admitted = 0
        self.rejected = 0
        self.successes = 0
        self.failures = 0

    def _start(self) -> None:
        """Start a call; it is admitted (and held) or rejected."""
        coro = self.breaker.call(held)
        state = self.breaker.state
        try:
            coro.send(None)
        except CircuitBreakerOpenError:
            assert state is not CLOSED
            self.rejected += 1
            return
        self.admitted += 1
        self.pending.append(Pending(coro, len(self.events)))

    def _finish(self, index: int, error: BaseException | None) -> None:
        """Complete one pending call with a success or ``error``."""
        pending = self.pending.pop(index % len(self.pending))
        try:
            if error is None:
                pending.coro.send(None)
            else:
                pending.coro.throw(error)
        except StopIteration:
            self.successes += 1
        except ApiError:
            self.failures += 1
        except (InvalidInputError, asyncio.CancelledError):
            pass

    @rule()
    def start_call(self) -> None:
        """Start a call and leave it in flight."""
        self._start()

    @rule(count=st.integers(1, 5))
    def burst(self, count: int) -> None:
        """Start several calls at once."""
        for _ in range(count):
            self._start()

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def succeed(self, index: int) -> None:
        """Complete a pending call successfully."""
        self._finish(index, None)

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def fail(self, index: int) -> None:
        """Fail a pending call."""
        self._finish(index, ApiError("boom"))

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def cancel(self, index: int) -> None:
        """Cancel a pending call."""
        self._finish(index, asyncio.CancelledError())

    @precondition(lambda self: self.pending)
    @rule(index=st.integers(0, 100))
    def excluded(self, index: int) -> None:
        """Fail a pending call with an excluded error."""
        self._finish(index, InvalidInputError("bad input"))

    @rule(seconds=st.one_of(st.sampled_from([0.5, 1.0, 2.0, 12.0]), st.floats(0, 12)))
    def advance(self, seconds: float) -> None:
        """Move the monotonic clock."""
        self.clock.advance(seconds)

    @rule()
    def fail_now(self) -> None:
        """Start a call and fail it at once, if admitted."""
        self._start()
        if self.pending and self.pending[-1].period == len(self.events):
            self._finish(len(self.pending) - 1, ApiError("boom"))

    @rule()
    def reset(self) -> None:
        """Reset the breaker."""
        self.breaker.reset()

    @rule()
    def expire(self) -> None:
        """Run the manager's end-of-open-period timer."""
        self.breaker.expire_open_period()

    @rule()
    def isolate(self) -> None:
        """Isolate the breaker by hand."""
        self.breaker.isolate()

    @invariant()
    def reading_changes_nothing(self) -> None:
        """Check that reading state, statistics or the snapshot fires no transition."""
        before = len(self.events)
        _ = (self.breaker.state, self.breaker.stats(), self.breaker.snapshot())
        _ = self.breaker.open_remaining
        assert len(self.events) == before

    @invariant()
    def counters_consistent(self) -> None:
        """Counters are non-negative and match the calls made."""
        stats = self.breaker.stats()
        assert all(
            value >= 0 for value in stats.values() if isinstance(value, int | float)
        )
        assert stats["total_calls"] == self.admitted
        assert stats["rejected_calls"] == self.rejected
        assert stats["total_successes"] == self.successes
        assert stats["total_failures"] == self.failures
        assert stats["total_successes"] + stats["total_failures"] <= stats[
            "total_calls"
        ] - len(self.pending)
        # Isolation is an operator's act, not an opening by failures.
        assert stats["opened_count"] == sum(
            e.to_state is OPEN and e.reason != "isolated" for e in self.events
        )
        # Every opening is either an outage (from closed) or a failed probe.
        assert stats["outages"] == sum(
            e.to_state is OPEN and e.from_state is CLOSED and e.reason != "isolated"
            for e in self.events
        )
        assert stats["outages"] + stats["reopened_after_probe"] == stats["opened_count"]
        assert stats["failed_calls"] == stats["total_failures"]

    @invariant()
    def only_allowed_transitions(self) -> None:
        """Every transition is allowed and continues from the previous state."""
        previous = CLOSED
        for event in self.events:
            assert (event.from_state, event.to_state, event.reason) in ALLOWED
            assert event.from_state is previous
            previous = event.to_state
        assert self.breaker.stats()["state"] == previous

    @invariant()
    def half_open_permits_bounded(self) -> None:
        """Check that calls admitted in this half-open period stay within the limit."""
        state = self.breaker.state
        current = [p for p in self.pending if p.period == len(self.events)]
        if state is HALF_OPEN:
            assert len(current) <= self.config.half_open_max_calls
        elif state is OPEN:
            assert current == []

    @invariant()
    def state_counters(self) -> None:
        """Check counts against the state, and the open time against 10x timeout."""
        stats = self.breaker.stats()
        if stats["state"] == CLOSED:
            assert stats["failure_count"] < self.config.failure_threshold
            assert stats["success_count"] == 0
            assert stats["open_remaining"] is None
        elif stats["state"] == OPEN:
            assert stats["success_count"] == 0
            remaining = stats["open_remaining"]
            if stats["isolated"]:
                assert remaining is None
            else:
                # 0 once the period ended, until a call or the timer half-opens it.
                assert remaining is not None
                assert 0 <= remaining <= 10 * 1 * 1.1
        else:
            assert stats["success_count"] < self.config.success_threshold

    def teardown(self) -> None:
        """Close the calls still in flight."""
        for pending in self.pending:
            pending.coro.close()


def test_breaker_state_machine() -> None:
    """Random sequences of calls, outcomes and clock moves keep the invariants."""
    run_state_machine_as_test(
        BreakerMachine,
        settings=settings(
            max_examples=150, stateful_step_count=60, deadline=None, database=None
        ),
    )


def test_retry_delay_bounds() -> None:
    """Every delay lies within [0, min(max_delay, initial * base^(n-1))]."""

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        initial=st.floats(0, 10, allow_nan=False),
        extra=st.floats(0, 100, allow_nan=False),
        base=st.floats(1, 10, allow_nan=False),
        retry=st.integers(1, 5000),
        draw=st.floats(0, 1, exclude_max=True),
        jitter=st.booleans(),
    )
    def check(
        *,
        initial: float,
        extra: float,
        base: float,
        retry: int,
        draw: float,
        jitter: bool,
    ) -> None:
        config = RetryConfig(
            max_attempts=3,
            initial_delay=initial,
            max_delay=initial + extra,
            exponential_base=base,
            jitter=jitter,
        )
        delay = retry_delay(config, retry, lambda: draw)
        cap = retry_delay(replace(config, jitter=False), retry)
        assert 0 <= delay <= config.max_delay
        assert cap / 2 <= delay <= cap
        if not jitter:
            assert delay == cap >= min(config.max_delay, initial)

    check()


def test_throttle_tokens_bounded() -> None:
    """Any mix of successes and failures keeps the tokens within [0, 10]."""

    @settings(max_examples=200, deadline=None, database=None)
    @given(st.lists(st.booleans(), max_size=300))
    def check(outcomes: list[bool]) -> None:
        throttle = RetryThrottle()
        for success in outcomes:
            if success:
                throttle.record_success()
            else:
                throttle.record_failure()
            assert 0 <= throttle.tokens <= 10
            assert throttle.allow_retry() is (throttle.tokens > 5)

    check()
