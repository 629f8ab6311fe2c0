"""Notifications: one circuit breaker per channel and a persistent fallback."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later, async_track_point_in_time
from homeassistant.util import dt as dt_util, slugify

from .availability import AvailabilityLog
from .const import LOGGER
from .resilience import CircuitBreakerConfig, CircuitBreakerOpenError, ResilienceManager
from .resilience.storage import PawControlStore

NOTIFY_TIMEOUT = 10.0
COMPONENT = "notifications"
CHANNEL_BREAKER_PREFIX = "notification_"
STORAGE_KEY = "pawcontrol.held_notifications"
STORAGE_VERSION = 1
MAX_HELD = 50
"""Messages held for quiet hours beyond this are dropped, oldest first."""
MAX_TITLE = 200
MAX_TEXT = 1000
MAX_ACTIONS = 3
"""The companion apps show at most three actions."""
MAX_ACTION_ID = 100
MAX_TAG = 100
MOBILE_APP_SERVICE_PREFIX = "notify.mobile_app_"


class Delivery(StrEnum):
    """What happened to a message on one channel."""

    DELIVERED = "delivered"
    SKIPPED_OPEN = "skipped_open"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Channel:
    """A notification target: a legacy notify service or a notify entity."""

    target: str
    is_entity: bool

    @property
    def key(self) -> str:
        """Return the slug that names the channel and its breaker.

        Entities keep their ``notify_`` prefix (``notify.pixel`` is
        ``notify_pixel``); a service whose name starts with ``notify_`` gets
        ``service_`` in front, so ``notify.notify_pixel`` cannot share the
        entity's breaker.
        """
        if self.is_entity:
            return slugify(self.target)
        key = slugify(self.target.removeprefix("notify."))
        return f"service_{key}" if key.startswith("notify_") else key

    @property
    def breaker_name(self) -> str:
        """Return the circuit breaker name of the channel."""
        return f"{CHANNEL_BREAKER_PREFIX}{self.key}"

    @property
    def is_mobile_app(self) -> bool:
        """Return whether the channel is a companion app's legacy notify service."""
        return not self.is_entity and self.target.startswith(MOBILE_APP_SERVICE_PREFIX)


@dataclass(frozen=True, slots=True)
class NotificationAction:
    """A button of an actionable notification; only the mobile apps show it."""

    action: str
    title: str


@dataclass(frozen=True, slots=True)
class Message:
    """A message to deliver.

    ``actions`` and ``tag`` reach only mobile app channels (as ``data``); the
    other channels get the plain title and text. A held message replaces an
    older held message with the same tag.
    """

    title: str
    message: str
    critical: bool = False
    actions: tuple[NotificationAction, ...] = ()
    tag: str | None = None

    def stored(self) -> dict[str, Any]:
        """Return the stored form of a held message."""
        return {"title": self.title, "message": self.message} | self.mobile_app_data()

    @classmethod
    def from_stored(cls, raw: object) -> Message | None:
        """Read a stored held message, bounded; None when it is unusable."""
        if not isinstance(raw, dict):
            return None
        title, message, tag = raw.get("title"), raw.get("message"), raw.get("tag")
        if not isinstance(title, str) or not isinstance(message, str):
            return None
        return cls(
            title[:MAX_TITLE],
            message[:MAX_TEXT],
            actions=_stored_actions(raw.get("actions")),
            tag=tag[:MAX_TAG] if isinstance(tag, str) else None,
        )

    def mobile_app_data(self) -> dict[str, Any]:
        """Return the ``data`` of a mobile app notification: actions and tag."""
        data: dict[str, Any] = {}
        if self.actions:
            data["actions"] = [
                {"action": a.action, "title": a.title} for a in self.actions
            ]
        if self.tag is not None:
            data["tag"] = self.tag
        return data


