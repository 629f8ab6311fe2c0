"""The project's stdlib scripts, loaded by path (scripts/ is not a package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Final

SCRIPTS: Final = Path(__file__).resolve().parents[2] / "scripts"


def load(name: str) -> ModuleType:
    """Import scripts/<name>.py once and return it."""
    spec = importlib.util.spec_from_file_location(
        f"pawcontrol_scripts_{name}", SCRIPTS / f"{name}.py"
    )
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HASS_WEBSOCKET: Final = load("hass_websocket")
