"""The control API the web page, tests and scripts use: behaviour and clear refusals."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
import telegram

from bot.sandbox.chats import ChatBook
from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.people import Person
from tests.sandbox.conftest import AISHA, BEN, CARYS, DEV, RunningEmulator, call
from tests.sandbox.media_samples import ogg_voice


async def pending_updates(sandbox: RunningEmulator, http: aiohttp.ClientSession) -> list[dict]:
    _, body = await call(http, sandbox.method_url("getUpdates"), json={"timeout": 0})
    return list(body["result"])  # type: ignore[call-overload]


async def test_messages_get_per_chat_ids_and_rising_update_ids(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    first = await client.send_text(AISHA, "/start")
    second = await client.send_text(AISHA, "Lovely session")
    other = await client.send_text(BEN, "Hello")
    assert (first["message_id"], second["message_id"], other["message_id"]) == (1, 2, 1)
    assert first["update_id"] < second["update_id"] < other["update_id"]
    command, plain, _ = [u["message"] for u in await pending_updates(sandbox, http)]
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in plain and plain["from"]["first_name"] == "Aisha"
    shown = await client.messages(AISHA, after=1)
    assert [m["text"] for m in shown] == ["Lovely session"]


async def test_bad_control_input_gets_a_clear_400(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    url = f"{sandbox.root}/api/messages"
    cases = [
        ({"text": "hi"}, "user_id is required"),
        ({"user_id": "abc", "text": "hi"}, "user_id must be a whole number"),
        ({"user_id": AISHA, "text": ""}, "text is required"),
        ({"user_id": AISHA, "text": "x" * 4097}, "1 to 4096"),
        ({"user_id": AISHA, "chat_id": BEN, "text": "hi"}, "own user_id"),
    ]
    for body, expected in cases:
        status, answer = await call(http, url, json=body)
        assert status == 400 and expected in str(answer["error"]), body
    status, answer = await call(http, url, data="not json", headers={"Content-Type": "text/plain"})
    assert status == 400 and "JSON object" in str(answer["error"])
    status, answer = await call(http, url, json={"user_id": AISHA, "chat_id": -5, "text": "hi"})
    assert status == 404 and "POST /api/groups" in str(answer["error"])


async def test_voice_upload_measures_duration_unless_given(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    audio = ogg_voice(3.0)
    await client.send_voice(AISHA, audio)
    await client.send_voice(AISHA, b"not audio at all", "notes.ogg")
    await client.send_voice(AISHA, audio, duration=42)
    durations = [u["message"]["voice"]["duration"] for u in await pending_updates(sandbox, http)]
    assert durations == [3, 0, 42]
    [first, *_] = await client.messages(AISHA)
    assert first["voice"]["duration"] == 3
    assert await client.download(first["voice"]["url"]) == audio


async def test_voice_upload_refusals(sandbox: RunningEmulator, http: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData({"user_id": str(AISHA)})
    status, answer = await call(http, f"{sandbox.root}/api/voice", data=form)
    assert status == 400 and "'file'" in str(answer["error"])
    form = aiohttp.FormData({"user_id": str(AISHA), "kind": "sticker"})
    form.add_field("file", b"x", filename="x.ogg")
    status, answer = await call(http, f"{sandbox.root}/api/voice", data=form)
    assert status == 400 and "kind must be one of" in str(answer["error"])


async def test_group_privacy_hides_chatter_but_not_commands_or_replies(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    await client.create_group(-300, "Brass tutors", [CARYS, AISHA, BEN])
    [added] = await pending_updates(sandbox, http)
    assert added["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert (await client.send_text(AISHA, "Chatter", chat_id=-300))["update_id"] is None
    assert (await client.send_text(AISHA, "/digest", chat_id=-300))["update_id"] is not None
    assert (await client.send_text(AISHA, "/digest@reflect_sandbox_bot", chat_id=-300))[
        "update_id"
    ] is not None
    assert (await client.send_text(AISHA, "/digest@other_bot", chat_id=-300))["update_id"] is None
    _, sent = await call(
        http, sandbox.method_url("sendMessage"), json={"chat_id": -300, "text": "Question?"}
    )
    bot_message_id = sent["result"]["message_id"]  # type: ignore[index]
    reply = await client.send_text(BEN, "Answer", chat_id=-300, reply_to_message_id=bot_message_id)
    assert reply["update_id"] is not None
    with pytest.raises(SandboxError, match="409"):
        await client.create_group(-300, "Again", [CARYS])
    with pytest.raises(SandboxError, match="negative"):
        await client.create_group(300, "Positive", [CARYS])


async def test_supergroup_ids_make_supergroups(
    sandbox: RunningEmulator, client: SandboxClient
) -> None:
    await client.create_group(-1001234567890, "Music service", [DEV])
    [chat] = [c for c in await client.chats() if c["id"] == -1001234567890]
    assert chat["type"] == "supergroup" and chat["title"] == "Music service"


async def test_taps_must_match_a_button_on_the_message(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    await client.send_text(AISHA, "/start")
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "consent:yes"}]]}
    request = {"chat_id": AISHA, "text": "OK?", "reply_markup": markup}
    _, sent = await call(http, sandbox.method_url("sendMessage"), json=request)
    message_id = sent["result"]["message_id"]  # type: ignore[index]
    with pytest.raises(SandboxError, match="no button"):
        await client.tap(AISHA, AISHA, message_id, "consent:maybe")
    with pytest.raises(SandboxError, match="404"):
        await client.tap(AISHA, AISHA, 99, "consent:yes")
    tapped = await client.tap(AISHA, AISHA, message_id, "consent:yes")
    answer = await client.callback_answer(tapped["callback_query_id"])
    assert answer == {
        "id": tapped["callback_query_id"],
        "answered": False,
        "text": None,
        "show_alert": False,
        "url": None,
    }


async def test_fault_requests_are_checked(sandbox: RunningEmulator, client: SandboxClient) -> None:
    with pytest.raises(SandboxError, match="method must be a Bot API method"):
        await client.fault("sendTelegram", 400)
    with pytest.raises(SandboxError, match="error_code"):
        await client.fault("sendMessage", 200)
    assert await client.fault("sendMessage", 500, count=3) == {"method": "sendMessage", "count": 3}
    with pytest.raises(SandboxError, match="error_code, a delay, or both"):
        await client.fault("sendMessage")
    with pytest.raises(SandboxError, match="delay must be between"):
        await client.fault("sendMessage", delay=600)
    assert await client.fault("file", delay=1) == {"method": "file", "count": 1}


async def test_slow_answers_and_timeouts_can_be_planned(
    sandbox: RunningEmulator, client: SandboxClient, bot: telegram.Bot
) -> None:
    """A slow answer still arrives; one slower than the client waits is a timeout."""
    await client.fault("getMe", delay=0.6)
    started = time.monotonic()
    me = await bot.get_me()
    assert me.is_bot and time.monotonic() - started >= 0.6
    await client.fault("getMe", 502, delay=0.3)
    with pytest.raises(telegram.error.NetworkError):
        await bot.get_me()
    await client.fault("getMe", delay=2)
    with pytest.raises(telegram.error.TimedOut):
        await bot.get_me(read_timeout=0.5)
    assert (await bot.get_me()).is_bot, "the fault is used up; the next call is normal"


async def test_reset_forgets_everything_but_update_ids_keep_rising(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    before = await client.send_voice(AISHA, ogg_voice(1.0))
    [voice_message] = await client.messages(AISHA)
    await client.fault("getMe", 500)
    await client.reset()
    assert await client.messages(AISHA) == [] and await client.chats() == []
    assert await pending_updates(sandbox, http) == []
    status, me = await call(http, sandbox.method_url("getMe"))
    assert status == 200 and me["ok"] is True
    with pytest.raises(SandboxError, match="404"):
        await client.download(voice_message["voice"]["url"])
    after = await client.send_text(AISHA, "Fresh start")
    # Telegram never gives a chat's message id twice; the bot keys entries on it.
    assert after["message_id"] > before["message_id"] and after["update_id"] > before["update_id"]


async def test_people_and_chat_lists(sandbox: RunningEmulator, client: SandboxClient) -> None:
    names = [p["first_name"] for p in await client.people()]
    assert names == ["Aisha", "Ben", "Carys", "Dev"]
    sandbox.emulator.people = [Person(2001, "Freya", "tutor")]
    assert [p["id"] for p in await client.people()] == [2001]
    await client.create_group(-400, "Keyboard", [2001])
    chats = await client.chats(user_id=2001)
    assert [(c["id"], c["title"]) for c in chats] == [(2001, "Freya"), (-400, "Keyboard")]
    sent = await client.send_text(2001, "Hi", chat_id=-400)
    assert sent["message_id"] == 1


async def test_the_page_and_its_assets_are_served(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sandbox.root}/") as response:
        page = await response.text()
        assert response.status == 200 and "text/html" in response.content_type
    assert "<script" in page and "/static/app.js" in page
    for asset in ("app.js", "style.css"):
        async with http.get(f"{sandbox.root}/static/{asset}") as response:
            assert response.status == 200 and len(await response.read()) > 500


async def test_bot_profile_lists_the_default_command_menu(
    sandbox: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    commands = [{"command": "help", "description": "What I can do"}]
    scoped = {"commands": [{"command": "digest", "description": "Leads only"}]}
    scoped["scope"] = {"type": "chat", "chat_id": CARYS}  # type: ignore[assignment]
    await call(http, sandbox.method_url("setMyCommands"), json=scoped)
    await call(http, sandbox.method_url("setMyCommands"), json={"commands": commands})
    async with http.get(f"{sandbox.root}/api/bot") as response:
        profile = await response.json()
    assert profile["username"] == "reflect_sandbox_bot" and profile["commands"] == commands


async def test_reading_messages_can_wait_for_the_chat_to_change(
    sandbox: RunningEmulator, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    """A long poll: held while nothing changes, answered as soon as something does."""
    await client.send_text(AISHA, "First")
    url = f"{sandbox.root}/api/chats/{AISHA}/messages"
    async with http.get(url) as response:
        version = (await response.json())["version"]
    started = asyncio.get_running_loop().time()
    async with http.get(url, params={"version": version, "wait": 1}) as response:
        quiet = await response.json()
    assert asyncio.get_running_loop().time() - started >= 0.9
    assert quiet["version"] == version

    waiting = asyncio.create_task(http.get(url, params={"version": version, "wait": 10}))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await client.send_text(AISHA, "Second")
    async with await asyncio.wait_for(waiting, 2) as response:
        moved = await response.json()
    assert moved["version"] > version
    assert [m["text"] for m in moved["messages"]] == ["First", "Second"]


async def test_a_reader_waiting_on_a_chat_not_yet_begun_sees_it_begin(
    client: SandboxClient,
) -> None:
    waiting = asyncio.create_task(client.wait_for(BEN, lambda m: m.get("text") == "Hi", timeout=5))
    await asyncio.sleep(0.2)
    await client.send_text(BEN, "Hi")
    found = await asyncio.wait_for(waiting, 2)
    assert found["from"]["id"] == BEN


async def test_the_clock_moves_to_an_instant_or_on_and_refuses_nonsense(
    client: SandboxClient,
) -> None:
    from datetime import datetime, timedelta

    moved = datetime.fromisoformat(await client.move_clock(now="2027-03-26T16:20:00+00:00"))
    assert abs(moved - datetime.fromisoformat("2027-03-26T16:20:00+00:00")) < timedelta(seconds=1)
    later = datetime.fromisoformat(await client.move_clock(advance_seconds=3600))
    assert timedelta(minutes=59) < later - moved < timedelta(minutes=61)
    assert datetime.fromisoformat(await client.clock()) >= later
    for bad in (
        {"now": "yesterday"},
        {"now": "2027-03-26T16:20:00"},
        {"advance_seconds": -5},
        {"advance_seconds": "soon"},
        {},
        {"now": "2027-03-26T16:20:00+00:00", "advance_seconds": 1},
    ):
        with pytest.raises(SandboxError, match="400"):
            await client._request("POST", "/api/clock", json=bad)


async def test_messages_are_dated_by_the_sandbox_clock(client: SandboxClient) -> None:
    """A visitor who jumped to Friday sees Friday's times on what they send."""
    from datetime import datetime

    friday = datetime.fromisoformat("2027-03-26T16:20:00+00:00")
    await client.move_clock(now=friday.isoformat())
    await client.send_text(BEN, "Hello from Friday")
    (message,) = await client.messages(BEN)
    assert 0 <= message["date"] - friday.timestamp() < 60


def test_message_ids_go_on_growing_after_a_restart(tmp_path: Path) -> None:
    first = ChatBook(lambda: 0, tmp_path / "message-ids.json")
    chat = first.open_private(AISHA)
    ids = [first.post(chat, AISHA, text=word).message_id for word in ("one", "two")]
    again = ChatBook(lambda: 0, tmp_path / "message-ids.json")
    later = again.post(again.open_private(AISHA), AISHA, text="three")
    assert ids == [1, 2] and later.message_id == 3
    (tmp_path / "message-ids.json").write_text("[not a map", "utf-8")
    damaged = ChatBook(lambda: 0, tmp_path / "message-ids.json")
    assert damaged.post(damaged.open_private(AISHA), AISHA, text="four").message_id == 1
