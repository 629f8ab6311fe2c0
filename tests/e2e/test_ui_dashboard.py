"""PawControl's dashboard (the strategy custom:pawcontrol) in a real browser.

Headless Chromium from Debian's `chromium` package, driven by Playwright
(Playwright's own browser download is not used). The dashboard of
config/dashboards/pawcontrol.yaml is nothing but the strategy, so what it
shows comes from the integration: with Buddy and Max, then with Bella added
in the options, with Max's battery low, during Bella's outage, in German,
and with Buddy alone. The
screenshots go to docs/images/, which the README shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
import re
import shutil
import time
from typing import TYPE_CHECKING, Any, Final

import pytest

from .client import OWNER_PASSWORD, OWNER_USERNAME, HassApi
from .instance import Instance, require
from .pawcontrol import DOGS, THIRD_DOG, eventually, options_step, set_collar
from .processes import HOST, ROOT

if TYPE_CHECKING:
    from playwright.async_api import Browser, ConsoleMessage, Page, Route

DASHBOARD: Final = "/pawcontrol-dogs/dogs"
IMAGES: Final = ROOT / "docs" / "images"
DESKTOP: Final = {"width": 1440, "height": 1000}
PHONE: Final = {"width": 390, "height": 844}
# Requests that leave 127.0.0.1 (the map's tiles) are refused: the test must not
# depend on the internet. Newer releases fetch the tiles through Home Assistant
# (/api/map_tiles/), which answers 502 without the internet. Neither failure is
# PawControl's.
EXTERNAL: Final = re.compile(rf"^(?!https?://{re.escape(HOST)}[:/])[a-z]+://")
MAP_TILES: Final = re.compile(rf"^https?://{re.escape(HOST)}:\d+/api/map_tiles/")
TIMEOUT_MS: Final = 60_000


class Viewer:
    """A logged-in browser page and everything that went wrong in it."""

    def __init__(self, page: Page) -> None:
        """Watch the page's console and errors."""
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.requests: list[str] = []
        page.on("request", lambda r: self._note("request", r))
        page.on("requestfinished", lambda r: self._note("finished", r))
        page.on("requestfailed", lambda r: self._note("failed", r))

    def _note(self, what: str, request: Any) -> None:
        # What PawControl's dashboard loads, for the notes of a failure.
        if "pawcontrol" in request.url or "lovelace" in request.url:
            self.requests.append(f"{time.monotonic():.2f} {what} {request.url}")

    def _console(self, message: ConsoleMessage) -> None:
        # Every error counts, except the map tiles that need the internet.
        url = message.location.get("url", "")
        if message.type == "error" and not (
            message.text.startswith("Failed to load resource")
            and (EXTERNAL.match(url) or MAP_TILES.match(url))
        ):
            self.problems.append(f"console: {message.text} ({url})")

    async def login(self, url: str) -> None:
        """Open ``url``, log in on Home Assistant's login page, wait for ``url``."""
        page = self.page
        await page.goto(url)
        await page.wait_for_url(re.compile(r"/auth/authorize"), timeout=TIMEOUT_MS)
        await page.locator("input[name='username']").fill(OWNER_USERNAME)
        await page.locator("input[name='password']").fill(OWNER_PASSWORD)
        await page.locator("input[name='password']").press("Enter")
        await page.wait_for_url(re.compile(re.escape(DASHBOARD)), timeout=TIMEOUT_MS)

    async def headings(self, expected: list[str]) -> None:
        """Wait until the sections are headed exactly ``expected``; no broken card."""
        page = self.page
        await page.get_by_text(expected[-1], exact=True).first.wait_for(
            timeout=TIMEOUT_MS
        )
        await page.wait_for_load_state("networkidle")
        # The heading's text is in the card's shadow root.
        shown = await page.locator("hui-heading-card").evaluate_all(
            "cards => cards.map((card) =>"
            " (card.shadowRoot || card).textContent.replace(/\\s+/g, ' ').trim())"
        )
        assert shown == expected, shown
        # A card that cannot render shows hui-error-card; a missing entity a warning.
        broken = page.locator("hui-error-card, hui-warning")
        assert await broken.count() == 0, await broken.all_inner_texts()

    async def screenshot(self, name: str) -> None:
        """Save the whole page (finished transitions: the map fades its markers in)."""
        IMAGES.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(
            path=IMAGES / name, full_page=True, animations="disabled"
        )


