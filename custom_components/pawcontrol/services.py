"""Services: get_statistics, reset and isolate a circuit breaker, emergency_alert."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any
import unicodedata

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from .const import DATA_RESILIENCE, DOMAIN
from .notifications import Message
from .resilience import ResilienceManager
from .resilience.manager import RESET_ALL
from .schema import vol
from .texts import async_text

if TYPE_CHECKING:
    from .data import PawControlConfigEntry

SERVICE_GET_STATISTICS = "get_statistics"
SERVICE_RESET_CIRCUIT_BREAKER = "reset_circuit_breaker"
SERVICE_ISOLATE_CIRCUIT_BREAKER = "isolate_circuit_breaker"
SERVICE_EMERGENCY_ALERT = "emergency_alert"

ATTR_CIRCUIT_NAME = "circuit_name"
ATTR_MESSAGE = "message"
ATTR_SEVERITY = "severity"
ATTR_DOG = "dog"
SEVERITIES = ("info", "warning", "critical")

MAX_MESSAGE_LENGTH = 1000
# Longest accepted input per field: ids are at most 64 characters, a circuit
# name is a prefix plus an id.
MAX_LENGTHS = {ATTR_CIRCUIT_NAME: 128, ATTR_DOG: 64, ATTR_SEVERITY: 16}
EXCERPT_LENGTH = 40
# The schemas only check types; the handlers check values, so that bad input
# gets a translated ServiceValidationError instead of a bare schema message.
GET_STATISTICS_SCHEMA = vol.Schema({vol.Optional(ATTR_CIRCUIT_NAME): cv.string})
RESET_SCHEMA = vol.Schema({vol.Required(ATTR_CIRCUIT_NAME): cv.string})
EMERGENCY_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_SEVERITY, default="critical"): cv.string,
        vol.Optional(ATTR_DOG): cv.string,
    }
)


def excerpt(value: str) -> str:
    """Return a short, printable piece of user input for an error message."""
    printable = "".join(
        char if unicodedata.category(char)[0] != "C" else "?"
        for char in value[: EXCERPT_LENGTH + 1]
    )
    if len(printable) > EXCERPT_LENGTH:
        return f"{printable[:EXCERPT_LENGTH]}…"
    return printable


def _check_lengths(call: ServiceCall) -> None:
    """Refuse over-long ids and names before they go anywhere."""
    for field, limit in MAX_LENGTHS.items():
        value = call.data.get(field)
        if isinstance(value, str) and len(value) > limit:
            raise invalid_input("input_too_long", field=field, max=str(limit))


def invalid_input(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def unknown_dog(dog_id: str, valid: Collection[str]) -> ServiceValidationError:
    """Return the error of an unknown dog id, naming the valid one or ones."""
    key = "unknown_dog_only" if len(valid) == 1 else "unknown_dog"
    return invalid_input(key, dog=excerpt(dog_id), valid=", ".join(valid))


def _resilience(hass: HomeAssistant) -> ResilienceManager:
    """Return the shared ResilienceManager."""
    return hass.data[DATA_RESILIENCE]


def _unknown_circuit(
    resilience: ResilienceManager, name: str
) -> ServiceValidationError:
    """Return the error for a circuit name that does not exist."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_circuit",
        translation_placeholders={
            "circuit_name": excerpt(name),
            "valid": ", ".join([RESET_ALL, *resilience.names()]),
        },
    )


def loaded_entry(hass: HomeAssistant) -> PawControlConfigEntry:
    """Return the loaded PawControl entry or raise a translated error."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            loaded: PawControlConfigEntry = entry
            return loaded
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="not_loaded"
    )


async def _async_get_statistics(call: ServiceCall) -> ServiceResponse:
    """Return the statistics, optionally for one circuit only."""
    _check_lengths(call)
    resilience = _resilience(call.hass)
    statistics: dict[str, Any] = dict(resilience.statistics())
    # "all" (as for the reset and isolate actions) is the whole statistics.
    if (name := call.data.get(ATTR_CIRCUIT_NAME)) not in (None, RESET_ALL):
        if name not in statistics["circuit_breakers"]:
            raise _unknown_circuit(resilience, name)
        statistics["circuit_breakers"] = {name: statistics["circuit_breakers"][name]}
    return statistics


async def _async_check_admin(call: ServiceCall) -> None:
    """Raise Unauthorized unless the caller is an admin (or the system)."""
    if not call.context.user_id:
        return
    user = await call.hass.auth.async_get_user(call.context.user_id)
    if user is None:
        raise UnknownUser(
            context=call.context,
            permission=POLICY_CONTROL,
            user_id=call.context.user_id,
        )
    if not user.is_admin:
        raise Unauthorized(context=call.context)


async def _async_change_circuits(
    call: ServiceCall, change: Callable[[ResilienceManager, str], list[str]], key: str
) -> ServiceResponse:
    """Apply an admin-only ``change`` to a circuit (or all); answer the names changed."""
    await _async_check_admin(call)
    _check_lengths(call)
    resilience = _resilience(call.hass)
    name = call.data[ATTR_CIRCUIT_NAME]
    try:
        changed = change(resilience, name)
    except KeyError:
        raise _unknown_circuit(resilience, name) from None
    names: list[JsonValueType] = list(changed)
    return {key: names}


async def _async_reset_circuit_breaker(call: ServiceCall) -> ServiceResponse:
    """Close a circuit, or every circuit; totals stay."""
    return await _async_change_circuits(call, ResilienceManager.reset, "reset")


async def _async_isolate_circuit_breaker(call: ServiceCall) -> ServiceResponse:
    """Open a circuit, or every circuit, until it is reset."""
    return await _async_change_circuits(call, ResilienceManager.isolate, "isolated")


async def _async_emergency_alert(call: ServiceCall) -> ServiceResponse:
    """Send an alert on every channel, ignoring quiet hours."""
    _check_lengths(call)
    message = call.data[ATTR_MESSAGE].strip()
    if not 1 <= len(message) <= MAX_MESSAGE_LENGTH:
        raise invalid_input("invalid_message", max=str(MAX_MESSAGE_LENGTH))
    severity = call.data[ATTR_SEVERITY]
    if severity not in SEVERITIES:
        raise invalid_input(
            "invalid_severity", severity=excerpt(severity), valid=", ".join(SEVERITIES)
        )
    entry = loaded_entry(call.hass)
    title = "PawControl"
    if (dog_id := call.data.get(ATTR_DOG)) is not None:
        dog = entry.runtime_data.dogs.get(dog_id)
        if dog is None:
            raise unknown_dog(dog_id, entry.runtime_data.dogs)
        title = f"PawControl: {dog.name}"
    label = await async_text(
        call.hass, f"selector.severity.options.{severity}", severity
    )
    results = await entry.runtime_data.notifications.async_send(
        Message(f"{title} ({label})", message, critical=True),
        always_persistent=True,
    )
    return {
        "channels": {target: str(result) for target, result in (results or {}).items()},
        # An alert always shows in Home Assistant, whatever the channels did.
        "persistent_notification": True,
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the PawControl services."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_STATISTICS,
        _async_get_statistics,
        schema=GET_STATISTICS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_RESET_CIRCUIT_BREAKER,
        _async_reset_circuit_breaker,
        schema=RESET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ISOLATE_CIRCUIT_BREAKER,
        _async_isolate_circuit_breaker,
        schema=RESET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EMERGENCY_ALERT,
        _async_emergency_alert,
        schema=EMERGENCY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