def _stored_actions(raw: object) -> tuple[NotificationAction, ...]:
    """Return the valid actions of a stored message."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        NotificationAction(item["action"], item["title"][:MAX_TITLE])
        for item in raw[:MAX_ACTIONS]
        if isinstance(item, dict)
        and isinstance(item.get("action"), str)
        and len(item["action"]) <= MAX_ACTION_ID
        and isinstance(item.get("title"), str)
    )


def in_quiet_hours(now: time, start: time, end: time) -> bool:
    """Return whether ``now`` lies in quiet hours that may span midnight."""
    if start <= end:
        return start <= now < end
    return now >= start or now < end


class NotificationManager:
    """Deliver messages channel by channel, each behind its own breaker."""

    def __init__(
        self,
        hass: HomeAssistant,
        resilience: ResilienceManager,
        *,
        services: list[str],
        entities: list[str],
        breaker_config: CircuitBreakerConfig,
        quiet_hours: tuple[time, time] | None = None,
    ) -> None:
        """Build the channels from the configured targets."""
        self._hass = hass
        self._resilience = resilience
        self._breaker_config = breaker_config
        self._quiet_hours = quiet_hours
        self.channels = [Channel(service, False) for service in services] + [
            Channel(entity, True) for entity in entities
        ]
        # The breakers exist from the start, so the statistics, the circuit
        # entities and the reset action agree before the first message.
        for channel in self.channels:
            resilience.breaker(channel.breaker_name, breaker_config)
        self._availability = AvailabilityLog(LOGGER, "Notification channel")
        self._held: list[Message] = []
        self._store: PawControlStore[list[dict[str, Any]]] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY
        )
        self._unsub_flush: CALLBACK_TYPE | None = None

    @callback
    def apply_settings(
        self,
        breaker_config: CircuitBreakerConfig,
        quiet_hours: tuple[time, time] | None,
    ) -> None:
        """Use new breaker settings and quiet hours; held messages follow the new hours."""
        self._breaker_config = breaker_config
        for channel in self.channels:
            self._resilience.breaker(channel.breaker_name, breaker_config)
        self._quiet_hours = quiet_hours
        self.async_shutdown()
        if self._held:
            self._release_or_wait()

    @property
    def held(self) -> int:
        """Return how many messages wait for the end of quiet hours."""
        return len(self._held)

    async def async_send(
        self, message: Message, *, always_persistent: bool = False
    ) -> dict[str, Delivery] | None:
        """Deliver a message; return the result per channel, or None when held back."""
        if not message.critical and self._is_quiet(dt_util.now()):
            if message.tag is not None:
                self._held = [m for m in self._held if m.tag != message.tag]
            self._held.append(message)
            self._cap_held()
            await self._async_save()
            self._schedule_flush()
            return None
        return await self._async_broadcast(message, always_persistent=always_persistent)

    async def _async_broadcast(
        self, message: Message, *, always_persistent: bool = False
    ) -> dict[str, Delivery]:
        """Deliver on every channel; fall back to a persistent notification."""
        deliveries = await asyncio.gather(
            *(self._async_deliver(channel, message) for channel in self.channels)
        )
        results = {
            channel.target: delivery
            for channel, delivery in zip(self.channels, deliveries, strict=True)
        }
        if always_persistent or Delivery.DELIVERED not in deliveries:
            # A tagged message replaces its earlier one instead of piling up.
            persistent_notification.async_create(
                self._hass,
                message.message,
                title=message.title,
                notification_id=message.tag,
            )
        return results

    async def async_load(self) -> None:
        """Take back the messages held before a reload or restart."""
        stored = await self._store.async_load_or_reset()
        if stored is not None and not isinstance(stored, list):
            self._store.report_reset("not a list")
            stored = None
        self._held = [
            message
            for raw in stored or []
            if (message := Message.from_stored(raw)) is not None
        ]
        self._cap_held()
        if self._held:
            self._release_or_wait()

    @callback
    def _release_or_wait(self) -> None:
        """Send the held messages at the end of quiet hours, or now when they are over."""
        if self._is_quiet(dt_util.now()):
            self._schedule_flush()
        else:
            # Quiet hours ended (or were switched off) while they waited.
            self._unsub_flush = async_call_later(self._hass, 0, self._async_flush)

    def _cap_held(self) -> None:
        """Keep the newest `MAX_HELD` held messages; warn once when some are dropped."""
        dropped = len(self._held) - MAX_HELD
        if dropped > 0:
            del self._held[:dropped]
            LOGGER.warning(
                "Dropped the %d oldest messages held for quiet hours; %d are kept",
                dropped,
                MAX_HELD,
            )

    async def async_withdraw(self, tag: str) -> None:
        """Drop the messages with this tag: what they say is no longer true.

        Held ones are not sent, and a persistent notification with it goes.
        """
        persistent_notification.async_dismiss(self._hass, tag)
        kept = [message for message in self._held if message.tag != tag]
        if len(kept) != len(self._held):
            self._held = kept
            await self._async_save()

    @callback
    def async_shutdown(self) -> None:
        """Stop waiting for quiet hours to end; the held messages stay stored."""
        if self._unsub_flush is not None:
            self._unsub_flush()
            self._unsub_flush = None

    async def _async_save(self) -> None:
        """Store the held messages now, so a reload or restart does not lose them."""
        await self._store.async_save([m.stored() for m in self._held])

    def _is_quiet(self, now: datetime) -> bool:
        """Return whether quiet hours hold back non-critical messages now."""
        if self._quiet_hours is None:
            return False
        return in_quiet_hours(now.time(), *self._quiet_hours)

    def _schedule_flush(self) -> None:
        """Deliver the held messages when quiet hours end."""
        if self._unsub_flush is None and self._quiet_hours is not None:
            now = dt_util.now()
            end = datetime.combine(now.date(), self._quiet_hours[1], now.tzinfo)
            if end <= now:
                end += timedelta(days=1)
            self._unsub_flush = async_track_point_in_time(
                self._hass, self._async_flush, end
            )

    async def _async_flush(self, _now: datetime) -> None:
        """Deliver the messages held back during quiet hours."""
        self._unsub_flush = None
        held, self._held = self._held, []
        await self._async_save()
        for message in held:
            await self._async_broadcast(message)

    async def _async_deliver(self, channel: Channel, message: Message) -> Delivery:
        """Deliver on one channel through its breaker; never raise."""
        breaker = self._resilience.breaker(channel.breaker_name, self._breaker_config)
        try:
            await self._resilience.async_call(
                COMPONENT, partial(self._async_call, channel, message), breaker=breaker
            )
        except CircuitBreakerOpenError:
            return Delivery.SKIPPED_OPEN
        except Exception as err:  # a notify platform may raise anything; isolate it
            self._availability.failed(channel.target, err)
            return Delivery.FAILED
        self._availability.succeeded(channel.target)
        return Delivery.DELIVERED

    async def _async_call(self, channel: Channel, message: Message) -> None:
        """Call the channel's service and wait for it, with a timeout."""
        if channel.is_entity:
            state = self._hass.states.get(channel.target)
            # An entity service call on a missing entity succeeds silently.
            if state is None or state.state == STATE_UNAVAILABLE:
                raise HomeAssistantError(f"{channel.target} is not available")
            domain, service = "notify", "send_message"
            data: dict[str, Any] = {
                "entity_id": channel.target,
                "message": message.message,
                "title": message.title,
            }
        else:
            domain, _, service = channel.target.partition(".")
            data = {"message": message.message, "title": message.title}
            if channel.is_mobile_app and (extra := message.mobile_app_data()):
                data["data"] = extra
        async with asyncio.timeout(NOTIFY_TIMEOUT):
            await self._hass.services.async_call(domain, service, data, blocking=True)
