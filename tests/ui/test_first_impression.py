"""The web chat's rough edges a first visitor would hit: scrolling, the message box, toasts,
voice notes, 'typing…', the favicon and a demo group that stays quiet."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from tests.sandbox.media_samples import ogg_voice
from tests.ui.test_sandbox_page import send

AISHA, BEN = 1001, 1002
GROUP = -4242
CHATTER = 25  # enough lines to fill a phone's screen several times over


async def open_chatty_group(sandbox: Sandbox, client: SandboxClient, page: Page) -> None:
    """Aisha in a group where Ben has said a lot, scrolled to the end as the page opens."""
    await client.create_group(GROUP, "Chatter", [AISHA, BEN])
    await client.wait_for_reply(GROUP)  # the bot's hello to a chat nobody has linked yet
    for line in range(CHATTER):
        await client.send_text(BEN, f"Ben's line {line}", chat_id=GROUP)
    await page.goto(f"{sandbox.url}/?as={AISHA}&chat={GROUP}")
    await expect(page.locator(".row", has_text=f"Ben's line {CHATTER - 1}")).to_be_in_viewport()


async def gap_below(messages: Locator) -> float:
    """How far the message list is scrolled from its end, in pixels."""
    return float(
        await messages.evaluate("box => box.scrollHeight - box.scrollTop - box.clientHeight")
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


async def test_sending_while_scrolled_up_jumps_to_the_newest_message(
    sandbox: Sandbox, client: SandboxClient, phone: Page
) -> None:
    await open_chatty_group(sandbox, client, phone)
    messages = phone.locator("#messages")
    await messages.evaluate("box => { box.scrollTop = 0; }")
    await expect(phone.locator(".row", has_text="Ben's line 0")).to_be_in_viewport()
    assert await gap_below(messages) > 500, "the chat should be long enough to scroll"

    await send(phone, "Sorry, catching up")
    await expect(phone.locator(".row.mine", has_text="Sorry, catching up")).to_be_in_viewport()
    assert await gap_below(messages) < 2


async def test_the_message_box_shows_no_scrollbar_until_it_is_tall(
    sandbox: Sandbox, phone: Page
) -> None:
    await phone.goto(sandbox.url + "/")
    box = phone.get_by_role("textbox", name="Message")
    measure = "box => [box.scrollHeight, box.clientHeight, getComputedStyle(box).overflowY]"
    heights = []
    for text in ("", "Hello", "One\nTwo\nThree"):
        await box.fill(text)
        content, inside, overflow = await box.evaluate(measure)
        assert content <= inside, f"{text!r}: {content}px of text in a {inside}px box scrolls"
        assert overflow == "hidden", (text, overflow)
        heights.append(inside)
    assert heights[2] > heights[1], "the box grows with the lines typed"

    await box.fill("\n".join(f"line {n}" for n in range(20)))
    content, inside, overflow = await box.evaluate(measure)
    assert overflow == "auto" and content > inside, "a long message scrolls inside the box"
    assert await box.evaluate("box => box.offsetHeight") == 140


async def test_a_toast_never_covers_the_newest_message(
    sandbox: Sandbox, client: SandboxClient, phone: Page
) -> None:
    await open_chatty_group(sandbox, client, phone)
    await phone.get_by_role("button", name="+1 day").click()
    toast = phone.get_by_role("status")
    await expect(toast).to_contain_text("A day later")
    newest = phone.locator(".row").last
    await expect(newest).to_contain_text(f"Ben's line {CHATTER - 1}")
    await expect(newest).to_be_in_viewport(ratio=1)
    toast_box, newest_box = await toast.bounding_box(), await newest.bounding_box()
    assert toast_box is not None and newest_box is not None
    assert not overlap(toast_box, newest_box), (toast_box, newest_box)


async def test_a_voice_note_shows_its_length_and_counts_up_while_playing(
    sandbox: Sandbox, client: SandboxClient, phone: Page
) -> None:
    await client.send_voice(AISHA, ogg_voice(2.0))  # measured by the sandbox
    await client.send_voice(AISHA, ogg_voice(1.0), duration=42)  # as the sender's app reports
    await phone.goto(f"{sandbox.url}/?as={AISHA}")
    voices = phone.locator(".row.mine .voice")
    measured, reported = voices.first, voices.nth(1)
    await expect(measured.locator(".voice-time")).to_have_text("0:02")
    await expect(reported.locator(".voice-time")).to_have_text("0:42")

    await measured.get_by_role("button", name="Play the voice note").click()
    await expect(measured.locator(".voice-time")).to_have_text("0:01 / 0:02", timeout=5_000)
    await expect(measured.locator(".voice-time")).to_have_text("0:02", timeout=5_000)  # ended


async def test_typing_ends_when_the_bot_answers(
    sandbox: Sandbox, client: SandboxClient, phone: Page
) -> None:
    sent = await client.send_text(AISHA, "/start")
    asked = await client.wait_for_reply(AISHA, after=sent["message_id"])
    await phone.goto(f"{sandbox.url}/?as={AISHA}")
    status = phone.locator("#chat-status")
    bot = sandbox.app.bot
    await expect(status).not_to_contain_text("typing")

    # An action lasts five seconds unless an answer comes first; allow half that.
    await bot.send_chat_action(AISHA, "typing")
    await expect(status).to_contain_text("typing")
    await bot.send_message(AISHA, "Here you are")
    await expect(status).not_to_contain_text("typing", timeout=2_500)

    await bot.send_chat_action(AISHA, "typing")
    await expect(status).to_contain_text("typing")
    await bot.edit_message_text("The transcript", chat_id=AISHA, message_id=asked["message_id"])
    await expect(status).not_to_contain_text("typing", timeout=2_500)


async def test_the_page_has_a_favicon_and_no_missing_files(sandbox: Sandbox, phone: Page) -> None:
    missing: list[str] = []
    phone.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    await phone.goto(sandbox.url + "/")
    await expect(phone.locator("#clock-date")).not_to_have_text("…")
    await expect(phone.locator('link[rel="icon"]')).to_have_count(1)
    icon = await phone.locator('link[rel="icon"]').get_attribute("href")
    assert icon, "the page names its icon"
    for path in (icon, "/favicon.ico"):
        response = await phone.request.get(sandbox.url + path)
        assert response.status == 200 and "image/" in response.headers["content-type"], path
        assert b"<svg" in await response.body()
    assert missing == []


async def test_a_demo_group_says_how_to_get_the_bot_talking(sandbox: Sandbox, phone: Page) -> None:
    await phone.goto(sandbox.url + "/")
    await phone.get_by_role("button", name="People and chats").click()
    await phone.get_by_role("button", name="Create a demo group").click()
    await expect(phone.locator("#chat-title")).to_have_text("Demo peer group")
    hint = phone.get_by_role("note")
    await expect(hint).to_contain_text("until a lead or coordinator links")
    await expect(hint).to_contain_text(re.compile(r"As Dev .*/newgroup NAME.*/link CODE here"))
    await expect(hint).to_be_in_viewport()
