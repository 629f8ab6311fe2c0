"""The e2e Home Assistant as the tests see it, and what it needs installed."""

from __future__ import annotations

from dataclasses import dataclass
import importlib.util
import os
import shutil
from typing import Final

import pytest

from .processes import CollarProcess, HassProcess

REQUIRED_ENV: Final = "PAWCONTROL_E2E"


@dataclass(frozen=True, kw_only=True, slots=True)
class Instance:
    """The running e2e Home Assistant, its owner and the PawControl entry."""

    hass: HassProcess
    collar: CollarProcess
    owner_token: str
    entry_id: str


def missing_requirements(*, browser: bool) -> list[str]:
    """Return what is not installed for the e2e (and browser) tests."""
    missing = []
    if importlib.util.find_spec("hass_frontend") is None:
        missing.append("home-assistant-frontend (requirements_dev.txt)")
    if browser:
        if importlib.util.find_spec("playwright") is None:
            missing.append("playwright (requirements_e2e.txt)")
        if shutil.which("chromium") is None:
            missing.append("Debian's chromium (apt-get install chromium)")
    return missing


def require(*, browser: bool) -> None:
    """Fail (under scripts/test) or skip with the reason when something is missing."""
    if not (missing := missing_requirements(browser=browser)):
        return
    reason = (
        f"tests/e2e needs {', '.join(missing)}: "
        "scripts/test installs it (as root also chromium)"
    )
    if os.environ.get(REQUIRED_ENV) == "required":
        pytest.fail(f"{reason}; {REQUIRED_ENV}=required", pytrace=False)
    pytest.skip(reason)
