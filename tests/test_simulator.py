"""The collar simulator serves the device API contract that PawControl's client reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
import importlib.util
import itertools
import json
import os
from pathlib import Path
import signal
import socket
import statistics
import subprocess
import sys
from typing import Any

from aiohttp import ClientSession
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.pawcontrol.api import (
    ACTIVITIES,
    PawControlApiAuthError,
    PawControlApiClient,
    PawControlApiConnectionError,
    PawControlApiError,
    PawControlApiNotFoundError,
    PawControlApiResponseError,
    PawControlApiRetryAfterError,
)

from .simulator import walk
from .simulator.cli import main as cli_main
from .simulator.modes import Mode, parse_mode
from .simulator.server import DEFAULT_HOME, CollarSimulator

ROOT = Path(__file__).parent.parent
TOKEN = "collar-token"
DOGS = ("buddy", "max", "bella")


@dataclass
class FakeClock:
    """A monotonic clock that moves only when told."""

    now: float = 5000.0

    def __call__(self) -> float:
        """Return the current time."""
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """Return the clock that moves the simulated dogs."""
    return FakeClock()


@pytest.fixture
async def simulator(
    socket_enabled: None, clock: FakeClock
) -> AsyncGenerator[CollarSimulator]:
    """Run the simulator with three dogs and a token on a free port of 127.0.0.1."""
    sim = CollarSimulator(dogs=DOGS, token=TOKEN, clock=clock, retry_after=30)
    await sim.start()
    yield sim
    await sim.close()


def _client(
    hass: HomeAssistant, sim: CollarSimulator, token: str | None = TOKEN
) -> PawControlApiClient:
    """Return PawControl's own client for the simulator on Home Assistant's session."""
    return PawControlApiClient(
        async_get_clientsession(hass), sim.url, token, timeout=0.5
    )


def _where(status: Any) -> tuple[float, float]:
    """Return the coordinates of a status the client parsed."""
    assert status.location is not None
    return status.location.latitude, status.location.longitude


def test_activities_are_the_contracts() -> None:
    """The simulator reports exactly the activities the contract knows."""
    assert walk.ACTIVITIES == ACTIVITIES


async def test_health_and_status_accepted_by_the_client(
    hass: HomeAssistant, simulator: CollarSimulator
) -> None:
    """Every dog's status passes PawControl's own validation, fresh and near home."""
    client = _client(hass, simulator)
    await client.async_check_health()
    for dog_id in DOGS:
        status = await client.async_get_dog_status(dog_id)
        assert status.dog_id == dog_id
        assert abs((datetime.now(UTC) - status.updated_at).total_seconds()) < 5
        assert status.location is not None
        assert walk.distance_m(DEFAULT_HOME, _where(status)) < 2000
        assert status.location.accuracy is not None
        assert 3 <= status.location.accuracy <= 25
        assert status.battery is not None
        assert 10 <= status.battery <= 100
        assert status.activity in ACTIVITIES
    assert simulator.targets["buddy"].requests == 1


async def test_token(hass: HomeAssistant, simulator: CollarSimulator) -> None:
    """The health check needs no token; a dog's status needs the right one."""
    await _client(hass, simulator, token=None).async_check_health()
    for token in (None, "wrong"):
        with pytest.raises(PawControlApiAuthError):
            await _client(hass, simulator, token).async_get_dog_status("buddy")
    with pytest.raises(PawControlApiNotFoundError):
        await _client(hass, simulator).async_get_dog_status("rex")


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        (Mode.ERROR_500, PawControlApiResponseError, "HTTP 500"),
        (Mode.BUSY_503, PawControlApiRetryAfterError, "HTTP 503, retry after 30 s"),
        (
            Mode.RATE_LIMIT_429,
            PawControlApiRetryAfterError,
            "HTTP 429, retry after 30 s",
        ),
        (Mode.UNAUTHORIZED_401, PawControlApiAuthError, "HTTP 401"),
        (Mode.MALFORMED, PawControlApiResponseError, "Malformed JSON"),
        (Mode.REFUSE, PawControlApiConnectionError, "ServerDisconnectedError"),
        (Mode.HANG, PawControlApiConnectionError, "Timeout"),
    ],
)
async def test_each_failure_mode_is_what_the_client_reports(
    hass: HomeAssistant,
    simulator: CollarSimulator,
    mode: Mode,
    error: type[PawControlApiError],
    message: str,
) -> None:
    """A broken collar fails as the contract says; the other dogs and healing work."""
    client = _client(hass, simulator)
    simulator.set_mode("buddy", mode)
    with pytest.raises(error, match=message) as caught:
        await client.async_get_dog_status("buddy")
    assert caught.value.transient is (mode != Mode.UNAUTHORIZED_401)
    if mode in (Mode.BUSY_503, Mode.RATE_LIMIT_429):
        assert caught.value.retry_after == 30
    # Max's collar and the health check are unaffected.
    assert (await client.async_get_dog_status("max")).dog_id == "max"
    await client.async_check_health()
    simulator.set_mode("buddy", "healthy")
    assert (await client.async_get_dog_status("buddy")).dog_id == "buddy"
    # aiohttp sends a request again once when a kept-alive connection is closed.
    assert simulator.targets["buddy"].requests == (3 if mode == Mode.REFUSE else 2)


