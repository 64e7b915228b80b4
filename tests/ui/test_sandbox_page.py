"""The web chat in a real browser at phone size: onboarding, /schedule and the clock jumps."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, expect

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime(2027, 3, 22, 9, 0, tzinfo=LONDON)
SCHEDULE = "/schedule Tue 15:30 Oakfield Primary"


def bot_message(page: Page, text: str) -> Locator:
    """The latest bot message showing `text`; the page redraws, so this is looked up each time."""
    return page.locator(".row.bot", has_text=text).last


async def tap(page: Page, message_text: str, label: str) -> None:
    message = bot_message(page, message_text)
    await message.locator(".inline-button", has_text=re.compile(label, re.I)).click()


async def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    await box.fill("")
    await box.type(text)
    await box.press("Enter")


def london_date(instant: datetime) -> str:
    """As the page shows it, e.g. "Wed 24 Mar"."""
    local = instant.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b}"


async def sandbox_now(client: SandboxClient) -> datetime:
    return datetime.fromisoformat(await client.clock())


async def pick_aisha(page: Page) -> None:
    await page.get_by_role("button", name="People and chats").click()
    await page.get_by_role("radio", name=re.compile("Aisha")).click()
    await expect(page.locator("#me-badge")).to_have_text("You: Aisha")


async def onboard_by_tapping(page: Page) -> None:
    await send(page, "/start")
    await tap(page, "Is that OK with you?", "yes")
    await tap(page, "I'll call you Aisha", "that's right")
    await expect(bot_message(page, "All set, Aisha")).to_be_visible()


async def test_a_week_of_the_bot_from_the_clock_buttons(
    sandbox: Sandbox, client: SandboxClient, phone: Page
) -> None:
    await client.move_clock(now=MONDAY_MORNING.isoformat())
    await phone.goto(sandbox.url + "/")
    await expect(phone.locator("#clock-date")).to_have_text("Mon 22 Mar")
    await pick_aisha(phone)
    await onboard_by_tapping(phone)

    # No sessions yet: the page says so kindly and offers the line to send.
    await phone.get_by_role("button", name="Next session end").click()
    alert = phone.get_by_role("alertdialog")
    await expect(alert).to_contain_text("Aisha has no sessions")
    await expect(alert).to_contain_text(SCHEDULE)
    await expect(phone.get_by_role("textbox", name="Message")).to_have_value(SCHEDULE)
    await alert.get_by_role("button", name="OK").click()
    await expect(alert).to_be_hidden()

    await send(phone, SCHEDULE)
    await expect(bot_message(phone, "Added: Tue")).to_be_visible()
    await phone.get_by_role("button", name="Next session end").click()
    check_in = bot_message(phone, "has finished")
    await expect(check_in).to_contain_text("Oakfield Primary", timeout=15_000)
    await expect(check_in).to_contain_text("How was today's session")
    await expect(phone.locator("#clock-date")).to_have_text("Tue 23 Mar")
    await expect(phone.locator("#clock-time")).to_have_text("15:50")

    before = await sandbox_now(client)
    await phone.get_by_role("button", name="+1 day").press("Enter")  # from the keyboard
    await expect(phone.locator("#clock-date")).to_have_text(london_date(before + timedelta(days=1)))
    moved = await sandbox_now(client) - before
    assert timedelta(days=1) <= moved < timedelta(days=1, minutes=1), moved

    await phone.get_by_role("button", name="Friday 16:00").click()
    await expect(phone.locator("#clock-date")).to_have_text("Fri 26 Mar")
    await expect(phone.locator("#clock-time")).to_have_text("16:00")
    friday = (await sandbox_now(client)).astimezone(LONDON)
    assert (friday.weekday(), friday.hour, friday.minute) == (4, 16, 0), friday


async def test_the_clock_control_fits_a_phone(sandbox: Sandbox, phone: Page) -> None:
    await phone.goto(sandbox.url + "/")
    await expect(phone.locator("#clock-date")).not_to_have_text("…")
    overflow = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    for name in ("Next session end", "Friday 16:00", "+1 day"):
        box = await phone.get_by_role("button", name=name).bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        assert box["height"] >= 24, (name, box)  # big enough to tap
