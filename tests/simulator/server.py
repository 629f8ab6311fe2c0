"""The collar simulator's HTTP server: the device API and its control endpoint.

Device API (docs/device-api.md): ``GET /api/v1/health`` and
``GET /api/v1/dogs/{dog_id}/status``, with an optional Bearer token (the
health check needs none). Control, on the same port and without a token:

    GET  /control/state               modes, request counts and positions
    POST /control/dogs/{target}/mode  {"mode": "error500", "retry_after": 30}
                                      target: a dog id, "health" or "all";
                                      "frozen" keeps a dog's data as it is now,
                                      "drain" runs its battery down and charges it
                                      (optional "battery": the level it starts at);
                                      "frozen" takes an optional "age": seconds
                                      its kept updated_at lies in the past;
                                      "wander" walks the dog away from home
    POST /control/home                {"latitude": 52.52, "longitude": 13.405}

It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import contextlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import json
import logging
import math
import time
from typing import Any

from aiohttp import web

from .modes import ALL, HEALTH, Mode, parse_mode
from .walk import (
    OUTDOOR_ACCURACY,
    Walk,
    battery_at,
    drain_at,
    fix_at,
    profile_for,
    wander_at,
)

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_DOGS = ("buddy", "max")
# Home Assistant's demo integration puts home here when no location is configured,
# as in the development configuration.
DEFAULT_HOME = (32.87336, 117.22743)
DEFAULT_RETRY_AFTER = 5  # seconds
DEFAULT_HANG_SECONDS = 3600.0

LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class Target:
    """What one dog (or the health check) currently does, and what it was asked."""

    mode: Mode = Mode.HEALTHY
    retry_after: int = DEFAULT_RETRY_AFTER
    requests: int = 0
    last_request: str | None = None
    release: asyncio.Event = field(default_factory=asyncio.Event)
    # The status a frozen collar keeps answering with.
    frozen: dict[str, Any] | None = None
    # When the drain began (simulated seconds) and the battery then.
    drain_since: float = 0.0
    drain_from: float = 0.0
    # When the dog began to wander off (simulated seconds) and from where.
    wander_since: float = 0.0
    wander_from: tuple[float, float] = (0.0, 0.0)

    def set_mode(self, mode: Mode, retry_after: int) -> None:
        """Switch the mode; a request held by `hang` is answered now."""
        self.mode, self.retry_after = mode, retry_after
        self.release.set()
        self.release = asyncio.Event()

    def as_dict(self) -> dict[str, Any]:
        """Return the target's state for the control endpoint."""
        return {
            "mode": self.mode,
            "retry_after": self.retry_after,
            "requests": self.requests,
            "last_request": self.last_request,
        }