async def test_break_all_breaks_the_health_check_too(
    hass: HomeAssistant, simulator: CollarSimulator
) -> None:
    """`all` switches every dog and the health check; a custom Retry-After is sent."""
    client = _client(hass, simulator)
    simulator.set_mode("all", "503", retry_after=0)
    with pytest.raises(PawControlApiRetryAfterError) as caught:
        await client.async_check_health()
    assert caught.value.retry_after == 0
    for dog_id in DOGS:
        with pytest.raises(PawControlApiRetryAfterError):
            await client.async_get_dog_status(dog_id)
    simulator.set_mode("all", "ok")
    await client.async_check_health()
    with pytest.raises(KeyError):
        simulator.set_mode("rex", "500")
    with pytest.raises(ValueError, match="unknown mode"):
        parse_mode("teapot")


async def test_dogs_move_at_walking_speed(
    hass: HomeAssistant, simulator: CollarSimulator, clock: FakeClock
) -> None:
    """Buddy sets off at once: a minute later he is a walking minute further on."""
    client = _client(hass, simulator)
    first = await client.async_get_dog_status("buddy")
    assert first.activity == "walking"
    clock.now += 60
    later = await client.async_get_dog_status("buddy")
    moved = walk.distance_m(_where(first), _where(later))
    assert 50 <= moved <= 120  # 1.4 m/s, give or take the GPS drift
    assert later.updated_at >= first.updated_at
    # Max sleeps at home first and stays there.
    max_first = await client.async_get_dog_status("max")
    assert max_first.activity == "sleeping"
    assert walk.distance_m(DEFAULT_HOME, _where(max_first)) < 30


async def test_speed_factor(socket_enabled: None, clock: FakeClock) -> None:
    """At ten times the speed, six seconds walk as far as a minute does."""
    fast = CollarSimulator(clock=clock, speed=10)
    slow = CollarSimulator(clock=clock)
    clock.now += 6
    fast_fix = fast.status("buddy")["location"]
    clock.now += 54
    assert slow.status("buddy")["location"] == fast_fix
    with pytest.raises(ValueError, match="speed"):
        CollarSimulator(speed=0)
    with pytest.raises(ValueError, match="dog"):
        CollarSimulator(dogs=())


