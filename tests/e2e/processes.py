"""The processes under test: a real `hass` and the collar simulator, both on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Final
import urllib.error
import urllib.request

import yaml

ROOT: Final = Path(__file__).resolve().parents[2]
HOST: Final = "127.0.0.1"
DEV_CONFIG_DIR: Final = ROOT / "config"
# Shipped for users and loaded by scripts/develop; the e2e instance loads it too.
DASHBOARD_DIR: Final = DEV_CONFIG_DIR / "dashboards"
SIMULATOR_CLI: Final = ROOT / "scripts" / "collar_simulator.py"

# Another Home Assistant to test against, as a `hass` command (for example the
# one ../shared/tools/hass-newest prints, which runs in a chroot that shares
# only /tmp): PawControl and the dashboards are then copied, not linked.
HASS_COMMAND_ENV: Final = "PAWCONTROL_E2E_HASS"

# The first start creates the database; a busy 2-core CI machine is slow.
START_TIMEOUT: Final = 300.0
STOP_TIMEOUT: Final = 60.0


class ProcessError(AssertionError):
    """A process under test did not start or stop as it should."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def http_get(url: str, token: str | None = None) -> tuple[int, Any] | None:
    """GET a URL; return its status and JSON body (None when not JSON), or None."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  # our 127.0.0.1 URLs
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    except OSError:
        return None
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def wait_until(
    check: Callable[[], bool],
    what: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Poll ``check`` until it is true; fail when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not check():
        if process is not None and process.poll() is not None:
            raise ProcessError(
                f"{what}: the process exited with status {process.returncode}"
                + (f"; see {log}" if log else "")
            )
        if time.monotonic() > deadline:
            raise ProcessError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.25)


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Stop a process we started: SIGTERM, then SIGKILL; return its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise ProcessError(
                f"pid {process.pid} did not stop within {timeout:.0f} s; killed"
            ) from None
    return process.returncode


class CollarProcess:
    """The collar simulator (scripts/collar_simulator.py serve) on a free port."""

    def __init__(self, workdir: Path, token: str) -> None:
        """Remember where its log goes and the token it requires."""
        self.token = token
        self.port = free_port()
        self.log = workdir / "collar-simulator.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the base URL of the device API and its control endpoint."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Start the simulator and wait until its control endpoint answers."""
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603  # our own script
                [
                    sys.executable,
                    str(SIMULATOR_CLI),
                    "serve",
                    "--port",
                    str(self.port),
                    "--token",
                    self.token,
                    "--dogs",
                    "buddy",
                    "max",
                    "bella",
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: http_get(f"{self.url}/control/state") is not None,
            "the collar simulator answers",
            timeout=60,
            process=self._process,
            log=self.log,
        )

    def stop(self) -> None:
        """Stop the simulator."""
        if self._process is not None:
            stop_process(self._process, 10)
            self._process = None


def e2e_configuration(port: int) -> dict[str, Any]:
    """Return the development configuration, listening on ``port`` of 127.0.0.1.

    The e2e instance loads what scripts/develop loads (the demo weather, the
    recorder, PawControl's dashboard), so the shipped configuration is tested.
    """
    text = (DEV_CONFIG_DIR / "configuration.yaml").read_text(encoding="utf-8")
    config: dict[str, Any] = yaml.safe_load(text)
    config["http"] = {"server_host": HOST, "server_port": port}
    return config


class HassProcess:
    """A real Home Assistant (`python -m homeassistant`) with PawControl in custom_components."""

    def __init__(self, config_dir: Path) -> None:
        """Prepare the configuration directory; nothing runs yet."""
        self.config_dir = config_dir
        self.port = free_port()
        self.starts = 0
        self.exit_statuses: list[int] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._hass_command = os.environ.get(HASS_COMMAND_ENV)
        custom = config_dir / "custom_components"
        custom.mkdir(parents=True, exist_ok=True)
        if self._hass_command:
            shutil.copytree(
                ROOT / "custom_components" / "pawcontrol",
                custom / "pawcontrol",
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            shutil.copytree(DASHBOARD_DIR, config_dir / "dashboards")
        else:
            (custom / "pawcontrol").symlink_to(
                ROOT / "custom_components" / "pawcontrol"
            )
            (config_dir / "dashboards").symlink_to(DASHBOARD_DIR)
        (config_dir / "configuration.yaml").write_text(
            yaml.safe_dump(e2e_configuration(self.port), sort_keys=False),
            encoding="utf-8",
        )

    @property
    def base_url(self) -> str:
        """Return Home Assistant's URL."""
        return f"http://{HOST}:{self.port}"

    @property
    def log_files(self) -> list[Path]:
        """Return every log this instance wrote: the log file and the console of each start."""
        return sorted(self.config_dir.glob("e2e-*.log"))

    def _log(self, kind: str) -> Path:
        """Return the log file of the current start."""
        return self.config_dir / f"e2e-{kind}-{self.starts}.log"

    def start(self) -> None:
        """Start Home Assistant and wait until its HTTP server answers."""
        self.starts += 1
        with self._log("console").open("wb") as console:
            self._process = subprocess.Popen(  # noqa: S603  # this interpreter's hass
                [
                    *(
                        [self._hass_command]
                        if self._hass_command
                        else [sys.executable, "-m", "homeassistant"]
                    ),
                    "--config",
                    str(self.config_dir),
                    # requirements_dev.txt installed what the configuration needs.
                    "--skip-pip",
                    "--log-file",
                    str(self._log("home-assistant")),
                    "--log-no-color",
                ],
                cwd=self.config_dir,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=os.environ | {"PYTHONUNBUFFERED": "1"},
            )
        wait_until(
            lambda: http_get(f"{self.base_url}/auth/providers") is not None,
            "Home Assistant's HTTP server answers",
            timeout=START_TIMEOUT,
            process=self._process,
            log=self._log("console"),
        )

    def wait_running(self, token: str) -> None:
        """Wait until Home Assistant has finished starting."""

        def running() -> bool:
            answer = http_get(f"{self.base_url}/api/config", token)
            return answer is not None and answer[1].get("state") == "RUNNING"

        wait_until(
            running,
            "Home Assistant is running",
            timeout=START_TIMEOUT,
            process=self._process,
            log=self._log("console"),
        )

    def stop(self) -> None:
        """Stop Home Assistant as its container does (SIGTERM) and keep the status."""
        if self._process is not None:
            self.exit_statuses.append(stop_process(self._process, STOP_TIMEOUT))
            self._process = None

    def restart(self, token: str) -> None:
        """Stop Home Assistant and start it again on the same configuration."""
        self.stop()
        self.start()
        self.wait_running(token)
