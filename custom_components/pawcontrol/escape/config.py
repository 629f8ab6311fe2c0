"""A dog's escape alert options, read robustly from the entry options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any, Final

CONF_ESCAPE_ALERT: Final = "escape_alert"
CONF_ESCAPE_SAFE_ZONES: Final = "escape_safe_zones"
CONF_ESCAPE_PEOPLE: Final = "escape_people"
CONF_ESCAPE_REPEAT: Final = "escape_repeat_minutes"
# Opt-in: an alarm that also rings at night is something a user asks for.
DEFAULT_ESCAPE_ALERT: Final = False
DEFAULT_ESCAPE_REPEAT: Final = 5
MIN_ESCAPE_REPEAT: Final = 1
MAX_ESCAPE_REPEAT: Final = 60
MAX_ESCAPE_ENTITIES: Final = 20


def entity_ids(raw: object, domain: str) -> tuple[str, ...]:
    """Return the unique entity ids of a domain in an option, in their order."""
    if not isinstance(raw, list):
        return ()
    prefix = f"{domain}."
    found = [v for v in raw if isinstance(v, str) and v.startswith(prefix)]
    return tuple(dict.fromkeys(found))[:MAX_ESCAPE_ENTITIES]


def _repeat(raw: object) -> int:
    """Return the repeat interval in minutes, or its default."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return DEFAULT_ESCAPE_REPEAT
    if not math.isfinite(raw) or not MIN_ESCAPE_REPEAT <= raw <= MAX_ESCAPE_REPEAT:
        return DEFAULT_ESCAPE_REPEAT
    return int(raw)


@dataclass(frozen=True, kw_only=True, slots=True)
class EscapeConfig:
    """When leaving home counts as an escape, and how often the alert repeats."""

    enabled: bool = DEFAULT_ESCAPE_ALERT
    safe_zones: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    repeat_minutes: int = DEFAULT_ESCAPE_REPEAT

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> EscapeConfig:
        """Read a dog's escape options; a missing or broken one is its default."""
        return cls(
            enabled=raw.get(CONF_ESCAPE_ALERT) is True,
            safe_zones=entity_ids(raw.get(CONF_ESCAPE_SAFE_ZONES), "zone"),
            people=entity_ids(raw.get(CONF_ESCAPE_PEOPLE), "person"),
            repeat_minutes=_repeat(raw.get(CONF_ESCAPE_REPEAT)),
        )