@pytest.mark.parametrize("dog_id", [*DOGS, "rex"])
def test_rounds_are_plausible(dog_id: str) -> None:
    """A round is a loop of a few hundred metres to 2 km, walked and run at dog speeds."""
    route = walk.Walk(walk.profile_for(dog_id))
    assert 300 <= route.length <= 2200
    home = (47.3769, 8.5417)
    step = 5.0
    fixes = [
        walk.fix_at(route, home, step * i) for i in range(int(2 * route.period / step))
    ]
    speeds: dict[str, list[float]] = {}
    for before, after in itertools.pairwise(fixes):
        metres = walk.distance_m(
            (before.latitude, before.longitude), (after.latitude, after.longitude)
        )
        speeds.setdefault(after.activity, []).append(metres / step)
    assert set(speeds) == set(walk.ACTIVITIES)
    assert max(max(values) for values in speeds.values()) < 4.5
    assert 1.0 <= statistics.median(speeds["walking"]) <= 1.8
    assert 2.5 <= statistics.median(speeds["running"]) <= 4.0
    for activity in ("eating", "resting", "sleeping"):
        assert statistics.median(speeds[activity]) < 0.5
    distances = [walk.distance_m(home, (f.latitude, f.longitude)) for f in fixes]
    assert 150 <= max(distances) <= 1200
    at_home = [
        d for d, f in zip(distances, fixes, strict=True) if f.activity == "sleeping"
    ]
    assert max(at_home) < 30


def test_battery_drains_slowly_and_is_recharged() -> None:
    """Six percent an hour; below ten percent the collar is charged again."""
    profile = walk.profile_for("buddy")
    assert walk.battery_at(profile, 0) == 87
    assert walk.battery_at(profile, 3600) == 81
    levels = [walk.battery_at(profile, hour * 3600) for hour in range(48)]
    assert min(levels) >= 10
    recharged = [b for a, b in itertools.pairwise(levels) if b > a]
    assert recharged
    assert min(recharged) >= 95


async def test_frozen_collar_answers_with_its_last_data(
    hass: HomeAssistant, simulator: CollarSimulator, clock: FakeClock
) -> None:
    """Frozen: the API answers, but time and place stand still until it heals."""
    client = _client(hass, simulator)
    simulator.set_mode("buddy", "freeze")
    assert simulator.state()["dogs"]["buddy"]["mode"] == Mode.FROZEN
    frozen = await client.async_get_dog_status("buddy")
    clock.now += 120
    later = await client.async_get_dog_status("buddy")
    assert later == frozen
    # Max's collar goes on as before.
    max_before = await client.async_get_dog_status("max")
    clock.now += 60
    assert (await client.async_get_dog_status("max")) != max_before
    simulator.set_mode("buddy", "healthy")
    healed = await client.async_get_dog_status("buddy")
    assert healed.updated_at > frozen.updated_at
    assert walk.distance_m(_where(frozen), _where(healed)) > 50
    assert simulator.state()["dogs"]["buddy"]["mode"] == Mode.HEALTHY


async def test_drained_battery_falls_fast_then_charges(
    hass: HomeAssistant, simulator: CollarSimulator, clock: FakeClock
) -> None:
    """Drain: 10 points a minute down to 5 %, then charging to 100 %, then down again."""
    client = _client(hass, simulator)
    healthy = await client.async_get_dog_status("buddy")
    assert (healthy.battery, healthy.charging) == (87, False)
    simulator.set_mode("buddy", "drain")
    seen: list[tuple[int | None, bool | None]] = []
    for _ in range(15):
        status = await client.async_get_dog_status("buddy")
        seen.append((status.battery, status.charging))
        clock.now += 60
    falling = [(level, False) for level in range(87, 0, -10)]
    charging = [(level, True) for level in (21, 41, 61, 81)]
    # Charged to 100 % in 4 min 45 s, then down again, 10 points a minute.
    assert seen == [*falling, *charging, (99, False), (89, False)]
    assert walk.drain_at(4, 0) == (5, True)


async def test_frozen_with_an_age_reports_old_data(
    hass: HomeAssistant, simulator: CollarSimulator, clock: FakeClock
) -> None:
    """Frozen with an age: the kept updated_at lies that far in the past."""
    client = _client(hass, simulator)
    before = await client.async_get_dog_status("max")
    simulator.set_mode("max", "freeze", age=600)
    frozen = await client.async_get_dog_status("max")
    assert frozen.updated_at is not None
    assert before.updated_at is not None
    assert 595 <= (before.updated_at - frozen.updated_at).total_seconds() <= 605
    clock.now += 60
    assert await client.async_get_dog_status("max") == frozen
    with pytest.raises(ValueError, match="age"):
        simulator.set_mode("max", "freeze", age=-1)


