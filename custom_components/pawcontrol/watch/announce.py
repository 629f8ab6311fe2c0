"""The collar watch's events and notifications, sent in order for each dog.

A notification goes out like every PawControl message (held during quiet
hours). One that is no longer true before it went out is withdrawn, and then
its answer is not sent either: a collar that reports again while its "not
reporting" message waits for the end of quiet hours sends neither, and one
that stops again while "reports again" waits leaves the user with the last
message they got. A battery charged before its message went out withdraws it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback

from ..const import DOMAIN
from ..data import DogConfig, PawControlConfigEntry
from ..notifications import NotificationManager
from . import messages
from .state import DogWatch

EVENT_NOT_REPORTING: Final = "pawcontrol_collar_not_reporting"
EVENT_BATTERY_LOW: Final = "pawcontrol_battery_low"


class Announcer:
    """Fire the watch's events and send its notifications."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        notifications: NotificationManager,
    ) -> None:
        """Send through the entry's notification manager."""
        self._hass = hass
        self._entry = entry
        self._notifications = notifications
        self._locks: dict[str, asyncio.Lock] = {}

    @callback
    def reporting(self, dog: DogConfig, watch: DogWatch) -> None:
        """Tell that the dog's collar stopped reporting, or that it reports again."""
        report, on = watch.report, watch.not_reporting is True
        self._hass.bus.async_fire(
            EVENT_NOT_REPORTING,
            {
                "dog": dog.dog_id,
                "not_reporting": on,
                "source": report.source if report else None,
                "quiet_since": report.at.isoformat() if on and report else None,
            },
        )
        if on and report is not None:
            self._run(dog, self._async_not_reporting(dog, report.at))
        else:
            self._run(dog, self._async_reporting_again(dog))

    @callback
    def battery(self, dog: DogConfig, watch: DogWatch) -> None:
        """Tell that the dog's collar battery is low, or withdraw what said so."""
        if not watch.battery_low or watch.battery is None:
            tag = messages.tag(messages.KIND_BATTERY, dog.dog_id)
            self._run(dog, self._notifications.async_withdraw(tag))
            return
        self._hass.bus.async_fire(
            EVENT_BATTERY_LOW,
            {
                "dog": dog.dog_id,
                "battery": watch.battery,
                "limit": dog.watch.battery_low_percent,
            },
        )
        self._run(dog, self._async_battery_low(dog, watch.battery))

    async def _async_not_reporting(self, dog: DogConfig, since: datetime) -> None:
        """Send that the collar stopped reporting, unless "reports again" never went out."""
        if await self._withdraw(messages.KIND_REPORTING_AGAIN, dog):
            return
        message = await messages.async_not_reporting(self._hass, dog, since)
        await self._notifications.async_send(message)

    async def _async_reporting_again(self, dog: DogConfig) -> None:
        """Send that the collar reports again, unless "not reporting" never went out."""
        if await self._withdraw(messages.KIND_NOT_REPORTING, dog):
            return
        message = await messages.async_reporting_again(self._hass, dog)
        await self._notifications.async_send(message)

    async def _withdraw(self, kind: str, dog: DogConfig) -> bool:
        """Withdraw the dog's message of this kind; return whether one was held."""
        return await self._notifications.async_withdraw(messages.tag(kind, dog.dog_id))

    async def _async_battery_low(self, dog: DogConfig, battery: int) -> None:
        """Send that the collar battery is low."""
        message = await messages.async_battery_low(self._hass, dog, battery)
        await self._notifications.async_send(message)

    def _run(self, dog: DogConfig, job: Coroutine[Any, Any, Any]) -> None:
        """Run a job after the dog's earlier ones, so messages keep their order."""
        self._entry.async_create_task(
            self._hass,
            self._async_in_order(dog.dog_id, job),
            f"{DOMAIN} collar watch {dog.dog_id}",
            eager_start=False,
        )

    async def _async_in_order(self, dog_id: str, job: Coroutine[Any, Any, Any]) -> None:
        """Wait for the dog's earlier jobs, then run this one."""
        async with self._locks.setdefault(dog_id, asyncio.Lock()):
            await job
