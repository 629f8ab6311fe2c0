"""The escape alert's section of a dog's form: its fields, checks and errors.

Zones and people are chosen from lists, so only one that was removed since
(or an option set another way) can be missing: the section's error says which
kind. The section's errors sit on the section, as the frontend shows none
inside one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
)

from ..const import CONF_AUTO_WALK
from ..flow_validation import NumberField
from ..schema import vol
from .config import (
    CONF_ESCAPE_ALERT,
    CONF_ESCAPE_PEOPLE,
    CONF_ESCAPE_REPEAT,
    CONF_ESCAPE_SAFE_ZONES,
    DEFAULT_ESCAPE_ALERT,
    DEFAULT_ESCAPE_REPEAT,
    MAX_ESCAPE_ENTITIES,
    MAX_ESCAPE_REPEAT,
    MIN_ESCAPE_REPEAT,
    EscapeConfig,
)

ESCAPE_SECTION: Final = "escape"
REPEAT_FIELD: Final = NumberField(
    minimum=MIN_ESCAPE_REPEAT, maximum=MAX_ESCAPE_REPEAT, unit="min"
)


DEFAULTS: Final[dict[str, Any]] = {
    CONF_ESCAPE_ALERT: DEFAULT_ESCAPE_ALERT,
    CONF_ESCAPE_SAFE_ZONES: [],
    CONF_ESCAPE_PEOPLE: [],
    CONF_ESCAPE_REPEAT: DEFAULT_ESCAPE_REPEAT,
}


def _entities(domain: str) -> EntitySelector:
    """Return a selector of several entities of one domain."""
    return EntitySelector(EntitySelectorConfig(domain=domain, multiple=True))


def escape_section(*, collapsed: bool) -> dict[vol.Marker, section]:
    """Return the escape alert section of a dog's form."""
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_ESCAPE_ALERT, default=DEFAULT_ESCAPE_ALERT): (
            BooleanSelector()
        ),
        vol.Optional(CONF_ESCAPE_SAFE_ZONES, default=[]): _entities("zone"),
        vol.Optional(CONF_ESCAPE_PEOPLE, default=[]): _entities("person"),
        vol.Required(CONF_ESCAPE_REPEAT, default=DEFAULT_ESCAPE_REPEAT): (
            REPEAT_FIELD.selector()
        ),
    }
    # Optional: a form sent without the section (as before it existed) keeps defaults.
    return {
        vol.Optional(ESCAPE_SECTION, default={}): section(
            vol.Schema(fields), {"collapsed": collapsed}
        )
    }


def escape_suggestions(dog: Mapping[str, Any]) -> dict[str, Any]:
    """Return the escape options in effect for a stored dog, as the section shows them."""
    escape = EscapeConfig.from_dict(dog)
    return {
        ESCAPE_SECTION: {
            CONF_ESCAPE_ALERT: escape.enabled,
            CONF_ESCAPE_SAFE_ZONES: list(escape.safe_zones),
            CONF_ESCAPE_PEOPLE: list(escape.people),
            CONF_ESCAPE_REPEAT: escape.repeat_minutes,
        }
    }


def _missing(hass: HomeAssistant, values: list[str], domain: str) -> str | None:
    """Return the error of a list (checked by its selector) naming a missing entity."""
    if len(values) > MAX_ESCAPE_ENTITIES:
        return f"too_many_escape_{domain}"
    if any(hass.states.get(entity_id) is None for entity_id in values):
        return f"unknown_escape_{domain}"
    return None


def parse_escape(
    hass: HomeAssistant, user_input: Mapping[str, Any], dog: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the escape options of a dog's form to store, or the section's error."""
    given: Mapping[str, Any] = user_input.get(ESCAPE_SECTION, {})
    repeat = REPEAT_FIELD.parse(given.get(CONF_ESCAPE_REPEAT))
    zones = given.get(CONF_ESCAPE_SAFE_ZONES, [])
    people = given.get(CONF_ESCAPE_PEOPLE, [])
    enabled = bool(given.get(CONF_ESCAPE_ALERT, False))
    error = (
        ("range_escape_repeat_minutes" if repeat is None else None)
        or _missing(hass, zones, "zone")
        or _missing(hass, people, "person")
    )
    # With automatic walks and no people, every departure would be a walk.
    if error is None and enabled and dog.get(CONF_AUTO_WALK) and not people:
        error = "escape_needs_people"
    if error is not None:
        return {}, {ESCAPE_SECTION: error}
    options = {
        CONF_ESCAPE_ALERT: enabled,
        CONF_ESCAPE_SAFE_ZONES: list(dict.fromkeys(zones)),
        CONF_ESCAPE_PEOPLE: list(dict.fromkeys(people)),
        CONF_ESCAPE_REPEAT: repeat,
    }
    # A dog that keeps the defaults stores none of them, like dogs saved before.
    return ({} if options == DEFAULTS else options), {}