@contextlib.asynccontextmanager
async def _viewer(
    browser: Browser, instance: Instance, tmp_path: Path, locale: str
) -> AsyncIterator[Viewer]:
    """Open a logged-in page; on failure save what it showed and its problems."""

    async def refuse(route: Route) -> None:
        await route.abort()

    page = await browser.new_page(viewport=DESKTOP, locale=locale, color_scheme="light")
    await page.route(EXTERNAL, refuse)
    viewer = Viewer(page)
    try:
        await viewer.login(instance.hass.base_url + DASHBOARD)
        yield viewer
    except Exception as err:
        failure = tmp_path / f"failure-{locale}.png"
        await page.screenshot(path=failure, full_page=True)
        err.add_note(f"What the browser showed: {failure}")
        registered = await page.evaluate(
            "[!!customElements.get('ll-strategy-dashboard-pawcontrol'),"
            " JSON.stringify(window.customStrategies || null),"
            " Array.from(document.scripts).map((s) => s.textContent).join(' ').slice(0, 3000)]"
        )
        err.add_note(f"registered: {registered}")
        for problem in viewer.problems + viewer.requests:
            err.add_note(problem)
        raise
    finally:
        await page.close()
    assert not viewer.problems, "\n".join(viewer.problems)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Start headless Chromium (Debian's)."""
    require(browser=True)
    from playwright.async_api import async_playwright  # noqa: PLC0415  # checked above

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def _state(owner: HassApi, entity_id: str) -> dict[str, Any] | None:
    """Return an entity's state, None while it does not exist."""
    answer = await owner.request("GET", f"/api/states/{entity_id}", expect=(200, 404))
    # A 404 answers {"message": "Entity not found."}.
    return answer if isinstance(answer, dict) and "state" in answer else None


async def _reports(owner: HassApi, dog_id: str) -> bool:
    """Return whether the dog's collar data arrived (its battery has a value)."""
    state = await _state(owner, f"sensor.{dog_id}_battery")
    return state is not None and state["state"] not in ("unknown", "unavailable")


async def test_dashboard_follows_the_dogs(
    browser: Browser, instance: Instance, owner: HassApi, tmp_path: Path
) -> None:
    """Two dogs, then three (desktop and phone), an outage, German, one dog."""
    names = list(DOGS.values())
    bella_id, bella = THIRD_DOG
    async with _viewer(browser, instance, tmp_path, "en-US") as viewer:
        await viewer.headings([*names, "Resilience"])
        # Listed for the new-dashboard dialog (shown there from 2026.5 on).
        listed = await viewer.page.evaluate(
            "(window.customStrategies || []).map((s) => s.strategyType + ':' + s.type)"
        )
        assert "dashboard:pawcontrol" in listed, listed
        statistics = viewer.page.get_by_text(re.compile(r"Open circuits: \d+ of 2\."))
        await statistics.wait_for(timeout=TIMEOUT_MS)
        assert "Healthy" in await statistics.inner_text()
        for name in names:
            cell = viewer.page.get_by_role("cell", name=f"{name} Device connection")
            await cell.wait_for(timeout=TIMEOUT_MS)

        # A third dog from the options: on the dashboard at the next visit.
        await options_step(owner, instance.entry_id, "add_dog", {"name": bella})
        await eventually(lambda: _reports(owner, bella_id), f"{bella} reports")
        await viewer.page.reload()
        await viewer.headings([*names, bella, "Resilience"])
        await viewer.screenshot("dashboard.png")
        await viewer.page.set_viewport_size(PHONE)
        await viewer.headings([*names, bella, "Resilience"])
        await viewer.screenshot("dashboard-phone.png")
        await viewer.page.set_viewport_size(DESKTOP)

        # Max's collar battery runs down from 25 %, 10 points a minute: below
        # the limit of 20 % within a minute, and Battery low is on.
        await set_collar(owner, instance.collar.url, "max", "drain", battery=25)
        await eventually(
            lambda: _is_on(owner, "binary_sensor.max_battery_low"),
            "Max's battery is low",
            within=240,
        )
        await viewer.page.reload()
        await viewer.headings([*names, bella, "Resilience"])
        # Max's Battery low reads "Low" (the others' "Normal"): a moment to draw.
        await viewer.page.wait_for_timeout(2000)
        assert await _is_on(owner, "binary_sensor.max_battery_low")
        await viewer.screenshot("dashboard-protect.png")
        await set_collar(owner, instance.collar.url, "max", "healthy")
        await eventually(
            lambda: _is_off(owner, "binary_sensor.max_battery_low"),
            "Max's battery is no longer low",
            within=120,
        )

        # Bella's collar fails: her card says from when her data is.
        await set_collar(owner, instance.collar.url, bella_id, "error500")

        async def offline() -> bool:
            state = await _state(owner, f"binary_sensor.{bella_id}_data_source")
            return state is not None and state["state"] == "off"

        await eventually(offline, f"{bella}'s data source goes off", within=120)
        notice = viewer.page.get_by_text(
            re.compile(r"Data from \w{3} \d{1,2}, \d\d:\d\d")
        )
        await notice.first.wait_for(timeout=TIMEOUT_MS)
        assert await notice.count() == 1
        await set_collar(owner, instance.collar.url, bella_id, "healthy")

    async with _viewer(browser, instance, tmp_path, "de-DE") as viewer:
        await viewer.headings([*names, bella, "Ausfallsicherheit"])
        for text in ("Spaziergänge", "Fütterung", "Halsband", "Spaziergänge heute"):
            await viewer.page.get_by_text(text, exact=True).first.wait_for(
                timeout=TIMEOUT_MS
            )

    # Max and Bella leave: only Buddy remains, and no tile misses an entity.
    await options_step(
        owner, instance.entry_id, "remove_dog", {"dogs": ["max", bella_id]}
    )
    await eventually(
        lambda: _gone(owner, "sensor.max_battery"), "Max's entities are removed"
    )
    async with _viewer(browser, instance, tmp_path, "en-US") as viewer:
        await viewer.headings([DOGS["buddy"], "Resilience"])
        await viewer.screenshot("dashboard-one-dog.png")
        await viewer.page.set_viewport_size(PHONE)
        await viewer.headings([DOGS["buddy"], "Resilience"])
        await viewer.screenshot("dashboard-one-dog-phone.png")


async def _is_on(owner: HassApi, entity_id: str) -> bool:
    """Return whether a binary sensor is on."""
    state = await _state(owner, entity_id)
    return state is not None and state["state"] == "on"


async def _is_off(owner: HassApi, entity_id: str) -> bool:
    """Return whether a binary sensor is off."""
    state = await _state(owner, entity_id)
    return state is not None and state["state"] == "off"


async def _gone(owner: HassApi, entity_id: str) -> bool:
    """Return whether an entity no longer exists."""
    return await _state(owner, entity_id) is None
