"""Benchmark what a refresh costs as the dogs grow: 1, 10, 50 and 200 dogs.

Run from the repository root with the project's Home Assistant venv::

    .venv/bin/python benchmarks/bench_scale.py
    .venv/bin/python benchmarks/bench_scale.py --before /tmp/pawcontrol-before

``--before`` names a checkout of an earlier commit (``git worktree add``) that
is measured the same way, for the table and plot of before against after.

Not a test: pytest only collects ``tests/``. Every configuration (tree, dogs,
idle or walking) runs in its own Python process: a real Home Assistant (the test
instance of pytest-homeassistant-custom-component) sets up one PawControl entry
with the dogs against a device API on 127.0.0.1 in the same process, as in the
tests. Each dog's collar answers with a fix 10 s after its last one:

* idle: every dog at home, the same place each time (no walk);
* walking: every dog 1 km from home with automatic walks, 10 m further each
  refresh (1 m/s), so every dog is on a walk and every fix is new.

A measured refresh is ``await coordinator.async_refresh()`` followed by
``await hass.async_block_till_done()`` (the entities' writes and the work they
trigger); its CPU time is ``time.process_time`` (the server's answers included,
as in Home Assistant with a local device API). Writes are the
``state_changed`` and ``state_reported`` events of the refresh. Memory is the
Python heap traced by ``tracemalloc`` in a separate run of the same
configuration (tracing slows everything down): the heap after setup and the
refreshes minus the heap before setup. The results go to
``benchmarks/results_scale.json`` and the plot to ``docs/images/scale.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import logging
import os
from pathlib import Path
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results_scale.json"
PLOT = ROOT / "docs" / "images" / "scale.png"
DOG_COUNTS = (1, 10, 50, 200)
MODES = ("idle", "walking")
TOKEN = "bench-token"
# Far beyond the run: only the benchmark refreshes.
UPDATE_INTERVAL = 86_400
# The collars' clock: one fix every 10 s; the step of a walking dog per fix.
FIX_SECONDS = 10
STEP_DEGREES = 10 / 111_320
WALK_OFFSET_DEGREES = 1_000 / 111_320
WARMUP_REFRESHES = 2


def check(condition: bool, what: str) -> None:
    """Stop the benchmark when a sanity check fails."""
    if not condition:
        raise RuntimeError(f"sanity check failed: {what}")


class Collars:
    """A device API on 127.0.0.1 whose dogs report a fix each time they are asked."""

    def __init__(
        self,
        dogs: int,
        home: tuple[float, float],
        walking: bool,
        *,
        realtime: bool = False,
    ) -> None:
        """Place every dog at home, or 1 km north of it when walking.

        ``realtime``: every answer is a fix of this moment (walking dogs move on
        at 1 m/s), as a real collar's; otherwise ``advance`` gives the next fix.
        """
        offset = WALK_OFFSET_DEGREES if walking else 0.0
        self.latitude = {dog_id(i): home[0] + offset for i in range(dogs)}
        self.longitude = home[1]
        self.walking = walking
        self.realtime = realtime
        self.fixes = 0
        self.requests = 0
        self._start = time.time()
        self._runner: Any = None
        self.url = ""

    def advance(self) -> None:
        """Move on to the next fix: 10 s later; walking dogs 10 m further."""
        self.fixes += 1
        if self.walking:
            for dog in self.latitude:
                self.latitude[dog] += STEP_DEGREES

    async def start(self, port: int = 0) -> None:
        """Listen on ``port`` of 127.0.0.1 (0: a free one)."""
        from aiohttp import web  # noqa: PLC0415 (after the worker's sys.path)

        app = web.Application()
        app.router.add_get("/api/v1/health", self._health)
        app.router.add_get("/api/v1/dogs/{dog_id}/status", self._status)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()

    async def _health(self, request: Any) -> Any:
        from aiohttp import web  # noqa: PLC0415

        return web.json_response({"status": "ok"})

    async def _status(self, request: Any) -> Any:
        from aiohttp import web  # noqa: PLC0415

        self.requests += 1
        dog = request.match_info["dog_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        if dog not in self.latitude:
            return web.Response(status=404)
        latitude = self.latitude[dog]
        if self.realtime:
            measured = time.time()
            if self.walking:
                latitude += (measured - self._start) * STEP_DEGREES / FIX_SECONDS
        else:
            measured = self._start + self.fixes * FIX_SECONDS
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(measured))
        return web.json_response(
            {
                "dog_id": dog,
                "updated_at": stamp,
                "location": {
                    "latitude": latitude,
                    "longitude": self.longitude,
                    "accuracy": 8.0,
                },
                "battery": 87,
                "activity": "walking" if self.walking else "resting",
            }
        )


def dog_id(index: int) -> str:
    """Return the id of the benchmark's dog number ``index``."""
    return f"dog_{index:03d}"