async def test_drain_from_a_given_level(
    hass: HomeAssistant, simulator: CollarSimulator, clock: FakeClock
) -> None:
    """Drain with a battery level: it falls from there, 10 points a minute."""
    client = _client(hass, simulator)
    simulator.set_mode("buddy", "drain", battery=25)
    assert (await client.async_get_dog_status("buddy")).battery == 25
    clock.now += 60
    assert (await client.async_get_dog_status("buddy")).battery == 15
    with pytest.raises(ValueError, match="battery"):
        simulator.set_mode("buddy", "drain", battery=101)


@pytest.mark.parametrize("dog_id", DOGS)
@pytest.mark.parametrize("start", [0, 300, 700, 1500])
async def test_wandering_dog_walks_away_from_home(
    hass: HomeAssistant,
    simulator: CollarSimulator,
    clock: FakeClock,
    dog_id: str,
    start: int,
) -> None:
    """Wander: from where it is, straight away from home at 1.3 m/s, until healed."""
    client = _client(hass, simulator)
    clock.now += start
    home = simulator.home
    where = _where(await client.async_get_dog_status(dog_id))
    simulator.set_mode(dog_id, "escape")
    assert simulator.state()["dogs"][dog_id]["mode"] == Mode.WANDER
    first = await client.async_get_dog_status(dog_id)
    assert walk.distance_m(where, _where(first)) < 1
    assert first.activity == "walking"
    distances = [walk.distance_m(home, _where(first))]
    for _ in range(10):
        clock.now += 60
        status = await client.async_get_dog_status(dog_id)
        assert status.activity == "walking"
        distances.append(walk.distance_m(home, _where(status)))
    # Farther from home every minute; 78 m a minute from where it started.
    assert distances == sorted(distances)
    assert distances[-1] > distances[0] + 600
    gone = walk.distance_m(_where(first), _where(status))
    assert gone == pytest.approx(walk.WANDER_SPEED * 600, rel=0.01)
    # Healed: back on its round, where the healthy collar would be now.
    simulator.set_mode(dog_id, "healthy")
    healed = await client.async_get_dog_status(dog_id)
    round_fix = walk.fix_at(simulator.walks[dog_id], home, simulator.elapsed)
    assert _where(healed) == (round_fix.latitude, round_fix.longitude)
    assert healed.activity == round_fix.activity


async def test_cli_drain_battery_and_freeze_age(simulator: CollarSimulator) -> None:
    """`break DOG drain --battery` and `break DOG freeze --age` reach the simulator."""
    url = ["--url", simulator.url]
    args = ["break", "buddy", "drain", "--battery", "30", *url]
    assert await asyncio.to_thread(cli_main, args) == 0
    assert simulator.status("buddy")["battery"] == 30
    args = ["break", "max", "freeze", "--age", "900", *url]
    assert await asyncio.to_thread(cli_main, args) == 0
    kept = datetime.fromisoformat(simulator.status("max")["updated_at"])
    assert 890 <= (datetime.now(UTC) - kept).total_seconds() <= 910
    args = ["break", "max", "freeze", "--age", "-5", *url]
    assert await asyncio.to_thread(cli_main, args) == 1
    async with (
        ClientSession() as session,
        session.post(
            f"{simulator.url}/control/dogs/max/mode",
            json={"mode": "drain", "battery": "low"},
        ) as response,
    ):
        assert response.status == 400


