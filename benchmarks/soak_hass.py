"""Run a real Home Assistant with 200 walking dogs for some minutes; measure the loop.

Run from the repository root with the project's Home Assistant venv::

    .venv/bin/python benchmarks/soak_hass.py                # 200 dogs, 5 minutes
    .venv/bin/python benchmarks/soak_hass.py --dogs 50 --minutes 2
    .venv/bin/python benchmarks/soak_hass.py --hass "$(../shared/tools/hass-newest)"

Not a test. It starts two processes on 127.0.0.1:

* a device API (the collars of ``bench_scale.py``, in real time): every dog is
  1 km from home and moves on at 1 m/s, so every dog is on an automatic walk
  and every refresh brings a new fix of every dog;
* ``python -m homeassistant`` with a fresh configuration directory: the
  recorder (SQLite, so every state write is also a row), PawControl with the
  dogs at the shortest refresh interval (15 s), and ``lag_probe``, a custom
  integration written for this run only: a timer every 50 ms that records how
  late the event loop ran it, from 30 s after Home Assistant has started.

At the end Home Assistant is stopped (SIGTERM), the probe writes what it saw,
and the run prints and stores (``benchmarks/results_soak.json``): the loop's
lag (median, p99, max, samples over 50 ms), Home Assistant's CPU seconds per
minute, the refreshes seen by the device API, how many dogs walked, and every
WARNING or ERROR in Home Assistant's log.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any
import uuid

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results_soak.json"
HOME = (52.52, 13.405)
TOKEN = "bench-token"
INTERVAL = 15
# A first start creates the database; a busy 2-core machine is slow.
START_TIMEOUT = 600
PROBE_MANIFEST = {
    "domain": "lag_probe",
    "name": "Loop lag probe (benchmark only)",
    "codeowners": [],
    "documentation": "https://example.invalid",
    "iot_class": "local_push",
    "requirements": [],
    "version": "1.0.0",
}
PROBE = '''"""How late the event loop runs a 50 ms timer (benchmarks/soak_hass.py)."""

import json
from pathlib import Path

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, EVENT_HOMEASSISTANT_STOP

PERIOD = 0.05
SETTLE = 30.0


async def async_setup(hass, config):
    loop = hass.loop
    lags = []
    handle = None

    def tick(expected):
        nonlocal handle
        now = loop.time()
        lags.append(round(now - expected, 4))
        handle = loop.call_at(now + PERIOD, tick, now + PERIOD)

    async def begin(_event):
        nonlocal handle
        first = loop.time() + SETTLE
        handle = loop.call_at(first, tick, first)
        started = Path(hass.config.path("lag_probe.started"))
        await hass.async_add_executor_job(started.write_text, "started")

    async def stop(_event):
        if handle is not None:
            handle.cancel()
        walked = 0
        for state in hass.states.async_all("sensor"):
            if state.entity_id.endswith("_walk_distance_today"):
                try:
                    walked += float(state.state) > 0
                except ValueError:
                    pass
        report = {"lags": lags, "walked": walked, "states": len(hass.states.async_all())}
        path = Path(hass.config.path("lag_probe.json"))
        await hass.async_add_executor_job(path.write_text, json.dumps(report))

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, begin)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop)
    return True
'''


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def configuration(port: int) -> str:
    """Return configuration.yaml: home, http on 127.0.0.1, recorder, probe."""
    return f"""homeassistant:
  name: Soak
  latitude: {HOME[0]}
  longitude: {HOME[1]}
  elevation: 0
  unit_system: metric
  time_zone: Europe/Berlin
  country: DE
http:
  server_host: 127.0.0.1
  server_port: {port}
recorder:
logger:
  default: warning
lag_probe:
"""


def config_entries(dogs: int, api_url: str) -> dict[str, Any]:
    """Return core.config_entries with one PawControl entry of ``dogs`` dogs."""
    sys.path.insert(0, str(ROOT))
    from custom_components.pawcontrol import const  # noqa: PLC0415

    now = datetime.now(UTC).isoformat()
    options = {
        const.CONF_DOGS: [
            {
                const.CONF_DOG_ID: f"dog_{i:03d}",
                const.CONF_DOG_NAME: f"Dog {i:03d}",
                const.CONF_GPS_MAX_AGE: 600,
                const.CONF_GPS_ACCURACY_LIMIT: 100,
                const.CONF_AUTO_WALK: True,
            }
            for i in range(dogs)
        ],
        const.CONF_NOTIFY_SERVICES: [],
        const.CONF_NOTIFY_ENTITIES: [],
        const.CONF_UPDATE_INTERVAL: INTERVAL,
        **const.DEFAULT_RESILIENCE,
    }
    entry = {
        "entry_id": uuid.uuid4().hex,
        "version": 1,
        "minor_version": 2,
        "domain": const.DOMAIN,
        "title": "PawControl",
        "data": {const.CONF_API_URL: api_url, const.CONF_API_TOKEN: TOKEN},
        "options": options,
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "unique_id": const.DOMAIN,
        "disabled_by": None,
        "discovery_keys": {},
        "subentries": [],
        "created_at": now,
        "modified_at": now,
    }
    return {
        "version": 1,
        "minor_version": 5,
        "key": "core.config_entries",
        "data": {"entries": [entry]},
    }


def prepare(config_dir: Path, dogs: int, api_url: str, port: int) -> None:
    """Write the configuration directory: PawControl (a copy), probe, entry."""
    custom = config_dir / "custom_components"
    shutil.copytree(
        ROOT / "custom_components" / "pawcontrol",
        custom / "pawcontrol",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    probe = custom / "lag_probe"
    probe.mkdir()
    (probe / "manifest.json").write_text(json.dumps(PROBE_MANIFEST))
    (probe / "__init__.py").write_text(PROBE)
    (config_dir / "configuration.yaml").write_text(configuration(port))
    storage = config_dir / ".storage"
    storage.mkdir()
    (storage / "core.config_entries").write_text(
        json.dumps(config_entries(dogs, api_url))
    )


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def log_problems(log: Path) -> list[str]:
    """Return the WARNING and ERROR lines of Home Assistant's log."""
    if not log.exists():
        return []
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if " WARNING " in line or " ERROR " in line or " CRITICAL " in line
    ]