def entry_options(dogs: int, walking: bool) -> dict[str, Any]:
    """Return the options of an entry with ``dogs`` dogs."""
    from custom_components.pawcontrol import const  # noqa: PLC0415

    return {
        const.CONF_DOGS: [
            {
                const.CONF_DOG_ID: dog_id(i),
                const.CONF_DOG_NAME: f"Dog {i:03d}",
                const.CONF_GPS_MAX_AGE: 600,
                const.CONF_GPS_ACCURACY_LIMIT: 100,
                const.CONF_AUTO_WALK: walking,
            }
            for i in range(dogs)
        ],
        const.CONF_UPDATE_INTERVAL: UPDATE_INTERVAL,
        **const.DEFAULT_RESILIENCE,
    }


class WriteCounter:
    """Count the state writes (changed and unchanged) on a Home Assistant bus."""

    def __init__(self, hass: Any) -> None:
        """Listen to every state_changed and state_reported event."""
        from homeassistant.const import (  # noqa: PLC0415
            EVENT_STATE_CHANGED,
            EVENT_STATE_REPORTED,
        )
        from homeassistant.core import callback  # noqa: PLC0415

        self.writes = 0

        @callback
        def count(_event: Any) -> None:
            self.writes += 1

        @callback
        def every(_data: Any) -> bool:
            return True

        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
            hass.bus.async_listen(event_type, count, event_filter=every)

    def take(self) -> int:
        """Return the writes since the last call."""
        writes, self.writes = self.writes, 0
        return writes


async def refresh(hass: Any, coordinator: Any, collars: Collars) -> tuple[float, float]:
    """Give every collar its next fix, refresh; return (CPU s, wall s)."""
    collars.advance()
    cpu, wall = time.process_time(), time.perf_counter()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    return time.process_time() - cpu, time.perf_counter() - wall


def walking_dogs(hass: Any, dogs: int) -> int:
    """Return how many dogs have walked some distance today."""
    walked = 0
    for i in range(dogs):
        state = hass.states.get(f"sensor.dog_{i:03d}_walk_distance_today")
        if state is not None and state.state not in ("unknown", "unavailable"):
            walked += float(state.state) > 0
    return walked