async def test_wandering_honours_the_speed_factor(
    socket_enabled: None, clock: FakeClock
) -> None:
    """At --speed 10 a real minute is ten simulated ones: 780 m away."""
    sim = CollarSimulator(dogs=("buddy",), clock=clock, speed=10)
    sim.set_mode("buddy", "wander")
    start = sim.status("buddy")["location"]
    clock.now += 60
    end = sim.status("buddy")["location"]
    gone = walk.distance_m(
        (start["latitude"], start["longitude"]), (end["latitude"], end["longitude"])
    )
    assert gone == pytest.approx(780, rel=0.01)


async def test_control_endpoint(socket_enabled: None, clock: FakeClock) -> None:
    """Modes, homes and state over HTTP; bad requests are refused with a reason."""
    sim = CollarSimulator(clock=clock)
    await sim.start()
    try:
        async with ClientSession() as session:
            url = f"{sim.url}/control"
            async with session.get(f"{url}/state") as response:
                state = await response.json()
            assert state["home"] == {"latitude": 32.87336, "longitude": 117.22743}
            assert state["token"] is False
            assert set(state["dogs"]) == {"buddy", "max"}
            assert state["dogs"]["buddy"]["mode"] == "healthy"
            assert state["dogs"]["buddy"]["status"]["dog_id"] == "buddy"
            async with session.post(
                f"{url}/dogs/max/mode", json={"mode": "429", "retry_after": 12}
            ) as response:
                assert response.status == 200
                state = await response.json()
            assert state["dogs"]["max"]["mode"] == "ratelimit429"
            assert state["dogs"]["max"]["retry_after"] == 12
            async with session.get(f"{sim.url}/api/v1/dogs/max/status") as response:
                assert response.status == 429
                assert response.headers["Retry-After"] == "12"
            for path, body, status in [
                ("dogs/rex/mode", {"mode": "500"}, 404),
                ("dogs/max/mode", {"mode": "teapot"}, 400),
                ("dogs/max/mode", {"mode": "500", "retry_after": "soon"}, 400),
                ("dogs/max/mode", [], 400),
                ("home", {"latitude": "north", "longitude": 1}, 400),
                ("home", {"latitude": 91, "longitude": 1}, 400),
                ("home", {}, 400),
            ]:
                async with session.post(f"{url}/{path}", json=body) as response:
                    assert response.status == status, (path, body)
            async with session.post(f"{url}/dogs/max/mode", data="{") as response:
                assert response.status == 400
            async with session.post(
                f"{url}/home", json={"latitude": 52.52, "longitude": 13.405}
            ) as response:
                state = await response.json()
        where = state["dogs"]["buddy"]["status"]["location"]
        assert (
            walk.distance_m((52.52, 13.405), (where["latitude"], where["longitude"]))
            < 50
        )
        assert state["dogs"]["max"]["requests"] == 1
    finally:
        await sim.close()


