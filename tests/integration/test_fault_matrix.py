"""Telegram failing each way on every call the bot makes: nothing lost, every answer once.

A "timeout" is Telegram taking the call but answering after the bot stopped waiting; the
message still lands, as it does on the real Telegram, so the bot must not send it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.settings import Settings
from bot.transcription import Transcriber
from storage.models import ReflectionTag, TranscriptionJob
from tests.conftest import make_settings
from tests.integration.conftest import (
    Chat,
    bot_says,
    is_bot,
    onboard,
    stored_reflections,
    text_of,
)
from tests.speech import synthesise

SAVED = "Saved — thank you"
BOT_TIMEOUT = 1.0
FAULTS: dict[str, dict[str, Any]] = {
    "flood": {"error_code": 429, "retry_after": 1},
    "bad gateway": {"error_code": 502},
    "timeout": {"delay": BOT_TIMEOUT + 0.8},
}
SLOW = {"delay": 2.0 * BOT_TIMEOUT / 3}
QUIET = 1.5  # long enough for a repeat, if there were one, to arrive


def fault_settings(data_dir: Path, **overrides: object) -> Settings:
    return make_settings(
        data_dir,
        update_retry_seconds=0.3,
        delivery_retry_seconds=0.3,
        telegram_timeout_seconds=BOT_TIMEOUT,
        **overrides,
    )


@pytest.fixture
def sandbox_settings(tmp_path: Path) -> Settings:
    return fault_settings(tmp_path / "data", run_worker=False)


async def bot_texts(client: SandboxClient, chat: Chat, after: int) -> list[str]:
    await asyncio.sleep(QUIET)
    return [text_of(m) for m in await client.messages(chat.chat_id, after=after) if is_bot(m)]


async def saved_entry(
    chat: Chat, text: str = "Samba band kept time together", timeout: float = 40
) -> dict[str, Any]:
    mark = await chat.say(text)
    return await chat.wait_for(bot_says(SAVED), after=mark, timeout=timeout)


@pytest.mark.parametrize("fault", [*FAULTS, "slow"])
async def test_a_reflection_survives_a_fault_on_its_reply_and_is_answered_once(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, fault: str
) -> None:
    await onboard(aisha)
    await client.fault("sendMessage", **FAULTS.get(fault, SLOW))
    mark = await aisha.last_message_id()
    await saved_entry(aisha)
    replies = await bot_texts(client, aisha, mark)
    assert sum(SAVED in text for text in replies) == 1, replies
    assert len(await stored_reflections(sandbox)) == 1


POLL_TIMEOUT = {"delay": BOT_TIMEOUT + 10 + 0.8}  # the long poll's 10 s on top of the timeout


@pytest.mark.parametrize("fault", [*FAULTS, "slow"])
async def test_a_reflection_survives_a_fault_on_receiving_updates(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, fault: str
) -> None:
    await onboard(aisha)
    planned = POLL_TIMEOUT if fault == "timeout" else FAULTS.get(fault, SLOW)
    await client.fault("getUpdates", **planned)
    mark = await aisha.last_message_id()
    await saved_entry(aisha)
    replies = await bot_texts(client, aisha, mark)
    assert sum(SAVED in text for text in replies) == 1, replies
    assert len(await stored_reflections(sandbox)) == 1


async def tag_states(sandbox: Sandbox) -> dict[str, bool]:
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = (await session.execute(select(ReflectionTag))).scalars().all()
        return {row.code: row.applied for row in rows}


def first_tag_button(message: dict[str, Any]) -> dict[str, str]:
    for row in message.get("buttons") or []:
        for button in row:
            if str(button["callback_data"]).startswith("rv:t:"):
                return dict(button)
    raise AssertionError(f"no tag button in {message.get('buttons')}")


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageReplyMarkup"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_a_tag_tap_takes_effect_once_and_the_buttons_show_it(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, method: str, fault: str
) -> None:
    await onboard(aisha)
    saved = await saved_entry(aisha, "The brass group finally nailed the syncopated rhythm")
    before = await tag_states(sandbox)
    button = first_tag_button(saved)
    await client.fault(method, **FAULTS[fault])
    await client.tap(aisha.user_id, aisha.chat_id, saved["message_id"], button["callback_data"])
    code = button["callback_data"].split(":")[3]

    async def redrawn() -> bool:
        message = next(
            m
            for m in await client.messages(aisha.chat_id)
            if m["message_id"] == saved["message_id"]
        )
        labels = [b["text"] for row in message.get("buttons") or [] for b in row]
        return button["text"] not in labels

    for _ in range(50):
        if await redrawn():
            break
        await asyncio.sleep(0.2)
    assert await redrawn(), "the keyboard shows the tap"
    after = await tag_states(sandbox)
    await asyncio.sleep(QUIET)
    assert after.get(code) is not before.get(code, False), (before, after)
    assert await tag_states(sandbox) == after, "the tap was applied once"


@pytest.mark.parametrize("fault", FAULTS)
async def test_deleting_an_entry_survives_a_fault_on_the_edit(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, fault: str
) -> None:
    await onboard(aisha)
    saved = await saved_entry(aisha)
    await aisha.tap(saved, "delete")
    confirm = await aisha.wait_for(
        lambda m: is_bot(m) and m["message_id"] == saved["message_id"] and "delok" in str(m), 0
    )
    await client.fault("editMessageText", **FAULTS[fault])
    await aisha.tap(confirm, "yes")
    deleted = await aisha.wait_for(
        lambda m: m["message_id"] == saved["message_id"] and "deleted" in text_of(m).lower(),
        timeout=20,
    )
    assert "deleted" in text_of(deleted).lower()
    assert await stored_reflections(sandbox) == []


@pytest.mark.parametrize("fault", FAULTS)
async def test_mydata_arrives_once_whatever_telegram_does(
    sandbox: Sandbox, aisha: Chat, client: SandboxClient, fault: str
) -> None:
    await onboard(aisha)
    await saved_entry(aisha)
    await client.fault("sendDocument", **FAULTS[fault])
    mark = await aisha.say("/mydata")
    page = "my-reflections.html"  # sent after the JSON, so both are there once it is
    await aisha.wait_for(lambda m: page in str(m.get("document")), after=mark, timeout=20)
    await asyncio.sleep(QUIET)
    documents = [m for m in await client.messages(aisha.chat_id, after=mark) if "document" in m]
    names = sorted(m["document"]["file_name"] for m in documents)
    assert names == ["my-reflections.html", "my-reflections.json"], documents


@pytest.fixture
async def voice_sandbox(tmp_path: Path, fast_transcriber: Transcriber) -> AsyncIterator[Sandbox]:
    settings = fault_settings(
        tmp_path / "data", transcription_retry_seconds=0.3, worker_poll_seconds=0.2
    )
    async with running_sandbox(settings, transcriber=fast_transcriber) as sandbox:
        yield sandbox


VOICE_CALLS = ["getFile", "file", "sendChatAction", "editMessageText"]


async def voice_through_faults(
    sandbox: Sandbox, tmp_path: Path, faults: dict[str, dict[str, Any]]
) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    """Plans the faults, sends a voice note and waits for its transcript.

    Returns the note's id, the transcript, and every bot message after the note."""
    async with SandboxClient(sandbox.url) as client:
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        for method, fault in faults.items():
            await client.fault(method, **fault)
        note = synthesise("We practised the scale slowly", tmp_path / "note.ogg")
        sent = await client.send_voice(chat.user_id, note, chat_id=chat.chat_id)
        mark = int(sent["message_id"])
        transcript = await chat.wait_for(
            lambda m: is_bot(m) and text_of(m).startswith("🎙"), mark, timeout=60
        )
        await asyncio.sleep(QUIET)
        replies = [m for m in await client.messages(chat.chat_id, after=mark) if is_bot(m)]
    return mark, transcript, replies


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
async def test_a_voice_note_survives_a_fault_on_every_call_it_makes(
    voice_sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    faults = dict.fromkeys(VOICE_CALLS, FAULTS[fault])
    _, _, replies = await voice_through_faults(voice_sandbox, tmp_path, faults)
    async with voice_sandbox.app.bot_data.db.transaction() as session:
        jobs = (await session.execute(select(TranscriptionJob))).scalars().all()
    transcripts = [m for m in replies if text_of(m).startswith("🎙")]
    assert len(transcripts) == 1, [text_of(m) for m in replies]
    assert len(replies) == 1, "the status message became the transcript; nothing else was sent"
    assert [job.status for job in jobs] == ["done"]


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["flood", "bad gateway"])
async def test_a_refused_acknowledgement_is_sent_again_and_becomes_the_transcript(
    voice_sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    _, _, messages = await voice_through_faults(
        voice_sandbox, tmp_path, {"sendMessage": FAULTS[fault]}
    )
    replies = [text_of(m) for m in messages]
    statuses = [text for text in replies if "queue" in text or "transcrib" in text.lower()]
    assert sum(text.startswith("🎙") for text in replies) == 1, replies
    assert statuses == [], f"no status message was left behind: {replies}"


@pytest.mark.slow
async def test_an_acknowledgement_that_timed_out_is_not_sent_twice(
    voice_sandbox: Sandbox, tmp_path: Path
) -> None:
    """The bot never learns the status message's id, as after a crash between sending it and
    remembering it: no second "transcribing…", and the transcript answers the voice note."""
    mark, transcript, replies = await voice_through_faults(
        voice_sandbox, tmp_path, {"sendMessage": FAULTS["timeout"]}
    )
    assert [text_of(m).startswith("🎙") for m in replies] == [False, True], replies
    assert transcript["reply_to_message_id"] == mark, "it answers the voice note itself"
