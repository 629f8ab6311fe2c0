"""The collar watch's messages, in Home Assistant's language."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..data import DogConfig
from ..notifications import Message
from ..texts import async_text

KIND_NOT_REPORTING: Final = "not_reporting"
KIND_REPORTING_AGAIN: Final = "reporting_again"
KIND_BATTERY: Final = "battery_low"


def tag(kind: str, dog_id: str) -> str:
    """Return the notification tag of one kind of a dog's watch messages."""
    return f"{DOMAIN}_{kind}_{dog_id}"


def local_time(when: datetime, now: datetime) -> str:
    """Return a time for a message: hours and minutes today, else with the date."""
    local, today = dt_util.as_local(when), dt_util.as_local(now).date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")


async def _text(hass: HomeAssistant, key: str, dog: DogConfig, **values: str) -> str:
    """Return a translated text about the dog with its placeholders filled."""
    return await async_text(
        hass, f"exceptions.{key}.message", key, dog_name=dog.name, **values
    )


async def async_not_reporting(
    hass: HomeAssistant, dog: DogConfig, since: datetime
) -> Message:
    """Return the message that the dog's collar stopped reporting."""
    when = local_time(since, dt_util.utcnow())
    return Message(
        await _text(hass, "collar_not_reporting_title", dog),
        await _text(hass, "collar_not_reporting_message", dog, time=when),
        tag=tag(KIND_NOT_REPORTING, dog.dog_id),
    )


async def async_reporting_again(hass: HomeAssistant, dog: DogConfig) -> Message:
    """Return the message that the dog's collar reports again."""
    return Message(
        await _text(hass, "collar_reporting_again_title", dog),
        await _text(hass, "collar_reporting_again_message", dog),
        tag=tag(KIND_REPORTING_AGAIN, dog.dog_id),
    )


async def async_battery_low(
    hass: HomeAssistant, dog: DogConfig, battery: int
) -> Message:
    """Return the message that the dog's collar battery is low."""
    return Message(
        await _text(hass, "battery_low_title", dog),
        await _text(hass, "battery_low_message", dog, battery=str(battery)),
        tag=tag(KIND_BATTERY, dog.dog_id),
    )
