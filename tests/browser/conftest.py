"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Skipped, with the reason, when /usr/bin/chromium is missing. Screenshots go to
/tmp/kouprey-shots/ (KOUPREY_SHOTS_DIR) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("KOUPREY_SHOTS_DIR", "/tmp/kouprey-shots"))  # noqa: S108
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

# Playwright's sync API runs an event loop in this thread; the test's own database calls
# (creating records) are ordinary synchronous calls, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Module scope, not session: only one Playwright may run
    at a time, and other modules import this fixture (each import is its own fixture)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(viewport)`` gives a fresh page (own cookies) of that size."""
    contexts = []

    def make(viewport: dict[str, int] = WIDE) -> Any:
        context = browser.new_context(viewport=viewport, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page: Any, name: str, part_height: int = 1400) -> Path:
    """A full-page screenshot, and for tall pages also parts of it that are easy to view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = SHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for number, top in enumerate(range(0, height, part_height), start=1):
        if height <= part_height * 1.5:
            break
        clip = {"x": 0, "y": top, "width": width, "height": min(part_height, height - top)}
        page.screenshot(path=str(SHOTS / f"{name}-{width}-part{number}.png"), full_page=True,
                        clip=clip)
    return path


def fits_width(page: Any) -> bool:
    """Nothing sticks out sideways (the page does not scroll horizontally)."""
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))
