#!/usr/bin/env python3
"""A simulated dog collar for development: the PawControl device API on 127.0.0.1.

    scripts/collar_simulator.py serve --port 8765     run it (scripts/develop does)
    scripts/collar_simulator.py break buddy 500       make Buddy's collar fail
    scripts/collar_simulator.py heal buddy            make it answer again
    scripts/collar_simulator.py status                modes, requests, positions

`--help` after a command lists its options. The code lives in tests/simulator,
where the tests use it too.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent


def _reexec_in_venv(argv: list[str]) -> None:
    """Run `serve` with the project's .venv when this Python has no aiohttp."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if (
        argv[:1] == ["serve"]
        and importlib.util.find_spec("aiohttp") is None
        and venv_python.exists()
        and Path(sys.executable).resolve() != venv_python.resolve()
    ):
        os.execv(venv_python, [str(venv_python), __file__, *argv])  # noqa: S606


if __name__ == "__main__":
    _reexec_in_venv(sys.argv[1:])
    sys.path.insert(0, str(ROOT))
    from tests.simulator.cli import main

    sys.exit(main(sys.argv[1:]))
