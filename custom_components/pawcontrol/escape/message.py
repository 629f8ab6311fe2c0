"""The escape alert's text, in Home Assistant's language."""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..data import DogConfig
from ..notifications import Message, NotificationAction, NotificationManager
from ..texts import async_text
from .actions import ACTION_TITLES, EscapeAction, action_id


async def async_alert(
    hass: HomeAssistant,
    notifications: NotificationManager,
    *,
    entry_id: str,
    dog: DogConfig,
    left: datetime,
    tag: str,
) -> None:
    """Send the emergency message: the dog's name and when it left, no place."""

    async def text(key: str, **placeholders: str) -> str:
        """Return a translated text with the dog's name filled in."""
        return await async_text(
            hass, f"exceptions.{key}.message", key, dog_name=dog.name, **placeholders
        )

    actions = [
        NotificationAction(action, await text(ACTION_TITLES[kind]))
        for kind in EscapeAction
        if (action := action_id(kind, entry_id, dog.dog_id))
    ]
    at = dt_util.as_local(left).strftime("%H:%M")
    await notifications.async_send(
        Message(
            await text("escape_title"),
            await text("escape_message", time=at),
            critical=True,
            actions=tuple(actions),
            tag=tag,
        ),
        always_persistent=True,
    )