async def test_cli_break_heal_status(
    simulator: CollarSimulator,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    refused_url: str,
) -> None:
    """The commands scripts/develop prints switch the collar through the control endpoint."""

    async def cli(*args: str) -> int:
        return await asyncio.to_thread(cli_main, [*args, "--url", simulator.url])

    assert await cli("break", "buddy", "500") == 0
    assert simulator.targets["buddy"].mode == Mode.ERROR_500
    out = capsys.readouterr().out
    assert "buddy: error500 (HTTP 500)" in out
    assert "heal it with: scripts/collar_simulator.py heal buddy" in out

    assert await cli("break", "all", "busy", "--retry-after", "7") == 0
    assert {t.mode for t in simulator.targets.values()} == {Mode.BUSY_503}
    assert simulator.targets["health"].retry_after == 7

    assert await cli("status") == 0
    out = capsys.readouterr().out
    for dog_id in DOGS:
        assert f"\n{dog_id:<10} busy503" in out
    assert "token required" in out

    assert await cli("break", "buddy", "freeze") == 0
    assert simulator.targets["buddy"].mode == Mode.FROZEN
    assert await cli("break", "max", "drain") == 0
    assert simulator.targets["max"].mode == Mode.DRAIN
    out = capsys.readouterr().out
    assert "buddy: frozen (answer, but with the collar's last data" in out
    assert "max: drain (the battery falls 10 points a minute" in out
    clock.now += 9 * 60
    assert await cli("status") == 0
    out = capsys.readouterr().out
    assert " charging" in out.split("\nmax", 1)[1].splitlines()[0]
    assert " charging" not in out.split("\nbuddy", 1)[1].splitlines()[0]

    assert await cli("heal", "all") == 0
    assert {t.mode for t in simulator.targets.values()} == {Mode.HEALTHY}
    assert "all: healthy" in capsys.readouterr().out
    assert await cli("status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["dogs"]["max"]["mode"] == "healthy"

    assert await cli("break", "buddy", "teapot") == 1
    assert await cli("break", "rex", "500") == 1
    err = capsys.readouterr().err
    assert "unknown mode 'teapot'" in err
    assert "unknown dog 'rex'" in err
    code = await asyncio.to_thread(cli_main, ["heal", "buddy", "--url", refused_url])
    assert code == 1
    assert "no collar simulator answers at" in capsys.readouterr().err


async def test_develop_banner_commands_break_and_heal_buddy(
    simulator: CollarSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The commands scripts/develop prints last do what they say to Buddy's collar."""
    spec = importlib.util.spec_from_file_location(
        "develop_bootstrap", ROOT / "scripts" / "develop_bootstrap.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    commands = [
        line.split(":", 1)[1].split()
        for line in bootstrap.banner(follow=False).splitlines()
        if line.strip().startswith(
            (
                "Break Buddy's collar:",
                "Heal it:",
                "Freeze his collar:",
                "Drain its battery:",
                "Let him wander off:",
            )
        )
    ]
    assert [command[:2] for command in commands] == [
        ["scripts/collar_simulator.py", "break"],
        ["scripts/collar_simulator.py", "heal"],
        ["scripts/collar_simulator.py", "break"],
        ["scripts/collar_simulator.py", "break"],
        ["scripts/collar_simulator.py", "break"],
    ]
    expected = [Mode.ERROR_500, Mode.HEALTHY, Mode.FROZEN, Mode.DRAIN, Mode.WANDER]
    for command, mode in zip(commands, expected, strict=True):
        args = [*command[1:], "--url", simulator.url]
        assert await asyncio.to_thread(cli_main, args) == 0
        assert simulator.targets[bootstrap.DOG_ID].mode == mode
    assert bootstrap.DOG_ID in simulator.walks
    assert "heal it with" in capsys.readouterr().out


def _free_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_script_runs_the_simulator_in_its_own_process(
    socket_enabled: None,
) -> None:
    """`serve` in a real process answers the API; `break` and `heal` reach it; SIGTERM stops it."""
    script = str(ROOT / "scripts" / "collar_simulator.py")
    port = _free_port()
    env = os.environ | {"PAWCONTROL_SIMULATOR_URL": f"http://127.0.0.1:{port}"}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        script,
        "serve",
        "--port",
        str(port),
        "--dogs",
        "rex",
        "--home",
        "47.3769",
        "8.5417",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), 30)
        assert f"listening on http://127.0.0.1:{port} (dogs: rex;" in line.decode()

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(  # noqa: S603  # our own script
                [sys.executable, script, *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=False,
            )

        assert (await asyncio.to_thread(run, "break", "rex", "hang")).returncode == 0
        state = json.loads((await asyncio.to_thread(run, "status", "--json")).stdout)
        assert state["dogs"]["rex"]["mode"] == "hang"
        assert (await asyncio.to_thread(run, "heal", "rex")).returncode == 0
        async with (
            ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/api/v1/dogs/rex/status") as response,
        ):
            body = await response.json()
        assert body["dog_id"] == "rex"
        assert walk.distance_m((47.3769, 8.5417), _coords(body)) < 1500
    finally:
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 30) == 0


def _coords(body: dict[str, Any]) -> tuple[float, float]:
    """Return the coordinates of a status body."""
    return body["location"]["latitude"], body["location"]["longitude"]