async def measure(
    config_dir: str, dogs: int, mode: str, refreshes: int, memory: bool
) -> dict[str, Any]:
    """Set up ``dogs`` dogs and measure ``refreshes`` refreshes."""
    from unittest.mock import patch  # noqa: PLC0415

    from aiohttp import AsyncResolver  # noqa: PLC0415
    from homeassistant import loader  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
        async_test_home_assistant,
    )

    from custom_components.pawcontrol import const  # noqa: PLC0415

    walking = mode == "walking"
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=AsyncResolver(),
    )
    with resolver:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            home = (hass.config.latitude, hass.config.longitude)
            collars = Collars(dogs, home, walking)
            await collars.start()
            entry = MockConfigEntry(
                domain=const.DOMAIN,
                title="PawControl",
                data={const.CONF_API_URL: collars.url, const.CONF_API_TOKEN: TOKEN},
                options=entry_options(dogs, walking),
            )
            entry.add_to_hass(hass)
            writes = WriteCounter(hass)
            gc.collect()
            if memory:
                tracemalloc.start()
                heap_before = tracemalloc.get_traced_memory()[0]
            setup_start = time.process_time()
            check(await hass.config_entries.async_setup(entry.entry_id), "set up")
            await hass.async_block_till_done()
            setup_cpu = time.process_time() - setup_start
            coordinator = entry.runtime_data.coordinator
            for _ in range(WARMUP_REFRESHES):
                await refresh(hass, coordinator, collars)
            writes.take()
            cpu: list[float] = []
            wall: list[float] = []
            counts: list[int] = []
            for _ in range(refreshes):
                spent, elapsed = await refresh(hass, coordinator, collars)
                cpu.append(spent)
                wall.append(elapsed)
                counts.append(writes.take())
            result: dict[str, Any] = {
                "dogs": dogs,
                "mode": mode,
                "setup_cpu_s": setup_cpu,
                "entities": len(hass.states.async_all()),
                "cpu_s": cpu,
                "wall_s": wall,
                "writes": counts,
                "requests": collars.requests,
                "walking_dogs": walking_dogs(hass, dogs),
            }
            if memory:
                gc.collect()
                result["heap_bytes"] = tracemalloc.get_traced_memory()[0] - heap_before
                result["heap_by_package"] = heap_by_package(tracemalloc.take_snapshot())
                tracemalloc.stop()
            check(
                result["walking_dogs"] == (dogs if walking else 0),
                f"{result['walking_dogs']} of {dogs} dogs walking in mode {mode}",
            )
            check(await hass.config_entries.async_unload(entry.entry_id), "unloaded")
            await collars.close()
            await hass.async_stop(force=True)
    return result


def heap_by_package(snapshot: tracemalloc.Snapshot) -> dict[str, int]:
    """Return the traced heap in bytes by who allocated it (the allocating file).

    PawControl's objects built by Home Assistant's code (states, registry
    entries) count as Home Assistant's: the split says whose code allocates,
    which is where a saving would have to be made.
    """
    groups: dict[str, int] = {}
    for stat in snapshot.statistics("filename"):
        name = stat.traceback[0].filename
        if "custom_components/pawcontrol" in name:
            group = "pawcontrol"
        elif "/homeassistant/" in name:
            group = "homeassistant"
        elif "site-packages" in name:
            group = name.split("site-packages/", 1)[1].split("/", 1)[0]
        else:
            group = "python"
        groups[group] = groups.get(group, 0) + stat.size
    return dict(sorted(groups.items(), key=lambda item: -item[1])[:8])


def worker(args: argparse.Namespace) -> None:
    """Measure one configuration in this process and print it as JSON."""
    sys.path.insert(0, str(Path(args.root).resolve()))
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="pawcontrol-scale-") as config_dir:
        result = asyncio.run(
            measure(config_dir, args.dogs, args.mode, args.refreshes, args.memory)
        )
    print(json.dumps(result))


def run_worker(root: Path, dogs: int, mode: str, refreshes: int, memory: bool) -> Any:
    """Run one configuration in a new Python process; return its result."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        f"--root={root}",
        f"--dogs={dogs}",
        f"--mode={mode}",
        f"--refreshes={refreshes}",
    ]
    if memory:
        command.append("--memory")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{command} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(timing: dict[str, Any], heap: dict[str, Any]) -> dict[str, Any]:
    """Return the figures of one configuration."""
    dogs = timing["dogs"]
    # The best refresh: what the code costs, least disturbed by the machine.
    cpu_ms = min(timing["cpu_s"]) * 1000
    return {
        "dogs": dogs,
        "mode": timing["mode"],
        "entities": timing["entities"],
        "refreshes": len(timing["cpu_s"]),
        "cpu_ms_per_refresh": round(cpu_ms, 2),
        "cpu_ms_per_dog": round(cpu_ms / dogs, 3),
        "cpu_ms_median": round(statistics.median(timing["cpu_s"]) * 1000, 2),
        "wall_ms_per_refresh": round(statistics.median(timing["wall_s"]) * 1000, 2),
        "writes_per_refresh": statistics.median(timing["writes"]),
        "heap_kb_per_dog": round(heap["heap_bytes"] / dogs / 1024, 1),
        "setup_cpu_s": round(timing["setup_cpu_s"], 2),
        "cpu_s": timing["cpu_s"],
    }


def heap_slopes(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Return the heap each dog beyond the smallest entry adds, per tree and mode.

    The heap of an entry also holds what PawControl needs once (its platforms,
    the hub entities); the slope between the fewest and the most dogs is what a
    dog costs.
    """
    slopes = {}
    for tree in {r["tree"] for r in runs}:
        for mode in MODES:
            rows = sorted(
                (r for r in runs if r["tree"] == tree and r["mode"] == mode),
                key=lambda r: r["dogs"],
            )
            if len(rows) < 2:
                continue
            few, many = rows[0], rows[-1]
            heap = many["heap_kb_per_dog"] * many["dogs"]
            heap -= few["heap_kb_per_dog"] * few["dogs"]
            slopes[f"{tree} {mode}"] = round(heap / (many["dogs"] - few["dogs"]), 1)
    return slopes


