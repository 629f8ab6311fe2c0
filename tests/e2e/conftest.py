"""One real Home Assistant process and one collar simulator for the whole e2e package.

Home Assistant starts once (the first start creates its database), is onboarded
and gets PawControl through its flows; the tests then run in file order against
it, and the last fixture teardown stops it and reads its logs.

These tests need what `scripts/test` installs: requirements_e2e.txt (Home
Assistant's frontend and the other packages of requirements_dev.txt, and
Playwright) and Debian's `chromium`. `scripts/test` sets PAWCONTROL_E2E=required,
so there a missing piece fails the tests; elsewhere (the test stack alone, as
`../shared/tools/ha-versions` installs it) they are skipped with the reason,
repeated in the summary at the end of the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Final

from aiohttp import ClientSession
import pytest
import pytest_socket

from .client import HassApi, HassError, HassWebSocket, run_sync
from .instance import Instance, require
from .logs import pawcontrol_problems
from .pawcontrol import COLLAR_TOKEN, add_entry, configure
from .processes import CollarProcess, HassProcess

HERE: Final = Path(__file__).parent
# Generous: the first test also starts Home Assistant, the last one stops it.
E2E_TIMEOUT: Final = 600


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Give the e2e tests time to start and stop Home Assistant."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.timeout(E2E_TIMEOUT))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly that e2e tests did not run, and why."""
    reasons = {
        str(report.longrepr[-1])
        for report in terminalreporter.stats.get("skipped", [])
        if "tests/e2e/" in report.nodeid and isinstance(report.longrepr, tuple)
    }
    if reasons:
        terminalreporter.section("PawControl e2e tests NOT run")
        for reason in sorted(reasons):
            terminalreporter.line(reason)


@pytest.fixture
def auto_enable_custom_integrations() -> None:
    """Load nothing in-process: PawControl runs in the Home Assistant process."""


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Let the tests talk to 127.0.0.1 (the test harness blocks sockets)."""


@pytest.fixture(scope="package")
def collar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollarProcess]:
    """Run the collar simulator for the package."""
    require(browser=False)
    pytest_socket.enable_socket()
    simulator = CollarProcess(tmp_path_factory.mktemp("collar"), COLLAR_TOKEN)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="package")
def instance(
    collar: CollarProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Instance]:
    """Start Home Assistant, onboard the owner, add PawControl with two dogs."""
    pytest_socket.enable_socket()
    hass = HassProcess(tmp_path_factory.mktemp("hass-config"))
    try:
        hass.start()
        token, entry_id = run_sync(lambda: _onboard_and_add(hass, collar))
        yield Instance(hass=hass, collar=collar, owner_token=token, entry_id=entry_id)
    finally:
        hass.stop()
    # Step 7: the whole run, both starts and the shutdowns included.
    problems = pawcontrol_problems(hass.log_files)
    assert not problems, "PawControl problems in the log:\n" + "\n".join(problems)
    assert hass.exit_statuses == [0] * hass.starts, hass.exit_statuses


async def _http_config_kept(owner: HassApi) -> None:
    """On releases with the `http:` trial, the YAML settings are now the stored ones."""
    async with HassWebSocket(owner) as ws:
        try:
            config = await ws.command("http/config")
        except HassError:
            return  # an older release: YAML is the configuration
    # Promoted: nothing awaits confirmation and no return to the defaults is due.
    assert config["pending"] is None, config
    assert config["revert_at"] is None, config


async def _onboard_and_add(hass: HassProcess, collar: CollarProcess) -> tuple[str, str]:
    """Onboard, wait for the start to finish, add PawControl; return token and entry."""
    async with ClientSession() as session:
        api = HassApi(session, hass.base_url)
        token = await api.onboard()
        owner = api.with_token(token)
        await asyncio.to_thread(hass.wait_running, token)
        await owner.keep_http_config()
        await _http_config_kept(owner)
        await owner.remove_internet_onboarding_entries()
        config = await owner.get("/api/config")
        # The simulated dogs walk round Home Assistant's home, as in scripts/develop.
        async with session.post(
            f"{collar.url}/control/home",
            json={"latitude": config["latitude"], "longitude": config["longitude"]},
        ) as response:
            response.raise_for_status()
        entry_id = await add_entry(owner, collar.url)
        await configure(owner, entry_id)
        return token, entry_id


@pytest.fixture
async def owner(instance: Instance) -> AsyncIterator[HassApi]:
    """Return a REST client with the owner's token."""
    async with ClientSession() as session:
        yield HassApi(session, instance.hass.base_url, instance.owner_token)
