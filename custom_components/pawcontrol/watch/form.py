"""The collar section of a dog's form: when it is not reporting, its battery limit.

Like the care section, the frontend shows no error inside it: the section's
error names its first invalid field, whose range is in the placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.data_entry_flow import section

from ..const import CONF_BATTERY_LOW_PERCENT, CONF_NOT_REPORTING_MINUTES, DEFAULT_WATCH
from ..flow_validation import NumberField, parse_numbers
from ..schema import vol
from .config import WATCH_RANGES, WatchConfig

COLLAR_SECTION: Final = "collar"
_UNITS: Final = {CONF_NOT_REPORTING_MINUTES: "min", CONF_BATTERY_LOW_PERCENT: "%"}
WATCH_FIELDS: Final[dict[str, NumberField]] = {
    key: NumberField(minimum=low, maximum=high, unit=_UNITS[key])
    for key, (low, high) in WATCH_RANGES.items()
}


def collar_section(*, collapsed: bool) -> dict[vol.Marker, section]:
    """Return the collar section of a dog's form, with the default of each field."""
    fields = {
        vol.Required(key, default=DEFAULT_WATCH[key]): field.selector()
        for key, field in WATCH_FIELDS.items()
    }
    # Optional: a form sent without the section (as before it existed) keeps
    # the defaults, which the section's schema fills in.
    return {
        vol.Optional(COLLAR_SECTION, default={}): section(
            vol.Schema(fields), {"collapsed": collapsed}
        )
    }


def collar_suggestions(dog: Mapping[str, Any]) -> dict[str, Any]:
    """Return the watch options in effect for a stored dog, as the section shows them."""
    watch = WatchConfig.from_dict(dog)
    return {
        COLLAR_SECTION: {
            CONF_NOT_REPORTING_MINUTES: watch.not_reporting_minutes,
            CONF_BATTERY_LOW_PERCENT: watch.battery_low_percent,
        }
    }


def parse_collar(
    given: Mapping[str, Any],
) -> tuple[dict[str, int | float], dict[str, str], dict[str, str]]:
    """Return the watch options to store, the section's error and its range."""
    values, errors, placeholders = parse_numbers(given, WATCH_FIELDS)
    if errors:
        return {}, {COLLAR_SECTION: f"range_{next(iter(errors))}"}, placeholders
    return values, {}, {}
