"""The escape alert's actions on the companion apps and their ids."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ..notifications import MAX_ACTION_ID

ACTION_PREFIX: Final = "PAWCONTROL_ESCAPE_"


class EscapeAction(StrEnum):
    """What a tap on the alert says; the value is the word in the action id."""

    WALK = "WALK"
    ACK = "ACK"


# The translation of each action's button.
ACTION_TITLES: Final = {
    EscapeAction.WALK: "escape_action_walk",
    EscapeAction.ACK: "escape_action_ack",
}


def action_id(action: EscapeAction, entry_id: str, dog_id: str) -> str | None:
    """Return an action's id, or None when it would be too long."""
    value = f"{ACTION_PREFIX}{action}_{entry_id}_{dog_id}"
    return value if len(value) <= MAX_ACTION_ID else None


def parse_action(value: object, entry_id: str) -> tuple[EscapeAction, str] | None:
    """Return the action and dog id an action id names for this entry."""
    if not isinstance(value, str) or len(value) > MAX_ACTION_ID:
        return None
    for action in EscapeAction:
        prefix = f"{ACTION_PREFIX}{action}_{entry_id}_"
        if value.startswith(prefix):
            return action, value[len(prefix) :]
    return None
