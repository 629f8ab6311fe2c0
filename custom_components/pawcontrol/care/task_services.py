"""The add_care_task action: a care task with its kind, due date and repeat.

The to-do panel and ``todo.add_item`` can add a task too, with the kind and
repeat as lines of its description (``task_text``); this action takes them
as fields. The schema checks types only; values are checked here, so bad
input gets a translated ServiceValidationError and nothing is written.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..schema import vol
from ..services import loaded_entry
from .manager import CareError
from .services import ATTR_DOG, care_dog, number, refused
from .task_models import FIRST_DUE, LAST_DUE, MAX_REPEAT, UNITS, Due, Repeat
from .task_text import async_load_task_wording
from .tasks import TaskDraft

SERVICE_ADD_CARE_TASK: Final = "add_care_task"
ATTR_SUMMARY: Final = "summary"
ATTR_KIND: Final = "kind"
ATTR_DESCRIPTION: Final = "description"
ATTR_DUE_DATE: Final = "due_date"
ATTR_DUE_DATETIME: Final = "due_datetime"
ATTR_REPEAT_EVERY: Final = "repeat_every"
ATTR_REPEAT_UNIT: Final = "repeat_unit"

ADD_TASK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DOG): cv.string,
        vol.Required(ATTR_SUMMARY): cv.string,
        vol.Optional(ATTR_KIND): cv.string,
        vol.Optional(ATTR_DESCRIPTION): cv.string,
        vol.Optional(ATTR_DUE_DATE): cv.string,
        vol.Optional(ATTR_DUE_DATETIME): cv.string,
        vol.Optional(ATTR_REPEAT_EVERY): vol.Any(int, float, cv.string),
        vol.Optional(ATTR_REPEAT_UNIT): cv.string,
    }
)


def _due(call: ServiceCall) -> Due | None:
    """Return the call's due date or moment (a moment without zone: Home Assistant's)."""
    day: str | None = call.data.get(ATTR_DUE_DATE)
    moment: str | None = call.data.get(ATTR_DUE_DATETIME)
    if day is not None and moment is not None:
        raise CareError("task_due_twice")
    text = day if day is not None else moment
    if text is None:
        return None
    due: Due | None
    try:
        if day is not None:
            due = dt_util.parse_date(text[:40])
        else:
            due = dt_util.parse_datetime(text[:40])
    except ValueError:  # well formed, but no such day (February 30)
        due = None
    if due is None:
        raise CareError(
            "invalid_due", first=FIRST_DUE.isoformat(), last=LAST_DUE.isoformat()
        )
    return due


def _repeat(call: ServiceCall) -> Repeat | None:
    """Return the call's repeat: both fields or neither."""
    every, unit = call.data.get(ATTR_REPEAT_EVERY), call.data.get(ATTR_REPEAT_UNIT)
    if every is None and unit is None:
        return None
    count = number(every)
    if unit not in UNITS or count is None or not count.is_integer():
        raise CareError("invalid_repeat", max=str(MAX_REPEAT))
    if not 1 <= count <= MAX_REPEAT:
        raise CareError("invalid_repeat", max=str(MAX_REPEAT))
    return Repeat(int(count), unit)


async def _async_draft(call: ServiceCall) -> TaskDraft:
    """Return the task the call asks for; its fields win over description lines."""
    wording = await async_load_task_wording(call.hass)
    parsed = wording.parse(call.data.get(ATTR_DESCRIPTION))
    return TaskDraft(
        summary=call.data[ATTR_SUMMARY],
        kind=call.data.get(ATTR_KIND) or parsed.kind or "other",
        description=parsed.text,
        due=_due(call),
        repeat=_repeat(call) or parsed.repeat,
    )


async def _async_add_care_task(call: ServiceCall) -> ServiceResponse:
    """Add a care task to a dog's list and answer its uid."""
    care_dog(call)
    tasks = loaded_entry(call.hass).runtime_data.tasks
    try:
        task = tasks.add(call.data[ATTR_DOG], await _async_draft(call))
    except CareError as err:
        raise refused(err, call) from None
    return {"uid": task.uid}


@callback
def async_setup_task_services(hass: HomeAssistant) -> None:
    """Register the care task action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_CARE_TASK,
        _async_add_care_task,
        ADD_TASK_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