async def serve_collars(dogs: int, port: int) -> None:
    """Run the real-time collars until killed."""
    sys.path.insert(0, str(HERE))
    from bench_scale import Collars  # noqa: PLC0415

    collars = Collars(dogs, HOME, walking=True, realtime=True)
    await collars.start(port)
    print(f"collars on {collars.url}", flush=True)
    while True:
        await asyncio.sleep(5)
        print(collars.requests, flush=True)


def requests_seen(log: Path) -> int:
    """Return the status requests the collars answered (their last count)."""
    last = log.read_text().strip().splitlines()[-1:]
    return int(last[0]) if last and last[0].isdigit() else 0


def wait_started(marker: Path, hass: subprocess.Popen[bytes]) -> None:
    """Wait until Home Assistant has started (the probe's marker file)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not marker.exists():
        if hass.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Home Assistant did not start; see {marker.parent}")
        time.sleep(1)


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Start the collars and Home Assistant, wait, stop, collect."""
    workdir = Path(tempfile.mkdtemp(prefix="pawcontrol-soak-"))
    config_dir = workdir / "config"
    collar_port, hass_port = free_port(), free_port()
    prepare(config_dir, args.dogs, f"http://127.0.0.1:{collar_port}", hass_port)
    collar_log = (workdir / "collars.log").open("w")
    collar = subprocess.Popen(  # this script
        [
            sys.executable,
            __file__,
            "--collars",
            f"--port={collar_port}",
            f"--dogs={args.dogs}",
        ],
        stdout=collar_log,
        stderr=subprocess.STDOUT,
    )
    command = (
        shlex.split(args.hass) if args.hass else [sys.executable, "-m", "homeassistant"]
    )
    console = (workdir / "hass-console.log").open("w")
    hass = subprocess.Popen(  # the user's hass command
        [*command, "--config", str(config_dir), "--skip-pip"],
        # Not the repository: its custom_components package would shadow the
        # configuration's (and the probe in it).
        cwd=workdir,
        stdout=console,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_started(config_dir / "lag_probe.started", hass)
        started = time.monotonic()
        cpu_start = cpu_seconds(hass.pid)
        time.sleep(args.minutes * 60)
        cpu = cpu_seconds(hass.pid) - cpu_start
        elapsed = time.monotonic() - started
    finally:
        hass.send_signal(signal.SIGTERM)
        status = hass.wait(120)
        collar.kill()
        collar.wait()
        collar_log.close()
        console.close()
    probe = json.loads((config_dir / "lag_probe.json").read_text())
    lags = probe["lags"]
    return {
        "dogs": args.dogs,
        "interval_s": INTERVAL,
        "minutes": args.minutes,
        "hass": " ".join(command),
        "exit_status": status,
        "states": probe["states"],
        "dogs_walked": probe["walked"],
        "refreshes": requests_seen(workdir / "collars.log") // args.dogs,
        "cpu_s_per_minute": round(cpu / elapsed * 60, 2),
        "lag_samples": len(lags),
        "lag_ms_median": round(statistics.median(lags) * 1000, 2),
        "lag_ms_p99": round(percentile(lags, 0.99) * 1000, 2),
        "lag_ms_max": round(max(lags) * 1000, 2),
        "lag_samples_over_50ms": sum(lag > 0.05 for lag in lags),
        "log_problems": log_problems(config_dir / "home-assistant.log"),
        "workdir": str(workdir),
    }


def main() -> None:
    """Parse the arguments, run the soak, print and store the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dogs", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--hass", help="a hass command (default: this venv's)")
    parser.add_argument("--collars", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collars:
        asyncio.run(serve_collars(args.dogs, args.port))
        return
    result = soak(args)
    print(json.dumps(result, indent=2))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
