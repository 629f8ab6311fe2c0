"""A real local HTTP server that implements the PawControl device API contract."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
import json
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "s3cr3t-token"


class Mode(StrEnum):
    """How the server answers."""

    HEALTHY = "healthy"
    ERROR_500 = "500"
    UNAVAILABLE_503 = "503"
    RATE_LIMITED_429 = "429"
    HANG = "hang"
    MALFORMED_JSON = "malformed_json"
    MISSING_FIELDS = "missing_fields"
    UNAUTHORIZED = "401"
    FORBIDDEN = "403"
    NOT_FOUND = "404"


def load_fixture(name: str) -> dict[str, Any]:
    """Return a JSON fixture."""
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


@dataclass
class DeviceApiServer:
    """Device API on 127.0.0.1 whose behaviour tests switch at will."""

    mode: Mode = Mode.HEALTHY
    retry_after: str = "2"
    hang_seconds: float = 3600
    requests: list[str] = field(default_factory=list)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A dog's collar that reports its last fix again instead of a new one.
    reported_at: dict[str, datetime] = field(default_factory=dict)
    _server: TestServer | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        """Return the base URL of the running server."""
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/api/v1/health", self._health)
        app.router.add_get("/api/v1/dogs/{dog_id}/status", self._status)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        """Stop the server."""
        self._release.set()
        if self._server is not None:
            await self._server.close()

    async def _answer(self, request: web.Request) -> web.Response | None:
        """Return the response the current mode forces, or None when healthy."""
        self.requests.append(request.path)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        response: web.Response | None = None
        match self.mode:
            case Mode.HANG:
                # Held until the test ends or hang_seconds pass; the client times out first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._release.wait(), self.hang_seconds)
            case Mode.ERROR_500:
                response = web.Response(status=500)
            case Mode.UNAVAILABLE_503:
                response = web.Response(
                    status=503, headers={"Retry-After": self.retry_after}
                )
            case Mode.RATE_LIMITED_429:
                response = web.Response(
                    status=429, headers={"Retry-After": self.retry_after}
                )
            case Mode.UNAUTHORIZED:
                response = web.Response(status=401)
            case Mode.FORBIDDEN:
                response = web.Response(status=403)
            case Mode.NOT_FOUND:
                response = web.Response(status=404)
            case Mode.MALFORMED_JSON:
                response = web.Response(
                    text="{not json", content_type="application/json"
                )
            case _:
                pass
        return response

    async def _health(self, request: web.Request) -> web.Response:
        """Answer the health check."""
        forced = await self._answer(request)
        return web.json_response({"status": "ok"}) if forced is None else forced

    async def _status(self, request: web.Request) -> web.Response:
        """Answer a dog's status."""
        if (forced := await self._answer(request)) is not None:
            return forced
        dog_id = request.match_info["dog_id"]
        if dog_id not in self.statuses:
            return web.Response(status=404)
        # The collar reports what it measured just now.
        measured = self.reported_at.get(dog_id) or datetime.now(UTC)
        body = self.statuses[dog_id] | {"updated_at": measured.isoformat()}
        if self.mode is Mode.MISSING_FIELDS:
            body.pop("updated_at")
        return web.json_response(body)


def ok_health() -> web.Response:
    """Answer the health check as the contract says."""
    return web.json_response({"status": "ok"})


@dataclass
class ScriptedApi:
    """A device API on 127.0.0.1 whose health answer the test scripts.

    It records each request's path and Authorization header. The status
    endpoint needs `token` when one is set and otherwise knows no dog (404).
    """

    health: Callable[[], web.Response] = ok_health
    token: str | None = None
    # The dog status answer once the token passed; None: the API knows no dog.
    status: Callable[[], web.Response] | None = None
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    _server: TestServer | None = None

    @property
    def url(self) -> str:
        """Return the base URL of the running server."""
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/api/v1/health", self._health)
        app.router.add_get("/api/v1/dogs/{dog_id}/status", self._status)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        """Stop the server."""
        if self._server is not None:
            await self._server.close()

    def _record(self, request: web.Request) -> None:
        """Remember the path and the token the request carried."""
        self.seen.append((request.path, request.headers.get("Authorization")))

    async def _health(self, request: web.Request) -> web.Response:
        """Answer the health check as scripted."""
        self._record(request)
        return self.health()

    async def _status(self, request: web.Request) -> web.Response:
        """Refuse a missing or wrong token; otherwise answer as scripted."""
        self._record(request)
        if (
            self.token
            and request.headers.get("Authorization") != f"Bearer {self.token}"
        ):
            return web.Response(status=401)
        return web.Response(status=404) if self.status is None else self.status()
