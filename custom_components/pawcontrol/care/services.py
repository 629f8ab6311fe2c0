"""Care actions: start_walk, end_walk, log_feeding, log_weight.

The schemas check types only; values are checked here so that bad input gets
a translated ServiceValidationError, and nothing is written before every
check has passed.
"""

from __future__ import annotations

from datetime import datetime
import math
from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..schema import vol
from ..services import excerpt, invalid_input, loaded_entry, unknown_dog
from .manager import CareError, CareManager
from .meals import meal_for
from .models import MAX_AMOUNT_G, MAX_WEIGHT_KG, MEALS, MIN_AMOUNT_G, MIN_WEIGHT_KG

SERVICE_START_WALK: Final = "start_walk"
SERVICE_END_WALK: Final = "end_walk"
SERVICE_LOG_FEEDING: Final = "log_feeding"
SERVICE_LOG_WEIGHT: Final = "log_weight"
ATTR_DOG: Final = "dog"
ATTR_AMOUNT: Final = "amount_g"
ATTR_MEAL: Final = "meal"
ATTR_WEIGHT: Final = "weight_kg"
ATTR_TIME: Final = "time"
MAX_DOG_LENGTH: Final = 64

DOG_SCHEMA = vol.Schema({vol.Required(ATTR_DOG): cv.string})
FEEDING_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DOG): cv.string,
        vol.Required(ATTR_AMOUNT): vol.Any(int, float, cv.string),
        vol.Optional(ATTR_MEAL): cv.string,
        vol.Optional(ATTR_TIME): cv.datetime,
    }
)
WEIGHT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DOG): cv.string,
        vol.Required(ATTR_WEIGHT): vol.Any(int, float, cv.string),
        vol.Optional(ATTR_TIME): cv.datetime,
    }
)


def number(value: Any) -> float | None:
    """Return a finite number from a service field, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _when(call: ServiceCall) -> datetime | None:
    """Return the call's time, in Home Assistant's zone when it names none."""
    when: datetime | None = call.data.get(ATTR_TIME)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt_util.get_default_time_zone())
    return when


def care_dog(call: ServiceCall) -> tuple[CareManager, str]:
    """Return the care manager and the checked dog id of a call."""
    entry = loaded_entry(call.hass)
    dog_id = call.data[ATTR_DOG]
    if len(dog_id) > MAX_DOG_LENGTH:
        raise invalid_input("input_too_long", field=ATTR_DOG, max=str(MAX_DOG_LENGTH))
    if dog_id not in entry.runtime_data.dogs:
        raise unknown_dog(dog_id, entry.runtime_data.dogs)
    return entry.runtime_data.care, dog_id


def refused(err: CareError, call: ServiceCall) -> ServiceValidationError:
    """Return the translated error of a refused care action."""
    entry = loaded_entry(call.hass)
    dog = entry.runtime_data.dogs.get(call.data[ATTR_DOG])
    # The error's own placeholders (a limit) and the dog's name; not its id.
    extra = {key: value for key, value in err.placeholders.items() if key != "dog"}
    return invalid_input(err.translation_key, dog_name=dog.name if dog else "", **extra)


async def _async_start_walk(call: ServiceCall) -> None:
    """Start a walk."""
    care, dog_id = care_dog(call)
    try:
        care.start_walk(dog_id)
    except CareError as err:
        raise refused(err, call) from None


async def _async_end_walk(call: ServiceCall) -> ServiceResponse:
    """End the walk in progress and answer its summary."""
    care, dog_id = care_dog(call)
    try:
        walk = care.end_walk(dog_id)
    except CareError as err:
        raise refused(err, call) from None
    return {
        "dog": dog_id,
        "start": walk.start.isoformat(),
        "end": walk.end.isoformat(),
        "duration_s": round(walk.duration_s),
        "distance_m": round(walk.distance_m),
    }


async def _async_log_feeding(call: ServiceCall) -> None:
    """Store a meal."""
    care, dog_id = care_dog(call)
    amount = number(call.data[ATTR_AMOUNT])
    if (
        amount is None
        or amount != int(amount)
        or not (MIN_AMOUNT_G <= amount <= MAX_AMOUNT_G)
    ):
        raise invalid_input(
            "invalid_amount", min=str(MIN_AMOUNT_G), max=str(MAX_AMOUNT_G)
        )
    # Without a meal, the dog's feeding times (else the clock) decide, as for
    # the Fed button.
    when = _when(call)
    meal = call.data.get(ATTR_MEAL) or meal_for(
        loaded_entry(call.hass).runtime_data.dogs[dog_id], when
    )
    if meal not in MEALS:
        raise invalid_input("invalid_meal", meal=excerpt(meal), valid=", ".join(MEALS))
    try:
        care.log_feeding(dog_id, int(amount), meal, when=when)
    except CareError as err:
        raise refused(err, call) from None


async def _async_log_weight(call: ServiceCall) -> None:
    """Store a weighing."""
    care, dog_id = care_dog(call)
    weight = number(call.data[ATTR_WEIGHT])
    if weight is None or not MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG:
        raise invalid_input(
            "invalid_weight", min=str(MIN_WEIGHT_KG), max=f"{MAX_WEIGHT_KG:g}"
        )
    try:
        care.log_weight(dog_id, round(weight, 2), when=_when(call))
    except CareError as err:
        raise refused(err, call) from None


@callback
def async_setup_care_services(hass: HomeAssistant) -> None:
    """Register the care actions."""
    hass.services.async_register(
        DOMAIN, SERVICE_START_WALK, _async_start_walk, DOG_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_END_WALK,
        _async_end_walk,
        DOG_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_LOG_FEEDING, _async_log_feeding, FEEDING_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_LOG_WEIGHT, _async_log_weight, WEIGHT_SCHEMA
    )
