"""Issue 4 guided reflection: answering, skipping, stopping, walking away and carrying on."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox, running_sandbox
from bot.transcription import Transcriber
from tests.conftest import make_settings
from tests.integration.conftest import Chat, Message, bot_says, onboard, stored_reflections, text_of
from tests.speech import REFLECTIONS, synthesise, word_error_rate

ANSWERS = [
    "We learnt a new samba groove and Kai kept the surdo going the whole time.",
    "Maya was brave enough to lead the call and response, and the group listened to her.",
    "Two pupils were taken out for a reading catch-up halfway through.",
    "Split the group so the quieter ones get a turn on the big drums.",
]


def question(number: int) -> object:
    return lambda m: bool(m["from"]["is_bot"]) and text_of(m).startswith(f"{number}/")


async def answer_all(chat: Chat, answers: list[str], first: int = 1) -> Message:
    for offset, text in enumerate(answers):
        await chat.wait_for(question(first + offset))  # type: ignore[arg-type]
        mark = await chat.say(text)
        await chat.reply_to(mark)
    return await chat.wait_for(bot_says("saved"))


async def test_a_whole_guided_reflection_is_one_entry_with_its_parts(
    sandbox: Sandbox, aisha: Chat
) -> None:
    await onboard(aisha)
    first = await aisha.ask("/reflect")
    assert text_of(first).startswith("1/4") and "/skip" in text_of(first)
    summary = await answer_all(aisha, ANSWERS)
    [entry] = await stored_reflections(sandbox)
    assert entry.source == "guided" and entry.status == "ready" and entry.prompt_set == "session"
    assert [part["answer"] for part in entry.parts or []] == ANSWERS
    assert entry.text == "\n\n".join(ANSWERS), "questions stay out of the tagged text"
    expected = sandbox.app.bot_data.tagger.tag(entry.text).applied
    codebook = sandbox.app.bot_data.codebook
    ticked = {
        b["text"].removeprefix("✅ ")
        for row in summary["buttons"]
        for b in row
        if b["text"].startswith("✅ ")
    }
    assert ticked == {c.label for c in codebook.codes if c.id in expected}


async def test_skip_then_cancel_keeps_what_was_answered(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    await aisha.ask("/reflect")
    await aisha.ask(ANSWERS[0])
    second = await aisha.ask("/skip")
    assert text_of(second).startswith("3/4")
    stopped = await aisha.ask("/cancel")
    assert "saved what you'd answered" in text_of(stopped).lower()
    [entry] = await stored_reflections(sandbox)
    parts = entry.parts or []
    assert [p["answer"] for p in parts] == [ANSWERS[0], None] and parts[1]["skipped"]
    assert entry.status == "ready" and entry.text == ANSWERS[0]
    assert "saved" in text_of(await aisha.ask("An ordinary entry afterwards")).lower()
    assert len(await stored_reflections(sandbox)) == 2


async def test_cancel_before_answering_saves_nothing(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    await aisha.ask("/reflect quick")
    assert "nothing to save" in text_of(await aisha.ask("/cancel")).lower()
    assert await stored_reflections(sandbox) == []
    assert "no question to skip" in text_of(await aisha.ask("/skip")).lower()


async def test_buttons_skip_and_stop(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    first = await aisha.ask("/reflect")
    await aisha.tap(first, "skip")
    second = await aisha.wait_for(question(2))  # type: ignore[arg-type]
    await aisha.say(ANSWERS[1])
    third = await aisha.wait_for(question(3))  # type: ignore[arg-type]
    await aisha.tap(third, "stop")
    await aisha.wait_for(bot_says("saved what you'd answered"))
    [entry] = await stored_reflections(sandbox)
    assert [p["answer"] for p in entry.parts or []] == [None, ANSWERS[1]]
    assert second


async def test_unknown_set_names_the_choices(aisha: Chat) -> None:
    await onboard(aisha)
    reply = text_of(await aisha.ask("/reflect monthly"))
    assert "monthly" in reply and "/reflect quick" in reply


async def test_walk_away_restart_and_carry_on(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", run_worker=False)
    async with running_sandbox(settings) as sandbox, SandboxClient(sandbox.url) as client:
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        await chat.ask("/reflect")
        await chat.ask(ANSWERS[0])
        await chat.ask(ANSWERS[1])
    async with running_sandbox(settings) as sandbox, SandboxClient(sandbox.url) as client:
        chat = Chat(client, 1001, "Aisha", 1001)
        offer = await chat.ask("/reflect")
        assert "2 of 4 answered" in text_of(offer)
        await chat.tap(offer, "carry on")
        summary = await answer_all(chat, ANSWERS[2:], first=3)
        [entry] = await stored_reflections(sandbox)
    assert [p["answer"] for p in entry.parts or []] == ANSWERS
    assert summary["buttons"]


async def test_start_afresh_saves_the_old_draft(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    await aisha.ask("/reflect")
    await aisha.ask(ANSWERS[0])
    offer = await aisha.ask("/reflect")
    await aisha.tap(offer, "start a new one")
    await aisha.wait_for(bot_says("saved what you'd answered"))
    await aisha.wait_for(
        lambda m: text_of(m).startswith("1/4") and m["message_id"] > offer["message_id"]
    )
    entries = await stored_reflections(sandbox)
    assert [e.status for e in entries] == ["ready", "draft"]
    assert entries[0].text == ANSWERS[0]


async def test_an_old_abandoned_draft_is_saved_and_the_new_message_is_a_new_entry(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data", run_worker=False, guided_timeout_hours=0.0002)
    async with running_sandbox(settings) as sandbox, SandboxClient(sandbox.url) as client:
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        await chat.ask("/reflect")
        await chat.ask(ANSWERS[0])
        await asyncio.sleep(1.0)
        mark = await chat.say("A fresh note the next day")
        await chat.wait_for(bot_says("unfinished reflection"), after=mark)
        await chat.wait_for(bot_says("saved — thank you"), after=mark)
        entries = await stored_reflections(sandbox)
    assert [(e.source, e.status, e.text) for e in entries] == [
        ("guided", "ready", ANSWERS[0]),
        ("text", "ready", "A fresh note the next day"),
    ]


async def test_voice_answers_are_transcribed_into_their_part(
    tmp_path: Path, fast_transcriber: Transcriber
) -> None:
    settings = make_settings(tmp_path / "data", worker_poll_seconds=0.2)
    note = synthesise(REFLECTIONS[0], tmp_path / "answer.ogg")
    async with (
        running_sandbox(settings, transcriber=fast_transcriber) as sandbox,
        SandboxClient(sandbox.url) as client,
    ):
        chat = Chat(client, 1001, "Aisha", 1001)
        await onboard(chat)
        await chat.ask("/reflect quick")
        sent = await client.send_voice(chat.user_id, note, chat_id=chat.chat_id)
        status = await chat.reply_to(int(sent["message_id"]))
        assert "transcribing" in text_of(status).lower()
        summary = await chat.wait_for(bot_says("here are the tags"), timeout=60)
        transcript = await chat.wait_for(
            lambda m: m["message_id"] == status["message_id"] and text_of(m).startswith("🎙")
        )
        [entry] = await stored_reflections(sandbox)
    assert entry.status == "ready" and entry.parts and entry.parts[0]["source"] == "voice"
    assert word_error_rate(REFLECTIONS[0], entry.text or "") < 0.4
    assert text_of(transcript)[1:].strip() == entry.text
    assert summary["buttons"]


async def test_an_answered_questions_buttons_only_say_so(sandbox: Sandbox, aisha: Chat) -> None:
    """Question 1's Skip, tapped while question 2 is open, must not skip question 2."""
    from tests.integration.conftest import button_data, reread

    await onboard(aisha)
    first = await aisha.ask("/reflect")
    await aisha.say(ANSWERS[0])
    second = await aisha.wait_for(question(2))  # type: ignore[arg-type]
    client = aisha.client
    tapped = await client.tap(
        aisha.user_id, aisha.chat_id, first["message_id"], button_data(first, "skip")
    )
    toast = await client.callback_answer(tapped["callback_query_id"], wait=5)
    assert "already done" in str(toast.get("text"))
    for _ in range(25):
        if not (await reread(aisha, first)).get("buttons"):
            break
        await asyncio.sleep(0.2)
    assert not (await reread(aisha, first)).get("buttons"), "the stale buttons go"
    await aisha.say(ANSWERS[1])
    third = await aisha.wait_for(question(3))  # type: ignore[arg-type]
    await aisha.tap(third, "stop")
    await aisha.wait_for(bot_says("saved what you'd answered"))
    [entry] = await stored_reflections(sandbox)
    assert [p["answer"] for p in entry.parts or []] == ANSWERS[:2], "question 2 was not skipped"
    stop = button_data(second, "stop")
    tapped = await client.tap(aisha.user_id, aisha.chat_id, second["message_id"], stop)
    toast = await client.callback_answer(tapped["callback_query_id"], wait=5)
    assert "already saved" in str(toast.get("text"))
    assert len(await stored_reflections(sandbox)) == 1
