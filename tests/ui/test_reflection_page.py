"""A reflection round-trips through the page in a real browser: typed, tagged, shared by
picking (with the question before the group sees it), and found again in /history."""

from __future__ import annotations

from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.sandbox.runner import Sandbox
from storage.models import Reflection
from tests.ui.test_sandbox_page import bot_message, onboard_by_tapping, pick_aisha, send, tap

WORDS = "Led the warm-up on the djembe and the group kept a steady pulse together."


async def share_level(sandbox: Sandbox) -> str:
    async with sandbox.app.bot_data.db.transaction() as session:
        entry = (await session.execute(select(Reflection))).scalar_one()
        return str(entry.share_level)


async def test_a_reflection_round_trips_in_the_browser(sandbox: Sandbox, phone: Page) -> None:
    await phone.goto(sandbox.url + "/")
    await pick_aisha(phone)
    await onboard_by_tapping(phone)
    await send(phone, WORDS)
    saved = bot_message(phone, "Who sees it: 🔒 only me")
    await expect(saved.locator(".inline-button", has_text="✅")).not_to_have_count(0)
    await tap(phone, "Who sees it", "who sees this")
    await expect(bot_message(phone, "Who should see this reflection?")).to_be_visible()
    await tap(phone, "Who should see this reflection?", "with my name")
    await expect(bot_message(phone, "with your name?")).to_be_visible()
    assert await share_level(sandbox) == "private", "nothing changes before yes"
    await tap(phone, "with your name?", "yes, share with my name")
    await expect(bot_message(phone, "Who sees it: 👥 my peer group, with my name")).to_be_visible()
    assert await share_level(sandbox) == "group"
    await send(phone, "/history")
    listing = bot_message(phone, "Tap a number")
    await expect(listing).to_contain_text("👥 my peer group, with my name")
    await listing.get_by_role("button", name="1", exact=True).click()
    reopened = bot_message(phone, "steady pulse together")
    await expect(reopened.locator(".inline-button", has_text="Who sees this")).to_be_visible()
