"""Phone-size screenshots of the sandbox for the README; run by hand.

    .venv/bin/python docs/make_screenshots.py

Starts the demo sandbox (`reflectbot sandbox --demo`) in a temporary folder, drives the web
chat in Debian's Chromium (headless) and writes PNGs to docs/screenshots/: the tour at phone
size (390×844), and a tutor's entry (after a reflection, the share picker, /history and a
reopened entry) at both phone and desktop (1280×800) size.
Emoji need a colour emoji font (`apt-get install fonts-noto-color-emoji`), or they show as boxes.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from playwright.async_api import Page, ViewportSize, async_playwright, expect

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import DEMO_CHAT_ID, DEMO_CHAT_TITLE, running_sandbox
from bot.settings import load_settings

logger = logging.getLogger(__name__)

OUT = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
REFLECTION = (
    "Year 4 ukulele at Oakfield: Sam, who usually sits out, strummed the whole song and "
    "smiled at the others. Two boys were unsettled after lunch; next week I'll start "
    "with a call-and-response warm-up."
)
SCHEDULE = "/schedule Tue 15:30 Oakfield Primary"


async def shoot(page: Page, name: str) -> None:
    await page.wait_for_timeout(400)  # let the last redraw and scroll settle
    path = OUT / name
    await page.screenshot(path=str(path))
    print(f"wrote {path}", flush=True)


async def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")


async def as_aisha(page: Page) -> None:
    await send(page, REFLECTION)
    await expect(page.locator(".row.bot .inline-button").last).to_be_visible()
    await shoot(page, "1-reflection-tags.png")
    await send(page, SCHEDULE)
    await expect(page.locator(".row.bot", has_text="Your teaching week").last).to_be_visible()
    await shoot(page, "2-schedule-week.png")
    await page.get_by_role("button", name="Next session end").click()
    check_in = page.locator(".row.bot", has_text="has finished").last
    await expect(check_in).to_be_visible(timeout=20_000)
    await page.mouse.move(0, PHONE["height"] // 2)  # no hover left on the button
    await expect(page.locator("#toast")).to_be_hidden()  # a clean shot, without the jump's note
    await shoot(page, "3-check-in.png")


async def entry_views(page: Page, size: str) -> None:
    """A reflection, its share picker, /history and the entry reopened from it."""
    await send(page, REFLECTION)
    saved = page.locator(".row.bot", has_text="Who sees it").last
    await expect(saved.locator(".inline-button").first).to_be_visible()
    await shoot(page, f"{size}-1-reflection.png")
    await saved.locator(".inline-button", has_text="Who sees this").click()
    picker = page.locator(".row.bot", has_text="Who should see this reflection?").last
    await expect(picker).to_be_visible()
    await shoot(page, f"{size}-2-share-picker.png")
    await picker.locator(".inline-button", has_text="me and my lead").click()
    await expect(
        page.locator(".row.bot", has_text="Who sees it: 👤 me and my lead").last
    ).to_be_visible()
    await send(page, "/history")
    listing = page.locator(".row.bot", has_text="Tap a number").last
    await expect(listing).to_be_visible()
    await shoot(page, f"{size}-3-history.png")
    await listing.get_by_role("button", name="1", exact=True).click()  # the newest
    reopened = (
        page.locator(".row.bot", has_text="Year 4 ukulele")
        .filter(has_text="Who sees it: 👤 me and my lead")
        .last
    )
    await expect(reopened.locator(".inline-button").first).to_be_visible()
    await page.locator("#messages").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    await shoot(page, f"{size}-4-reopened.png")


async def group_digest(page: Page) -> None:
    await page.get_by_role("button", name="People and chats").click()
    await page.locator(".chat-item", has_text=DEMO_CHAT_TITLE).click()
    chart = page.locator(".row.bot", has=page.locator("img.photo")).last
    await expect(chart.locator("img.photo")).to_be_visible()
    await page.locator(".row.bot", has_text="For your next meeting").last.wait_for()
    await page.wait_for_timeout(400)  # the page keeps to the end while the chart loads
    await chart.evaluate("row => row.scrollIntoView({block: 'start'})")
    await shoot(page, "4-group-digest-chart.png")
    await page.locator("#messages").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    await shoot(page, "5-group-digest-text.png")


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(_env_file=None, data_dir=Path(folder), run_worker=False)
        async with (
            running_sandbox(settings, demo=True) as sandbox,
            SandboxClient(sandbox.url) as client,
            async_playwright() as playwright,
        ):
            await client.wait_for_text(DEMO_CHAT_ID, "For your next meeting", timeout=30)
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = await browser.new_context(
                viewport=PHONE, device_scale_factor=2, locale="en-GB", has_touch=True
            )
            page = await context.new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{sandbox.url}/?as=1001&chat=1001")
            await expect(page.locator("#me-badge")).to_have_text("You: Aisha")
            await as_aisha(page)
            await group_digest(page)
            for size, viewport, person in (("phone", PHONE, 1002), ("desktop", DESKTOP, 1003)):
                context = await browser.new_context(
                    viewport=viewport, device_scale_factor=2, locale="en-GB"
                )
                page = await context.new_page()
                page.set_default_timeout(15_000)
                await page.goto(f"{sandbox.url}/?as={person}&chat={person}")
                await entry_views(page, size)
            await browser.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
