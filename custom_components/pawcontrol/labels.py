"""Words a person reads: circuit labels and what went wrong, in translations.

Circuit names (``dog_rex``, ``notification_notify_pixel_7``) stay the ids of
attributes, events and statistics; entity names and repairs show who the
circuit belongs to instead, through translation placeholders. A breaker's
``last_error`` keeps the exception type for diagnostics; repairs describe it
in words, from the ``problem_*`` entries of the ``exceptions`` translations.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify

from .const import DOMAIN
from .coordinator import dog_breaker_name
from .data import PawControlConfigEntry
from .notifications import Channel
from .texts import async_text

MOBILE_APP = "mobile_app"
MOBILE_APP_SERVICE_PREFIX = "notify.mobile_app_"
MAX_LABEL = 100


# Translation keys per kind of circuit: the entity's name and the repair.
ENTITY_TRANSLATION_KEYS = {
    "dog": "dog_circuit",
    "channel": "channel_circuit",
    "mobile_app": "mobile_app_circuit",
}
REPAIR_TRANSLATION_KEYS = {
    "dog": "dog_circuit_open",
    "channel": "channel_circuit_open",
    "mobile_app": "mobile_app_circuit_open",
    "other": "other_circuit_open",
}


@dataclass(frozen=True, slots=True)
class CircuitLabel:
    """Which translation names a circuit, and its placeholders."""

    kind: str  # a key of REPAIR_TRANSLATION_KEYS
    placeholders: dict[str, str]

    @property
    def entity_key(self) -> str:
        """Return the translation key of the circuit's entity name."""
        return ENTITY_TRANSLATION_KEYS[self.kind]

    @property
    def repair_key(self) -> str:
        """Return the translation key of the circuit's "stays open" repair."""
        return REPAIR_TRANSLATION_KEYS[self.kind]


def _mobile_app_device(hass: HomeAssistant, service: str) -> str | None:
    """Return the phone name behind ``notify.mobile_app_<slug>``, if registered."""
    slug = service.removeprefix(MOBILE_APP_SERVICE_PREFIX)
    for entry in hass.config_entries.async_entries(MOBILE_APP):
        name = entry.data.get("device_name")
        if isinstance(name, str) and slugify(name) == slug:
            return name
    return None


@callback
def channel_label(hass: HomeAssistant, channel: Channel) -> CircuitLabel:
    """Return how a person recognises a notification channel."""
    if channel.is_entity:
        name: str | None = None
        if (state := hass.states.get(channel.target)) is not None:
            name = state.name
        elif (entity := er.async_get(hass).async_get(channel.target)) is not None:
            name = entity.name or entity.original_name
        return CircuitLabel(
            "channel", {"channel": (name or channel.target)[:MAX_LABEL]}
        )
    if channel.target.startswith(MOBILE_APP_SERVICE_PREFIX):
        device = _mobile_app_device(hass, channel.target)
        if device is not None:
            return CircuitLabel("mobile_app", {"device": device[:MAX_LABEL]})
    service = channel.target.removeprefix("notify.").replace("_", " ")
    return CircuitLabel("channel", {"channel": service[:MAX_LABEL]})


@callback
def circuit_label(hass: HomeAssistant, circuit_name: str) -> CircuitLabel:
    """Return the label of a circuit of any loaded PawControl entry."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED:
            continue
        loaded: PawControlConfigEntry = entry
        runtime = loaded.runtime_data
        for dog in runtime.dogs.values():
            if dog_breaker_name(dog.dog_id) == circuit_name:
                return CircuitLabel("dog", {"dog_name": dog.name})
        for channel in runtime.notifications.channels:
            if channel.breaker_name == circuit_name:
                return channel_label(hass, channel)
    return CircuitLabel("other", {"circuit_name": circuit_name})


_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")
_RETRY_AFTER = re.compile(r"retry after (\d+) s\b")


_SIMPLE_PROBLEMS = {
    "TimeoutError": "problem_timeout",
    "ServiceNotFound": "problem_no_service",
}
_HTTP_ERRORS = (
    "PawControlApiAuthError",
    "PawControlApiNotFoundError",
    "PawControlApiRetryAfterError",
    "PawControlApiResponseError",
)
# What a status means for the user; the code itself goes in parentheses.
_STATUS_PROBLEMS = {
    "401": "problem_auth",
    "403": "problem_auth",
    "404": "problem_not_found",
}


def _status_problem(code: str) -> str:
    """Return the words for an HTTP status other than 429 and 503."""
    if code in _STATUS_PROBLEMS:
        return _STATUS_PROBLEMS[code]
    if code.startswith("5"):
        return "problem_server"
    return "problem_refused" if code.startswith("4") else "problem_http"


def _http_problem(last_error: str) -> tuple[str, dict[str, str]]:
    """Return the words for an HTTP answer PawControl could not use."""
    status = _HTTP_STATUS.search(last_error)
    if status is None:
        return "problem_unreadable", {}
    code = status[1]
    if code not in ("429", "503"):
        return _status_problem(code), {"status": code}
    key = "problem_rate_limited" if code == "429" else "problem_busy"
    if delay := _RETRY_AFTER.search(last_error):
        return f"{key}_retry", {"status": code, "seconds": delay[1]}
    return key, {"status": code}


def _connection_problem(last_error: str) -> str:
    """Return the words for a device API that could not be talked to."""
    if "Timeout" in last_error:
        return "problem_api_timeout"
    if "connection refused" in last_error:
        return "problem_connection_refused"
    if "DNSError" in last_error:
        return "problem_name_unknown"
    return "problem_unreachable"


def problem(last_error: str | None) -> tuple[str, dict[str, str]]:
    """Return the translation key and placeholders that say what went wrong.

    ``last_error`` is a breaker's ``"Type: message"`` line (masked and cut by
    ``format_error``); only the error types PawControl meets are told apart.
    """
    if not last_error:
        return "problem_unknown", {}
    kind = last_error.split(":", 1)[0]
    if kind == "PawControlApiConnectionError":
        return _connection_problem(last_error), {}
    if kind in _HTTP_ERRORS:
        return _http_problem(last_error)
    return _SIMPLE_PROBLEMS.get(kind, "problem_unknown"), {}


async def async_problem_text(hass: HomeAssistant, last_error: str | None) -> str:
    """Return what went wrong in the user's language."""
    key, placeholders = problem(last_error)
    return await async_text(
        hass, f"exceptions.{key}.message", last_error or "-", **placeholders
    )
