"""The sandbox with the real bot, and Debian's Chromium (headless) at phone size pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

# The same running sandbox (SQLite) and control client as the integration tests.
from tests.integration.conftest import client, sandbox, sandbox_settings

__all__ = ["client", "sandbox", "sandbox_settings"]

CHROMIUM = Path("/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no system Chromium at {CHROMIUM} (tests/run.sh installs the chromium package)"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        await launched.close()


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    """A fresh phone-sized page (no saved persona), with a short default wait."""
    context = await browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    yield page
    await context.close()
