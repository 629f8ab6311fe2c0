"""Tell users about circuit transitions: an event each time, a repair when one stays open."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN
from .labels import async_problem_text, circuit_label
from .resilience import CircuitState, ResilienceManager, TransitionEvent

EVENT_CIRCUIT_STATE_CHANGED = "pawcontrol_circuit_state_changed"
REPAIR_AFTER = timedelta(minutes=5)


def circuit_issue_id(circuit_name: str) -> str:
    """Return the repair issue id of a circuit that stays open."""
    return f"circuit_open_{circuit_name}"


class CircuitEvents:
    """Fire `pawcontrol_circuit_state_changed` and manage "circuit open" repairs."""

    def __init__(self, hass: HomeAssistant, resilience: ResilienceManager) -> None:
        """Listen to the manager's transitions."""
        self._hass = hass
        self._resilience = resilience
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._unsub = resilience.async_add_listener(self._on_change)
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_on_stop)

    @callback
    def _async_on_stop(self, _event: Event) -> None:
        """Stop when Home Assistant stops."""
        self.async_stop()

    @callback
    def async_stop(self) -> None:
        """Stop listening and cancel pending repair timers."""
        self._unsub()
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    @callback
    def _on_change(self, event: TransitionEvent | None) -> None:
        """Fire the event and start or end the repair countdown."""
        if event is None:
            return
        # A restore at start is not a change a user saw: firing it would
        # trigger "circuit opened" automations on every restart.
        if event.reason != "restored":
            self._fire(event)
        self._track_repair(event)

    @callback
    def _fire(self, event: TransitionEvent) -> None:
        """Fire pawcontrol_circuit_state_changed."""
        self._hass.bus.async_fire(
            EVENT_CIRCUIT_STATE_CHANGED,
            {
                "circuit_name": event.circuit_name,
                "from_state": str(event.from_state),
                "to_state": str(event.to_state),
                "failure_count": event.failure_count,
                "reason": event.reason,
            },
        )

    @callback
    def _track_repair(self, event: TransitionEvent) -> None:
        """Start or end the countdown to the "circuit open" repair issue."""
        name = event.circuit_name
        # An isolated circuit is open on purpose: no "stays open" repair for it.
        if event.to_state is CircuitState.CLOSED or event.reason == "isolated":
            if cancel := self._timers.pop(name, None):
                cancel()
            ir.async_delete_issue(self._hass, DOMAIN, circuit_issue_id(name))
        elif name not in self._timers:
            # Half-open probes that fail keep the countdown of the first opening.
            self._timers[name] = async_call_later(
                self._hass, REPAIR_AFTER, partial(self._async_raise, name)
            )

    def _still_open(self, name: str) -> bool:
        """Return whether the circuit exists and is open, not on purpose."""
        if name not in self._resilience.names():
            return False
        breaker = self._resilience.breaker(name)
        return breaker.state is not CircuitState.CLOSED and not breaker.isolated

    async def _async_raise(self, name: str, _now: datetime) -> None:
        """Open the repair issue if the circuit is still not closed."""
        self._timers.pop(name, None)
        if not self._still_open(name):
            return
        last_error = self._resilience.breaker(name).stats()["last_error"]
        text = await async_problem_text(self._hass, last_error)
        # Loading the translations yielded: the circuit may have closed meanwhile.
        if not self._still_open(name):
            return
        label = circuit_label(self._hass, name)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            circuit_issue_id(name),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            # "Rex: the device connection ...", "Notifications: Pixel 7 ...".
            translation_key=label.repair_key,
            translation_placeholders={
                **label.placeholders,
                "circuit_name": name,
                "problem": text,
            },
        )
