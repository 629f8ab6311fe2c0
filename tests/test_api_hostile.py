"""A hostile device API: bombs, huge bodies and impossible fields never hurt Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import contextlib
from datetime import UTC, datetime, timedelta
from functools import cache
import time
import tracemalloc
from typing import Any
import zlib

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.pawcontrol.api import (
    PawControlApiClient,
    PawControlApiResponseError,
    parse_dog_status,
)

from .device_api import TOKEN

MIB = 1024 * 1024


@cache
def _gzip_bomb(inflated_mib: int) -> bytes:
    """Return a gzip body that inflates to ``inflated_mib`` MiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(inflated_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


class HostileApi:
    """A device API whose status answers are hostile."""

    def __init__(self) -> None:
        """Prepare the bodies."""
        self.bomb = _gzip_bomb(1024)
        self.sent = 0

    async def bomb_status(self, request: web.Request) -> web.Response:
        """Answer with 1 MB of gzip that inflates to 1 GiB."""
        return web.Response(
            body=self.bomb,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def huge_status(self, request: web.Request) -> web.StreamResponse:
        """Stream up to 300 MB of plain JSON-looking bytes."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        chunk = b"[" * (64 * 1024)
        with contextlib.suppress(ConnectionError):
            while self.sent < 300 * MIB:
                await response.write(chunk)
                self.sent += len(chunk)
        return response

    async def small_gzip(self, request: web.Request) -> web.Response:
        """Answer a valid status, gzip-compressed, as a well-behaved device may."""
        body = (
            b'{"dog_id": "buddy", "updated_at": "'
            + datetime.now(UTC).isoformat().encode()
            + b'", "battery": 50, "activity": "Walking", "location": null}'
        )
        return web.Response(
            body=zlib.compress(body, wbits=31),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )


@pytest.fixture
async def hostile(socket_enabled: None) -> AsyncGenerator[tuple[HostileApi, str]]:
    """Run the hostile API on 127.0.0.1."""
    api = HostileApi()
    app = web.Application()
    app.router.add_get("/bomb/api/v1/dogs/buddy/status", api.bomb_status)
    app.router.add_get("/huge/api/v1/dogs/buddy/status", api.huge_status)
    app.router.add_get("/gzip/api/v1/dogs/buddy/status", api.small_gzip)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield api, str(server.make_url("")).rstrip("/")
    await server.close()


async def _largest_stall(task: asyncio.Future[Any]) -> float:
    """Return the longest time the loop could not run a 5 ms ticker while ``task`` ran."""
    largest = 0.0
    last = time.perf_counter()
    while not task.done():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        largest = max(largest, now - last)
        last = now
    return largest


@pytest.mark.parametrize("path", ["bomb", "huge"])
async def test_hostile_bodies_are_refused_quickly_and_small(
    hass: HomeAssistant, hostile: tuple[HostileApi, str], path: str
) -> None:
    """A 1 GiB gzip bomb or a 300 MB body is a malformed answer, read only to 64 KiB."""
    api, url = hostile
    client = PawControlApiClient(async_get_clientsession(hass), f"{url}/{path}", TOKEN)
    tracemalloc.start()
    try:
        task = asyncio.ensure_future(client.async_get_dog_status("buddy"))
        stall = await _largest_stall(task)
        with pytest.raises(PawControlApiResponseError, match="too large"):
            await task
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Other work on the loop (another API request) is served meanwhile.
    assert stall < 0.1
    assert peak < 8 * MIB
    assert api.sent < 300 * MIB


async def test_compressed_answers_still_work(
    hass: HomeAssistant, hostile: tuple[HostileApi, str]
) -> None:
    """An honest gzip answer is read, and a capitalised activity is normalised."""
    _, url = hostile
    client = PawControlApiClient(async_get_clientsession(hass), f"{url}/gzip", TOKEN)
    status = await client.async_get_dog_status("buddy")
    assert (status.battery, status.activity) == (50, "walking")


def _body(**changes: Any) -> dict[str, Any]:
    """Return a valid status body with ``changes``."""
    return {
        "dog_id": "buddy",
        "updated_at": datetime.now(UTC).isoformat(),
        "battery": 87,
        "activity": "walking",
        "location": None,
    } | changes


@pytest.mark.parametrize(
    ("activity", "shown"),
    [
        ("walking", "walking"),
        (" Sleeping ", "sleeping"),
        ("x" * 1_000_000, "unknown"),
        ("walk\x00ing\x1b[31m", "unknown"),
        ("\u202egnikaw", "unknown"),
        (None, None),
    ],
)
def test_activity_is_one_of_the_documented_values(
    activity: str | None, shown: str | None
) -> None:
    """Only documented activities are shown; anything else is "unknown"."""
    assert parse_dog_status(_body(activity=activity), "buddy").activity == shown


@pytest.mark.parametrize(
    "updated_at",
    [
        "9999-12-31T23:59:59+00:00",
        timedelta(minutes=6),
    ],
    ids=["year-9999", "6-minutes-ahead"],
)
def test_status_from_the_future_is_refused(updated_at: str | timedelta) -> None:
    """A status time more than a few minutes ahead cannot count as fresh forever."""
    if isinstance(updated_at, timedelta):
        # Taken when the test runs, not when it is collected.
        updated_at = (datetime.now(UTC) + updated_at).isoformat()
    with pytest.raises(PawControlApiResponseError, match="updated_at"):
        parse_dog_status(_body(updated_at=updated_at), "buddy")


def test_small_clock_skew_is_accepted() -> None:
    """A device clock a minute ahead is fine."""
    ahead = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert parse_dog_status(_body(updated_at=ahead), "buddy").battery == 87
