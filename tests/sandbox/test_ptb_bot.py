"""A real python-telegram-bot `Bot` talking to the emulator over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import time

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter

from bot.sandbox.client import SandboxClient
from tests.sandbox.conftest import AISHA, BEN, CARYS, RunningEmulator, make_bot
from tests.sandbox.media_samples import ogg_voice, png_image

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Keep", callback_data="keep:1"),
            InlineKeyboardButton("Edit", callback_data="edit:1"),
        ]
    ]
)


def as_seconds(value: object) -> float:
    """PTB 22 gives durations as int or timedelta depending on its settings."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)  # type: ignore[arg-type]


async def started(client: SandboxClient, user_id: int = AISHA) -> None:
    """A private chat exists once the person has written to the bot."""
    await client.send_text(user_id, "/start")


async def test_get_me_describes_the_sandbox_bot(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789 and me.is_bot and me.username == "reflect_sandbox_bot"
    assert me.first_name == "Reflect" and me.can_read_all_group_messages is False


async def test_send_message_with_keyboard_shows_buttons_in_the_chat(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "Saved. Anything to change?", reply_markup=KEYBOARD)
    assert sent.chat.id == AISHA and sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == KEYBOARD and sent.message_id == 2
    [_, shown] = await client.messages(AISHA)
    assert shown["text"] == "Saved. Anything to change?" and shown["from"]["is_bot"] is True
    assert shown["buttons"] == [
        [{"text": "Keep", "callback_data": "keep:1"}, {"text": "Edit", "callback_data": "edit:1"}]
    ]


async def test_html_is_shown_as_text_and_bad_html_is_refused(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "<b>Week 3</b> &amp; more", parse_mode="HTML")
    assert sent.text == "Week 3 & more"
    [_, shown] = await client.messages(AISHA)
    assert shown["text_html"] == "<b>Week 3</b> &amp; more"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(AISHA, "Scores went from 3 < 5", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(AISHA, "Well done.", parse_mode="MarkdownV2")


async def test_edit_message_text_in_place_and_not_modified(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "Transcribing…", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Here is your transcript", AISHA, sent.message_id)
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    [_, shown] = await client.messages(AISHA)
    assert shown["text"] == "Here is your transcript" and shown["edited"] is True
    assert shown["buttons"] == []  # an edit without reply_markup removes the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Here is your transcript", AISHA, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("Gone", AISHA, 999)


async def test_edit_reply_markup_and_delete(bot: telegram.Bot, client: SandboxClient) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "Tags: social", reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(AISHA, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(AISHA, sent.message_id, reply_markup=None)
    assert await bot.delete_message(AISHA, sent.message_id) is True
    assert [m["message_id"] for m in await client.messages(AISHA)] == [1]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(AISHA, sent.message_id)


async def test_long_poll_returns_when_a_message_arrives(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started_at = time.monotonic()
    await client.send_text(AISHA, "/start")
    [update] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started_at < 1.0
    assert update.message is not None and update.message.text == "/start"
    assert update.message.entities[0].type == "bot_command"
    started_at = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0.5) == ()
    assert time.monotonic() - started_at >= 0.45


async def test_updates_stay_until_confirmed_by_offset(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    for text in ("one", "two", "three"):
        await client.send_text(AISHA, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in again if u.message] == ["two", "three"]
    assert await bot.get_updates(offset=again[-1].update_id + 1) == ()


async def test_a_second_poll_ends_the_first_with_conflict(
    sandbox: RunningEmulator, bot: telegram.Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with make_bot(sandbox) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=0.2))
        with pytest.raises(telegram.error.Conflict):
            await asyncio.wait_for(first, 2)
        assert await second == ()


async def test_voice_note_get_file_and_download(bot: telegram.Bot, client: SandboxClient) -> None:
    audio = ogg_voice(2.0)
    await client.send_voice(AISHA, audio)
    [update] = await bot.get_updates()
    voice = update.message.voice if update.message else None
    assert voice is not None and as_seconds(voice.duration) == 2
    assert voice.file_size == len(audio) and voice.mime_type == "audio/ogg"
    file = await bot.get_file(voice.file_id)
    assert file.file_path is not None and "/voice/file_" in file.file_path
    assert bytes(await file.download_as_bytearray()) == audio


async def test_send_document_then_download_by_its_url(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    csv = b"tutor,outcome\nAisha,social\n"
    sent = await bot.send_document(
        AISHA, io.BytesIO(csv), filename="reflections.csv", caption="Your export"
    )
    assert sent.document is not None and sent.document.file_name == "reflections.csv"
    assert sent.caption == "Your export"
    shown = await client.wait_for(AISHA, lambda m: "document" in m)
    assert shown["document"]["file_name"] == "reflections.csv"
    assert await client.download(shown["document"]["url"]) == csv
    again = await bot.send_document(AISHA, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_send_photo_reports_its_size(bot: telegram.Bot, client: SandboxClient) -> None:
    await started(client)
    sent = await bot.send_photo(AISHA, io.BytesIO(png_image(32, 20)), caption="Outcomes")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (32, 20)
    [_, shown] = await client.messages(AISHA)
    assert shown["photo"]["width"] == 32 and shown["caption"] == "Outcomes"
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(AISHA, io.BytesIO(b"<svg></svg>"))


async def test_injected_flood_wait_raises_retry_after(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    await client.fault("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(AISHA, "Hello")
    assert as_seconds(raised.value.retry_after) == 7
    assert (await bot.send_message(AISHA, "Hello")).text == "Hello"  # only the next call fails


async def test_injected_bad_request_fails_the_next_calls_only(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await client.fault("getMe", 400, "Bad Request: something odd happened", count=2)
    for _ in range(2):
        with pytest.raises(BadRequest, match="Something odd happened"):
            await bot.get_me()
    assert (await bot.get_me()).is_bot


async def test_telegram_limits(bot: telegram.Bot, client: SandboxClient) -> None:
    await started(client)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(AISHA, "x" * 4097)
    assert len((await bot.send_message(AISHA, "x" * 4096)).text or "") == 4096
    with pytest.raises(BadRequest, match=r"(?i)text must be non-empty"):
        await bot.send_message(AISHA, "   ")
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("Tag", callback_data="t" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(AISHA, "Pick one", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-42, "Nobody here")


async def test_people_who_have_not_started_or_have_blocked_are_forbidden(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(BEN, "Hello Ben")
    await started(client, BEN)
    await client.block(BEN)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(BEN, "Hello Ben")
    updates = await bot.get_updates()
    blocked = updates[-1].my_chat_member
    assert blocked is not None and blocked.new_chat_member.status == "kicked"


async def test_unknown_method_and_wrong_token(sandbox: RunningEmulator, bot: telegram.Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    with pytest.raises(InvalidToken, match="Unauthorized"):
        await make_bot(sandbox, "123456789:wrong-token").get_me()


async def test_button_tap_and_answer_callback_query(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await started(client)
    sent = await bot.send_message(AISHA, "Share with?", reply_markup=KEYBOARD)
    tapped = await client.tap(AISHA, AISHA, sent.message_id, "keep:1")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.data == "keep:1" and query.from_user.id == AISHA
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.id == tapped["callback_query_id"]
    assert (await client.callback_answer(query.id))["answered"] is False
    await query.answer("Kept private")
    answer = await client.callback_answer(query.id, wait=1)
    assert answer["answered"] is True and answer["text"] == "Kept private"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("Twice")


async def test_chat_action_is_recorded(bot: telegram.Bot, client: SandboxClient) -> None:
    await started(client)
    await bot.send_chat_action(AISHA, "typing")
    [action] = await client.actions(AISHA)
    assert action["action"] == "typing" and action["date"] == pytest.approx(time.time(), abs=5)
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(AISHA, "juggling")


async def test_the_bot_sending_or_editing_ends_its_chat_action(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    """As in Telegram's apps: 'typing…' goes when the answer comes, even as an edit."""
    await started(client)
    await bot.send_chat_action(AISHA, "typing")
    shown = await client.shown_action(AISHA)
    assert shown == {"action": "typing", "date": pytest.approx(time.time(), abs=5)}
    status = await bot.send_message(AISHA, "Transcribing…")
    assert await client.shown_action(AISHA) is None
    await bot.send_chat_action(AISHA, "typing")
    assert await client.shown_action(AISHA) is not None
    await bot.edit_message_text("The transcript", chat_id=AISHA, message_id=status.message_id)
    assert await client.shown_action(AISHA) is None


async def test_groups_chat_info_and_members(bot: telegram.Bot, client: SandboxClient) -> None:
    await client.create_group(-100200300, "Strings peer group", [CARYS, AISHA])
    [update] = await bot.get_updates()
    change = update.my_chat_member
    assert change is not None and change.chat.type == "group" and change.from_user.id == CARYS
    assert change.new_chat_member.status == "member" and change.new_chat_member.user.is_bot
    chat = await bot.get_chat(-100200300)
    assert chat.title == "Strings peer group" and chat.type == "group"
    assert (await bot.get_chat_member(-100200300, CARYS)).status == "creator"
    assert (await bot.get_chat_member(-100200300, AISHA)).status == "member"
    assert (await bot.get_chat_member(-100200300, BEN)).status == "left"
    sent = await bot.send_message(-100200300, "Weekly digest")
    assert sent.chat.title == "Strings peer group"


async def test_commands_menu_round_trip(bot: telegram.Bot) -> None:
    commands = [telegram.BotCommand("start", "Begin"), telegram.BotCommand("history", "Recent")]
    assert await bot.set_my_commands(commands)
    assert list(await bot.get_my_commands()) == commands
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([telegram.BotCommand("Bad Name", "x")])


async def test_too_big_files_cannot_be_fetched(bot: telegram.Bot, client: SandboxClient) -> None:
    await client.send_voice(AISHA, b"\0" * (20 * 1024 * 1024 + 1), "big.bin", kind="document")
    [update] = await bot.get_updates()
    document = update.message.document if update.message else None
    assert document is not None and document.file_size == 20 * 1024 * 1024 + 1
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(document.file_id)


async def test_leaving_a_group_stops_delivery_both_ways(
    bot: telegram.Bot, client: SandboxClient
) -> None:
    await client.create_group(-600, "Unlinked group", [BEN])
    await bot.get_updates()
    assert await bot.leave_chat(-600) is True
    [_, left] = await bot.get_updates()
    assert left.my_chat_member is not None and left.my_chat_member.new_chat_member.status == "left"
    assert (await client.send_text(BEN, "/start", chat_id=-600))["update_id"] is None
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(-600, "Still here?")
    [chat] = [c for c in await client.chats() if c["id"] == -600]
    assert chat["bot_present"] is False


async def test_delete_messages_skips_unknown_ids(bot: telegram.Bot, client: SandboxClient) -> None:
    await started(client)
    first = await bot.send_message(AISHA, "one")
    second = await bot.send_message(AISHA, "two")
    assert await bot.delete_messages(AISHA, [first.message_id, second.message_id, 999])
    assert [m["text"] for m in await client.messages(AISHA)] == ["/start"]
