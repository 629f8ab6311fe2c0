"""PawControl's dashboard (config/dashboards/pawcontrol.yaml) in a real browser.

Headless Chromium from Debian's `chromium` package, driven by Playwright
(Playwright's own browser download is not used). The screenshot goes to
docs/images/dashboard.png, which the README shows.
"""

from __future__ import annotations

from pathlib import Path
import re
import shutil
from typing import TYPE_CHECKING, Final

from .client import OWNER_PASSWORD, OWNER_USERNAME
from .instance import Instance, require
from .pawcontrol import DOGS
from .processes import HOST, ROOT

if TYPE_CHECKING:
    from playwright.async_api import ConsoleMessage, Page, Route

DASHBOARD: Final = "/pawcontrol-dogs/dogs"
SCREENSHOT: Final = ROOT / "docs" / "images" / "dashboard.png"
VIEWPORT: Final = {"width": 1440, "height": 1200}
# Requests that leave 127.0.0.1 (the map's tiles) are refused: the test must not
# depend on the internet. Newer releases fetch the tiles through Home Assistant
# (/api/map_tiles/), which answers 502 without the internet. Neither failure is
# PawControl's.
EXTERNAL: Final = re.compile(rf"^(?!https?://{re.escape(HOST)}[:/])[a-z]+://")
MAP_TILES: Final = re.compile(rf"^https?://{re.escape(HOST)}:\d+/api/map_tiles/")
TIMEOUT_MS: Final = 60_000


async def _login(page: Page, url: str) -> None:
    """Open ``url``, log in on Home Assistant's login page, wait for ``url`` again."""
    await page.goto(url)
    await page.wait_for_url(re.compile(r"/auth/authorize"), timeout=TIMEOUT_MS)
    await page.locator("input[name='username']").fill(OWNER_USERNAME)
    await page.locator("input[name='password']").fill(OWNER_PASSWORD)
    await page.locator("input[name='password']").press("Enter")
    await page.wait_for_url(re.compile(re.escape(DASHBOARD)), timeout=TIMEOUT_MS)


async def _check_dashboard(page: Page, instance: Instance) -> None:
    """Log in, open the dashboard, check what it shows and take the screenshot."""
    await _login(page, instance.hass.base_url + DASHBOARD)

    for name in DOGS.values():
        await page.get_by_text(name, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    statistics = page.get_by_text(re.compile(r"\d+ of 2 circuits open"))
    await statistics.wait_for(timeout=TIMEOUT_MS)
    assert "Healthy" in await statistics.inner_text()
    # The markdown table names each circuit after its entity.
    for name in DOGS.values():
        cell = page.get_by_role("cell", name=f"{name} Device connection")
        await cell.wait_for(timeout=TIMEOUT_MS)
    await page.wait_for_load_state("networkidle")
    # A card that cannot render shows hui-error-card; a missing entity a warning.
    broken = page.locator("hui-error-card, hui-warning")
    assert await broken.count() == 0, await broken.all_inner_texts()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    # Finished transitions: the map fades its markers in.
    await page.screenshot(path=SCREENSHOT, full_page=True, animations="disabled")


async def test_dashboard_in_a_browser(instance: Instance, tmp_path: Path) -> None:
    """Dogs and statistics render without card or console errors; save a screenshot."""
    require(browser=True)
    from playwright.async_api import async_playwright  # noqa: PLC0415  # checked above

    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Every error counts, except the map tiles that need the internet.
        url = message.location.get("url", "")
        if message.type == "error" and not (
            message.text.startswith("Failed to load resource")
            and (EXTERNAL.match(url) or MAP_TILES.match(url))
        ):
            problems.append(f"console: {message.text} ({url})")

    async def refuse(route: Route) -> None:
        await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page(
                viewport=VIEWPORT, locale="en-US", color_scheme="light"
            )
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            await page.route(EXTERNAL, refuse)
            try:
                await _check_dashboard(page, instance)
            except Exception as err:
                failure = tmp_path / "failure.png"
                await page.screenshot(path=failure, full_page=True)
                err.add_note(f"What the browser showed: {failure}")
                for problem in problems:
                    err.add_note(problem)
                raise
        finally:
            await browser.close()
    assert not problems, "\n".join(problems)
