"""Collapsed sections of the options flow: a dog's care and the resilience settings.

The frontend shows no error inside a section: each section's error sits on
the section and names the first invalid field, whose range is in the
placeholders. The options stay flat; a section only groups the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any, Final

from homeassistant.data_entry_flow import section
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .care.config import MAX_FEEDING_TIMES, CareConfig
from .care.models import MAX_AMOUNT_G, MIN_AMOUNT_G
from .const import (
    CONF_AUTO_WALK,
    CONF_COLD_AVOID,
    CONF_DEFAULT_PORTION,
    CONF_FEEDING_TIMES,
    CONF_HEAT_AVOID,
    CONF_HEAT_CAUTION,
    CONF_INITIAL_DELAY,
    CONF_JITTER,
    CONF_MAX_DELAY,
    CONF_WALK_INTERVAL,
    DEFAULT_CARE,
    DEFAULT_RESILIENCE,
)
from .flow_validation import (
    DOG_DETAIL_FIELDS,
    RESILIENCE_FIELDS,
    NumberField,
    parse_numbers,
)
from .schema import vol
from .watch.form import COLLAR_SECTION, collar_section, collar_suggestions, parse_collar

CARE_SECTION: Final = "care"
RESILIENCE_SECTION: Final = "advanced"


def _temperature(minimum: float, maximum: float) -> NumberField:
    """Return a temperature field in °C, in tenths of a degree."""
    return NumberField(
        minimum=minimum, maximum=maximum, step=0.1, unit="°C", integer=False
    )


# The ranges CareConfig accepts when it reads the options back. Portions are
# whole grams there; hours and temperatures may have decimals (23.5 °C).
CARE_FIELDS: Final[dict[str, NumberField]] = {
    CONF_DEFAULT_PORTION: NumberField(
        minimum=MIN_AMOUNT_G, maximum=MAX_AMOUNT_G, unit="g"
    ),
    CONF_WALK_INTERVAL: NumberField(
        minimum=0, maximum=72, step=0.5, unit="h", integer=False, exact_step=True
    ),
    CONF_HEAT_CAUTION: _temperature(-50, 60),
    CONF_HEAT_AVOID: _temperature(-50, 60),
    CONF_COLD_AVOID: _temperature(-60, 40),
}
# A list of the browser's time pickers, with buttons to add and remove one.
FEEDING_TIMES_SELECTOR: Final = TextSelector(
    TextSelectorConfig(type=TextSelectorType.TIME, multiple=True)
)


def _section(
    key: str, fields: Mapping[vol.Marker, Any], *, collapsed: bool
) -> dict[vol.Marker, section]:
    """Return one section; a new one per form, as suggestions are written into it."""
    return {
        vol.Required(key): section(vol.Schema(dict(fields)), {"collapsed": collapsed})
    }


def _field_error(key: str, errors: Mapping[str, str]) -> dict[str, str]:
    """Return the section's error naming its first invalid number, if any."""
    return {key: f"range_{next(iter(errors))}"} if errors else {}


def care_section(*, collapsed: bool) -> dict[vol.Marker, section]:
    """Return the care section of a dog's form, with the default of each field."""
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_AUTO_WALK, default=DEFAULT_CARE[CONF_AUTO_WALK]): (
            BooleanSelector()
        )
    }
    for key in (CONF_DEFAULT_PORTION, CONF_WALK_INTERVAL):
        fields[vol.Required(key, default=DEFAULT_CARE[key])] = CARE_FIELDS[
            key
        ].selector()
    fields[vol.Optional(CONF_FEEDING_TIMES, default=[])] = FEEDING_TIMES_SELECTOR
    for key in (CONF_HEAT_CAUTION, CONF_HEAT_AVOID, CONF_COLD_AVOID):
        fields[vol.Required(key, default=DEFAULT_CARE[key])] = CARE_FIELDS[
            key
        ].selector()
    return _section(CARE_SECTION, fields, collapsed=collapsed)


def _shown(value: float) -> int | float:
    """Return a number as the form shows and stores it: whole ones as int."""
    return int(value) if value.is_integer() else value


def care_suggestions(dog: Mapping[str, Any]) -> dict[str, Any]:
    """Return the care in effect for a stored dog, as the section shows it.

    Missing or broken options show their defaults, which is what the dog gets.
    """
    care = CareConfig.from_dict(dog)
    return {
        CARE_SECTION: {
            CONF_AUTO_WALK: care.auto_walk,
            CONF_DEFAULT_PORTION: care.default_portion_g,
            CONF_WALK_INTERVAL: _shown(care.walk_interval_hours),
            CONF_FEEDING_TIMES: [when.strftime("%H:%M") for when in care.feeding_times],
            CONF_HEAT_CAUTION: _shown(care.heat_caution_c),
            CONF_HEAT_AVOID: _shown(care.heat_avoid_c),
            CONF_COLD_AVOID: _shown(care.cold_avoid_c),
        }
    }


