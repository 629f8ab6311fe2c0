"""Command line of the collar simulator (scripts/collar_simulator.py).

    serve [--port 8765] [--home LAT LON] [--dogs buddy max] [--token TOKEN]
          [--speed 1] [--retry-after 5]
                          run the device API on 127.0.0.1 until Ctrl-C
    break DOG MODE [--retry-after S] [--battery PERCENT] [--age SECONDS]
                          make a dog's collar fail; DOG may be `all` (every dog
                          and the health check) or `health`; `wander` (alias
                          `escape`) walks the dog away from home until healed;
                          --battery: where `drain` starts; --age: how old the
                          data a `freeze` keeps is (Not reporting at once)
    heal DOG              make it answer again (`heal all` heals everything)
    status [--json]       show the modes, request counts and positions

`break`, `heal` and `status` talk to the control endpoint at --url (default
$PAWCONTROL_SIMULATOR_URL or http://127.0.0.1:8765) with the standard
library alone; only `serve` needs aiohttp.
"""

# ruff: noqa: T201  # a command-line tool prints

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

from .modes import ALIASES, ALL, HEALTH, MODES, Mode, parse_mode

PROG = "scripts/collar_simulator.py"
DEFAULT_URL = "http://127.0.0.1:8765"


class ControlError(Exception):
    """The control endpoint could not be reached or refused the request."""


def _parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    modes = "; ".join(f"{name}: {text}" for name, text in MODES.items())
    aliases = ", ".join(f"{alias}={mode}" for alias, mode in ALIASES.items())
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A simulated dog collar: the PawControl device API on 127.0.0.1.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the simulator")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument(
        "--home",
        nargs=2,
        type=float,
        metavar=("LAT", "LON"),
        help="home coordinates (default: Home Assistant's demo home)",
    )
    serve.add_argument("--dogs", nargs="+", default=None, metavar="DOG")
    serve.add_argument("--token", help="require this Bearer token (default: none)")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    serve.add_argument(
        "--retry-after",
        type=int,
        default=None,
        help="Retry-After seconds of busy503 and ratelimit429 (default 5)",
    )

    url_help = "the simulator (default $PAWCONTROL_SIMULATOR_URL or %(default)s)"
    url_default = os.environ.get("PAWCONTROL_SIMULATOR_URL", DEFAULT_URL)
    brk = sub.add_parser(
        "break",
        help="make a dog's collar fail",
        description=f"Modes: {modes}. Aliases: {aliases}.",
    )
    brk.add_argument("dog", help=f"a dog id, {HEALTH!r} or {ALL!r}")
    brk.add_argument(
        "mode",
        help="e.g. 500, 503, 429, 401, hang, refuse, malformed, freeze, drain, wander",
    )
    brk.add_argument("--retry-after", type=int, default=None)
    brk.add_argument(
        "--battery",
        type=float,
        default=None,
        help="drain: the battery level it starts at (default: the current one)",
    )
    brk.add_argument(
        "--age",
        type=float,
        default=None,
        help="freeze: seconds the kept updated_at lies in the past (default 0)",
    )
    brk.add_argument("--url", default=url_default, help=url_help)

    heal = sub.add_parser("heal", help="make a dog's collar answer again")
    heal.add_argument("dog", help=f"a dog id, {HEALTH!r} or {ALL!r}")
    heal.add_argument("--url", default=url_default, help=url_help)

    status = sub.add_parser("status", help="show modes, requests and positions")
    status.add_argument("--json", action="store_true", help="print the raw state")
    status.add_argument("--url", default=url_default, help=url_help)
    return parser


def control(
    url: str, path: str, body: dict[str, Any] | None = None, *, timeout: float = 5
) -> dict[str, Any]:
    """Call the control endpoint (POST with a body, else GET); return its JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310  # the URL is the user's own simulator
        url.rstrip("/") + path,
        data=data,
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    if urllib.parse.urlsplit(request.full_url).scheme not in ("http", "https"):
        raise ControlError(f"not an http URL: {url}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as err:
        raise ControlError(err.read().decode(errors="replace").strip()) from err
    except (OSError, ValueError) as err:
        raise ControlError(
            f"no collar simulator answers at {url} ({err}); start it with "
            f"`{PROG} serve` or scripts/develop"
        ) from err
    return answer


def _describe(name: str, target: dict[str, Any]) -> str:
    """Return one line about a dog or the health check."""
    line = f"{name:<10} {target['mode']:<16} {target['requests']:>5} requests"
    if status := target.get("status"):
        where = status["location"]
        line += (
            f"   {status['activity']:<9} battery {status['battery']:>3} %"
            f"{' charging' if status.get('charging') else ''}"
            f"   {where['latitude']:.6f}, {where['longitude']:.6f}"
            f" ±{where['accuracy']:.0f} m"
        )
    return line


def _print_state(url: str, state: dict[str, Any]) -> None:
    """Print the simulator's state for a person."""
    home = state["home"]
    print(
        f"collar simulator at {url}: home {home['latitude']}, {home['longitude']}, "
        f"speed {state['speed']:g}x, token {'required' if state['token'] else 'none'}"
    )
    print(_describe(HEALTH, state["health"]))
    for dog_id, target in state["dogs"].items():
        print(_describe(dog_id, target))


def _serve(args: argparse.Namespace) -> int:
    """Run the simulator in the foreground until Ctrl-C or SIGTERM."""
    import asyncio  # noqa: PLC0415  # only serve needs the event loop and aiohttp
    import logging  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from .server import DEFAULT_DOGS, DEFAULT_HOME, CollarSimulator  # noqa: PLC0415

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    options: dict[str, Any] = {
        "home": tuple(args.home) if args.home else DEFAULT_HOME,
        "dogs": args.dogs or DEFAULT_DOGS,
        "token": args.token,
        "speed": args.speed,
    }
    if args.retry_after is not None:
        options["retry_after"] = args.retry_after
    try:
        simulator = CollarSimulator(**options)
    except (TypeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    async def run() -> None:
        await simulator.start(args.port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        home = simulator.home
        print(
            f"collar simulator listening on {simulator.url} "
            f"(dogs: {', '.join(simulator.walks)}; home {home[0]}, {home[1]}; "
            f"token {'required' if simulator.token else 'none'})",
            flush=True,
        )
        try:
            await stop.wait()
        finally:
            await simulator.close()

    try:
        asyncio.run(run())
    except OSError as err:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command and return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    try:
        if args.command == "status":
            state = control(args.url, "/control/state")
            if args.json:
                print(json.dumps(state, indent=2))
            else:
                _print_state(args.url, state)
            return 0
        mode = Mode.HEALTHY if args.command == "heal" else parse_mode(args.mode)
        body: dict[str, Any] = {"mode": mode}
        if args.command == "break":
            for key in ("retry_after", "battery", "age"):
                if getattr(args, key) is not None:
                    body[key] = getattr(args, key)
        dog = urllib.parse.quote(args.dog, safe="")
        state = control(args.url, f"/control/dogs/{dog}/mode", body)
    except (ControlError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{args.dog}: {mode} ({MODES[mode]})")
    if mode != Mode.HEALTHY:
        print(f"heal it with: {PROG} heal {args.dog}")
    targets = {HEALTH: state["health"], **state["dogs"]}
    for name in targets if args.dog == ALL else [args.dog]:
        print(_describe(name, targets[name]))
    return 0
