"""Stores that never fail setup, and saves whose data is built on the event loop.

Home Assistant's `Store.async_delay_save(data_func, delay)` calls ``data_func``
in an executor thread, where reading live objects races with the loop (and
anything a read triggers runs off the loop). `DebouncedSave` builds the data on
the loop when the delay has passed and hands the store a finished object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
import logging
from pathlib import Path
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store

_LOGGER = logging.getLogger(__name__)
# PawControl's own stores hold settings-sized data; a larger file is damage.
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024


class StoreTooLargeError(HomeAssistantError):
    """A stored file is larger than its store accepts; it was not parsed."""

    def __init__(self, size: int, limit: int) -> None:
        """Remember the size and the limit."""
        super().__init__(f"{size} bytes, more than {limit}")
        self.size = size
        self.limit = limit

    @property
    def limit_mb(self) -> str:
        """Return the limit in megabytes, for messages."""
        return f"{self.limit / 1024 / 1024:g}"


def _file_size(path: str) -> int:
    """Return a file's size in bytes, 0 when it does not exist."""
    try:
        return Path(path).stat().st_size
    except FileNotFoundError:
        return 0


class PawControlStore[T: Mapping[str, Any] | Sequence[Any]](Store[T]):
    """A versioned store whose unreadable content means a fresh start, not a failure.

    What could not be read is reported once: a warning and a repair issue
    (``store_reset``, in the domain that prefixes the key), so the user knows
    that this part of PawControl started afresh.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        version: int,
        key: str,
        *,
        private: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        """Open the store; nothing is read yet. Files over ``max_bytes`` are refused."""
        super().__init__(hass, version, key, private=private)
        self.max_bytes = max_bytes

    async def async_load(self) -> T | None:
        """Return the stored data; refuse a file over ``max_bytes`` unparsed."""
        size = await self.hass.async_add_executor_job(_file_size, self.path)
        if size > self.max_bytes:
            raise StoreTooLargeError(size, self.max_bytes)
        return await super().async_load()

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> Any:
        """Refuse data written by a newer PawControl; older versions are read as is."""
        if old_major_version > self.version:
            raise NotImplementedError(f"version {old_major_version} is newer")
        return old_data

    async def async_load_or_reset(self) -> Any:
        """Return the stored data, or None (with one warning) when it is unreadable.

        The file stays as it is until the next save replaces it; every field of
        what is returned must still be validated by the caller.
        """
        try:
            return await self.async_load()
        except (
            HomeAssistantError,
            KeyError,
            NotImplementedError,
            TypeError,
            ValueError,
        ) as err:
            self.report_reset(type(err).__name__)
            return None

    @callback
    def report_reset(self, reason: str) -> None:
        """Warn and raise a repair issue: the stored data (or part of it) was dropped."""
        _LOGGER.warning(
            "Ignored stored data of %s that could not be used (%s); "
            "that part starts afresh",
            self.key,
            reason,
        )
        ir.async_create_issue(
            self.hass,
            self.key.partition(".")[0],
            f"store_reset_{self.key}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="store_reset",
            translation_placeholders={"store": self.key, "reason": reason},
        )


class DebouncedSave[T: Mapping[str, Any] | Sequence[Any]]:
    """Write ``build()`` to ``store`` at most once per ``delay`` seconds.

    The data is built once per write, when the write happens, however many
    changes asked for it. A save still pending when Home Assistant stops is
    written then, so nothing is lost on a restart.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        store: Store[T],
        build: Callable[[], T],
        delay: float,
    ) -> None:
        """Save what ``build`` returns; ``build`` runs on the event loop."""
        self._hass = hass
        self._store = store
        self._build = build
        self._delay = delay
        self._unsub: CALLBACK_TYPE | None = None
        self._unsub_stop: CALLBACK_TYPE | None = None

    @property
    def pending(self) -> bool:
        """Return whether a save is waiting for its delay."""
        return self._unsub is not None

    @callback
    def schedule(self) -> None:
        """Save within the delay, however often this is called."""
        if self._unsub is None:
            # The timer is cancelled at shutdown; the stop listener writes instead.
            self._unsub = async_call_later(
                self._hass,
                self._delay,
                HassJob(self._async_fire, cancel_on_shutdown=True),
            )
            self._unsub_stop = self._hass.bus.async_listen(
                EVENT_HOMEASSISTANT_STOP, self._async_on_stop
            )

    async def async_flush(self) -> None:
        """Save now and cancel the pending save."""
        self.cancel()
        await self._store.async_save(self._build())

    @callback
    def cancel(self) -> None:
        """Forget the pending save."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        if self._unsub_stop is not None:
            self._unsub_stop()
            self._unsub_stop = None

    async def _async_fire(self, _now: datetime) -> None:
        """Build the data on the loop and write it."""
        self._unsub = None
        if self._unsub_stop is not None:
            self._unsub_stop()
            self._unsub_stop = None
        await self._store.async_save(self._build())

    async def _async_on_stop(self, _event: Event) -> None:
        """Write the pending save when Home Assistant stops (unless flushed already)."""
        if self._unsub_stop is not None:
            await self.async_flush()