def parse_feeding_times(values: list[str]) -> tuple[list[str], str | None]:
    """Return the feeding times as sorted, unique HH:MM:SS, or the error.

    Empty pickers are skipped. Reminders count whole minutes, so the seconds
    are dropped: two times in the same minute are one feeding time.
    """
    times: set[time] = set()
    for value in values:
        if not value.strip():
            continue
        try:
            parsed = cv.time(value.strip())
        except vol.Invalid:
            return [], "invalid_feeding_time"
        times.add(parsed.replace(second=0, microsecond=0))
        if len(times) > MAX_FEEDING_TIMES:
            return [], "too_many_feeding_times"
    return [when.isoformat() for when in sorted(times)], None


def _threshold_error(values: Mapping[str, int | float]) -> str | None:
    """Return the error of temperature limits that contradict each other."""
    if values[CONF_HEAT_CAUTION] > values[CONF_HEAT_AVOID]:
        return "heat_caution_above_avoid"
    # Otherwise every temperature would be too hot or too cold for a walk.
    if values[CONF_COLD_AVOID] >= values[CONF_HEAT_CAUTION]:
        return "cold_avoid_not_below_caution"
    return None


def parse_care(
    given: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Return the care options to store, the section's error and its range."""
    numbers, errors, placeholders = parse_numbers(given, CARE_FIELDS)
    if errors:
        return {}, _field_error(CARE_SECTION, errors), placeholders
    times, error = parse_feeding_times(given.get(CONF_FEEDING_TIMES, []))
    if error := error or _threshold_error(numbers):
        return {}, {CARE_SECTION: error}, {}
    care: dict[str, Any] = {CONF_AUTO_WALK: bool(given.get(CONF_AUTO_WALK, False))}
    care |= {key: _shown(value) for key, value in numbers.items()}
    return care | {CONF_FEEDING_TIMES: times}, {}, {}


def parse_dog_settings(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, int | float], dict[str, Any], dict[str, str], dict[str, str]]:
    """Return a dog's GPS limits and section options, the errors and the range to show.

    A form has one set of placeholders. A section's error can only name its
    range through them, while a GPS field shows its error under the field: the
    first section with an error names its range, any later one and the GPS
    fields get the general text.
    """
    care, errors, placeholders = parse_care(user_input[CARE_SECTION])
    collar, collar_errors, collar_placeholders = parse_collar(
        user_input[COLLAR_SECTION]
    )
    if placeholders and collar_placeholders:
        collar_errors = dict.fromkeys(collar_errors, "invalid_number")
    placeholders = placeholders or collar_placeholders
    details, detail_errors, detail_placeholders = parse_numbers(
        user_input, DOG_DETAIL_FIELDS
    )
    if placeholders:
        detail_errors = dict.fromkeys(detail_errors, "invalid_number")
    errors |= collar_errors | detail_errors
    return details, care | collar, errors, placeholders or detail_placeholders


def dog_sections(errors: Mapping[str, str]) -> dict[vol.Marker, section]:
    """Return the sections of a dog's form; a section opens when it has the error."""
    return care_section(collapsed=CARE_SECTION not in errors) | collar_section(
        collapsed=COLLAR_SECTION not in errors
    )


def dog_section_suggestions(dog: Mapping[str, Any]) -> dict[str, Any]:
    """Return the care and collar options in effect for a stored dog."""
    return care_suggestions(dog) | collar_suggestions(dog)


def resilience_section(*, collapsed: bool) -> dict[vol.Marker, section]:
    """Return the resilience form: every field inside one section."""
    fields: dict[vol.Marker, Any] = {
        vol.Required(key): BooleanSelector()
        if key == CONF_JITTER
        else RESILIENCE_FIELDS[key].selector()
        for key in DEFAULT_RESILIENCE
    }
    return _section(RESILIENCE_SECTION, fields, collapsed=collapsed)


def resilience_errors(
    values: Mapping[str, int | float], errors: Mapping[str, str]
) -> dict[str, str]:
    """Return the resilience section's error, if any."""
    if errors:
        return _field_error(RESILIENCE_SECTION, errors)
    if values[CONF_INITIAL_DELAY] > values[CONF_MAX_DELAY]:
        return {RESILIENCE_SECTION: "initial_delay_above_max_delay"}
    return {}