def refreshes_for(dogs: int, tree: str) -> int:
    """Return how many refreshes to time (fewer where one takes seconds)."""
    return 3 if tree == "before" and dogs >= 200 else 7


def machine() -> dict[str, Any]:
    """Return the CPU, core count and software versions."""
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "homeassistant": importlib.metadata.version("homeassistant"),
    }


def commit(root: Path) -> str:
    """Return the commit a tree is at (and whether it has changes)."""
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "custom_components"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head}+changes" if dirty else head


def plot(results: dict[str, Any]) -> None:
    """Draw CPU per refresh per dog against dogs, before and after."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, key, label in (
        (axes[0], "cpu_ms_per_refresh", "CPU ms per refresh"),
        (axes[1], "cpu_ms_per_dog", "CPU ms per refresh and dog"),
    ):
        for tree, style in (("before", "--"), ("after", "-")):
            for mode, marker in (("idle", "o"), ("walking", "s")):
                rows = [
                    r
                    for r in results["runs"]
                    if r["tree"] == tree and r["mode"] == mode
                ]
                if rows:
                    axis.plot(
                        [r["dogs"] for r in rows],
                        [r[key] for r in rows],
                        style,
                        marker=marker,
                        label=f"{tree} ({results['trees'][tree]}), {mode}",
                    )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks(list(DOG_COUNTS), [str(d) for d in DOG_COUNTS])
        axis.set_xlabel("dogs")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.suptitle("PawControl: cost of one refresh against the number of dogs")
    figure.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(PLOT, dpi=110)


def main() -> None:
    """Measure every configuration, print the table, write results and plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="checkout of an earlier commit to compare")
    parser.add_argument("--after", default=str(ROOT), help="checkout to measure")
    parser.add_argument("--dogs", default=",".join(map(str, DOG_COUNTS)))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--refreshes", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.dogs = int(args.dogs)
        worker(args)
        return
    trees = {"after": Path(args.after).resolve()}
    if args.before:
        trees = {"before": Path(args.before).resolve(), **trees}
    runs = []
    for dogs in map(int, args.dogs.split(",")):
        for mode in MODES:
            # Before and after alternate, so a busy moment hits both alike.
            for tree, root in trees.items():
                refreshes = refreshes_for(dogs, tree)
                timing = run_worker(root, dogs, mode, refreshes, memory=False)
                heap = run_worker(root, dogs, mode, 1, memory=True)
                row = {"tree": tree} | summarise(timing, heap)
                runs.append(row)
                print(
                    f"{tree:<7} {dogs:>4} dogs {mode:<8}"
                    f" {row['cpu_ms_per_refresh']:>10.1f} ms"
                    f" {row['cpu_ms_per_dog']:>8.3f} ms/dog"
                    f" {row['writes_per_refresh']:>8} writes"
                    f" {row['heap_kb_per_dog']:>7.1f} KB/dog",
                    flush=True,
                )
    results = {
        "machine": machine(),
        "trees": {tree: commit(root) for tree, root in trees.items()},
        "runs": runs,
        "heap_kb_per_added_dog": heap_slopes(runs),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    plot(results)
    print(f"wrote {RESULTS.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
