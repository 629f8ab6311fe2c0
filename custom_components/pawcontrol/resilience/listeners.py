"""Listeners keyed by what they show, so a change reaches only whoever shows it.

A dog's entities listen to that dog, a circuit's entities to that circuit: a
change of one dog costs its own listeners, not those of every dog. Listeners
that follow everything (the statistics sensor, the reminder manager) are told
which key changed; ``None`` means all of them did (a new day, a reload).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from homeassistant.core import CALLBACK_TYPE, callback


class KeyedListeners[K: Hashable]:
    """Callbacks by key, and callbacks for every key."""

    def __init__(self) -> None:
        """Start with no listener."""
        self._by_key: dict[K, list[Callable[[], None]]] = {}
        self._every: list[Callable[[K | None], None]] = []

    @callback
    def add(self, key: K, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when ``key`` (or everything) changes."""
        listeners = self._by_key.setdefault(key, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)
            if not listeners and self._by_key.get(key) is listeners:
                del self._by_key[key]

        return remove

    @callback
    def add_every(self, listener: Callable[[K | None], None]) -> CALLBACK_TYPE:
        """Call ``listener`` with the changed key (None: every key) on any change."""
        self._every.append(listener)
        return lambda: self._every.remove(listener)

    @callback
    def notify(self, key: K | None) -> None:
        """Tell the listeners of ``key``, or of every key when it is None."""
        if key is None:
            keyed = [f for listeners in self._by_key.values() for f in listeners]
        else:
            keyed = list(self._by_key.get(key, ()))
        for listener in keyed:
            listener()
        for every in list(self._every):
            every(key)

    def __len__(self) -> int:
        """Return how many listeners are registered."""
        return len(self._every) + sum(len(f) for f in self._by_key.values())