class CollarSimulator:
    """Dogs walking round a home, served as the PawControl device API."""

    def __init__(
        self,
        *,
        home: tuple[float, float] = DEFAULT_HOME,
        dogs: Iterable[str] = DEFAULT_DOGS,
        token: str | None = None,
        speed: float = 1.0,
        retry_after: int = DEFAULT_RETRY_AFTER,
        hang_seconds: float = DEFAULT_HANG_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Set up the dogs; `clock` drives the walks, `speed` times faster than real."""
        if not math.isfinite(speed) or speed <= 0:
            raise ValueError("speed must be a positive number")
        self.home = _checked_home(*home)
        self.token = token
        self.speed = speed
        self.hang_seconds = hang_seconds
        self._clock = clock
        self._now = now or (lambda: datetime.now(UTC))
        self._start = clock()
        self.walks = {dog_id: Walk(profile_for(dog_id)) for dog_id in dogs}
        if not self.walks:
            raise ValueError("at least one dog is needed")
        self.targets = {
            dog_id: Target(retry_after=retry_after) for dog_id in (HEALTH, *self.walks)
        }
        self.default_retry_after = retry_after
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # The simulation.

    @property
    def elapsed(self) -> float:
        """Return the simulated seconds since the start."""
        return (self._clock() - self._start) * self.speed

    def status(self, dog_id: str) -> dict[str, Any]:
        """Return a dog's status body as the contract describes it."""
        target = self.targets[dog_id]
        if target.mode == Mode.FROZEN and target.frozen is not None:
            return dict(target.frozen)
        walk = self.walks[dog_id]
        fix = fix_at(walk, self.home, self.elapsed)
        battery, charging = fix.battery, False
        if target.mode == Mode.WANDER:
            latitude, longitude = wander_at(
                target.wander_from,
                walk.profile.bearing,
                self.elapsed - target.wander_since,
            )
            fix = replace(
                fix,
                latitude=round(latitude, 7),
                longitude=round(longitude, 7),
                accuracy=OUTDOOR_ACCURACY,
                battery=battery_at(walk.profile, self.elapsed),
                activity="walking",
            )
        if target.mode == Mode.DRAIN:
            battery, charging = drain_at(
                target.drain_from, self.elapsed - target.drain_since
            )
        return {
            "dog_id": dog_id,
            "updated_at": self._now().isoformat(),
            "location": {
                "latitude": fix.latitude,
                "longitude": fix.longitude,
                "accuracy": fix.accuracy,
            },
            "battery": battery,
            "activity": fix.activity,
            "charging": charging,
        }

    def set_mode(
        self,
        target: str,
        mode: str,
        retry_after: int | None = None,
        *,
        battery: float | None = None,
        age: float = 0.0,
    ) -> None:
        """Switch a dog, the health check or `all` of them to a mode.

        ``battery``: the level a `drain` starts at (default: the current one);
        ``age``: how many seconds before now the data a `frozen` collar keeps
        was measured (its updated_at; default 0).
        """
        mode = parse_mode(mode)
        if battery is not None and not 0 <= battery <= 100:
            raise ValueError("battery must be 0-100")
        if not 0 <= age <= 86400:
            raise ValueError("age must be 0-86400 seconds")
        names = list(self.targets) if target == ALL else [target]
        if any(name not in self.targets for name in names):
            raise KeyError(target)
        for name in names:
            # What the collar reports at the switch: a frozen one keeps it.
            now = self.status(name) if name in self.walks else None
            self.targets[name].set_mode(
                mode, self.default_retry_after if retry_after is None else retry_after
            )
            if now is not None:
                kept = self.targets[name]
                measured = datetime.fromisoformat(now["updated_at"])
                kept.frozen = now | {
                    "updated_at": (measured - timedelta(seconds=age)).isoformat()
                }
                kept.drain_since = kept.wander_since = self.elapsed
                kept.drain_from = float(now["battery"] if battery is None else battery)
                where = now["location"]
                kept.wander_from = (where["latitude"], where["longitude"])
        LOGGER.info("%s: %s", target, mode)

    def set_home(self, latitude: float, longitude: float) -> None:
        """Move home (and so every dog's round) to other coordinates."""
        self.home = _checked_home(latitude, longitude)
        LOGGER.info("home: %s, %s", latitude, longitude)

    def state(self) -> dict[str, Any]:
        """Return everything the control endpoint reports."""
        return {
            "home": {"latitude": self.home[0], "longitude": self.home[1]},
            "speed": self.speed,
            "token": self.token is not None,
            "elapsed": round(self.elapsed, 1),
            "health": self.targets[HEALTH].as_dict(),
            "dogs": {
                dog_id: self.targets[dog_id].as_dict() | {"status": self.status(dog_id)}
                for dog_id in self.walks
            },
        }

    # The server.

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        if self._port is None:
            raise RuntimeError("the simulator is not running")
        return self._port

    @property
    def url(self) -> str:
        """Return the base URL of the device API."""
        return f"http://{HOST}:{self.port}"

    def make_app(self) -> web.Application:
        """Return the aiohttp application with the device API and the control routes."""
        app = web.Application()
        app.router.add_get("/api/v1/health", self._health)
        app.router.add_get("/api/v1/dogs/{dog_id}/status", self._dog_status)
        app.router.add_get("/control/state", self._control_state)
        app.router.add_post("/control/dogs/{target}/mode", self._control_mode)
        app.router.add_post("/control/home", self._control_home)
        return app

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (port 0: any free port)."""
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, port)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Answer held requests and stop the server."""
        for target in self.targets.values():
            target.release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _fault(
        self, request: web.Request, name: str
    ) -> web.StreamResponse | None:
        """Count the request; return the answer its target's mode forces, or None."""
        target = self.targets[name]
        target.requests += 1
        target.last_request = self._now().isoformat()
        if target.mode == Mode.HANG:
            # Held until the mode changes or the simulator stops; the client times out first.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(target.release.wait(), self.hang_seconds)
        match target.mode:
            case Mode.HEALTHY | Mode.HANG | Mode.FROZEN | Mode.DRAIN | Mode.WANDER:
                # The collar's data changes (or not) in status(); the API answers.
                return None
            case Mode.REFUSE:
                if request.transport is not None:
                    request.transport.close()
                return web.Response()  # never sent: the connection is gone
            case Mode.ERROR_500:
                return web.Response(status=500, text="Internal Server Error")
            case Mode.BUSY_503 | Mode.RATE_LIMIT_429:
                return web.Response(
                    status=503 if target.mode == Mode.BUSY_503 else 429,
                    headers={"Retry-After": str(target.retry_after)},
                )
            case Mode.UNAUTHORIZED_401:
                return _unauthorized()
            case Mode.MALFORMED:
                body = json.dumps(self.status(name) if name in self.walks else {})
                return web.Response(
                    text=body[: len(body) // 2], content_type="application/json"
                )
        raise AssertionError(target.mode)  # pragma: no cover

    async def _health(self, request: web.Request) -> web.StreamResponse:
        """Answer the health check (it needs no token)."""
        if (forced := await self._fault(request, HEALTH)) is not None:
            return forced
        return web.json_response({"status": "ok"})

    async def _dog_status(self, request: web.Request) -> web.StreamResponse:
        """Answer a dog's status."""
        dog_id = request.match_info["dog_id"]
        known = dog_id in self.walks
        if known and (forced := await self._fault(request, dog_id)) is not None:
            return forced
        if self.token and request.headers.get("Authorization") != (
            f"Bearer {self.token}"
        ):
            return _unauthorized()
        if not known:
            return web.json_response({"error": "unknown dog"}, status=404)
        return web.json_response(self.status(dog_id))

    async def _control_state(self, request: web.Request) -> web.Response:
        """Report modes, request counts and every dog's current status."""
        return web.json_response(self.state())

    async def _control_mode(self, request: web.Request) -> web.Response:
        """Switch a dog, the health check or all of them to a mode."""
        target = request.match_info["target"]
        body = await _json_object(request)
        retry_after = body.get("retry_after")
        if retry_after is not None and (
            not isinstance(retry_after, int) or isinstance(retry_after, bool)
        ):
            raise web.HTTPBadRequest(text="retry_after must be whole seconds")
        numbers: dict[str, float] = {}
        for key in ("battery", "age"):
            value = body.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise web.HTTPBadRequest(text=f"{key} must be a number")
            numbers[key] = float(value)
        try:
            self.set_mode(target, str(body.get("mode", "")), retry_after, **numbers)
        except ValueError as err:
            raise web.HTTPBadRequest(text=str(err)) from err
        except KeyError as err:
            known = ", ".join([*self.walks, HEALTH, ALL])
            raise web.HTTPNotFound(
                text=f"unknown dog {target!r}; known: {known}"
            ) from err
        return web.json_response(self.state())

    async def _control_home(self, request: web.Request) -> web.Response:
        """Move home."""
        body = await _json_object(request)
        try:
            self.set_home(body["latitude"], body["longitude"])
        except (KeyError, TypeError, ValueError) as err:
            raise web.HTTPBadRequest(
                text="latitude and longitude must be numbers"
            ) from err
        return web.json_response(self.state())


def _unauthorized() -> web.Response:
    """Return the answer to a missing or wrong token."""
    return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})


def _checked_home(latitude: Any, longitude: Any) -> tuple[float, float]:
    """Return valid home coordinates or raise ValueError."""
    if any(
        isinstance(value, bool) or not isinstance(value, int | float)
        for value in (latitude, longitude)
    ):
        raise TypeError("coordinates must be numbers")
    if not (-85 <= latitude <= 85 and -180 <= longitude <= 180):
        raise ValueError("coordinates out of range")
    return float(latitude), float(longitude)


async def _json_object(request: web.Request) -> dict[str, Any]:
    """Return the request's JSON object body (empty when there is none)."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as err:
        raise web.HTTPBadRequest(text="the body must be JSON") from err
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


async def serve(simulator: CollarSimulator, port: int) -> None:
    """Run the simulator until cancelled."""
    await simulator.start(port)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.close()
