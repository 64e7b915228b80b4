"""Memory stays bounded however long the sandbox runs."""

from __future__ import annotations

from bot.sandbox.chats import MAX_MESSAGES_PER_CHAT, ChatBook
from bot.sandbox.formatting import Formatted
from bot.sandbox.updates import MAX_PENDING_UPDATES, UpdateQueue


def test_a_chat_keeps_only_its_newest_messages_and_ids_keep_rising() -> None:
    chats = ChatBook(lambda: 0)
    chat = chats.open_private(1001)
    for number in range(MAX_MESSAGES_PER_CHAT + 5):
        chats.post(chat, 1001, text=Formatted(f"note {number}"))
    assert len(chat.messages) == MAX_MESSAGES_PER_CHAT
    assert next(iter(chat.messages)) == 6
    assert chats.post(chat, 1001, text=Formatted("next")).message_id == MAX_MESSAGES_PER_CHAT + 6


async def test_the_update_queue_drops_the_oldest_past_its_cap() -> None:
    queue = UpdateQueue()
    for number in range(MAX_PENDING_UPDATES + 3):
        await queue.push("message", {"n": number})
    assert queue.pending_count() == MAX_PENDING_UPDATES
    [oldest] = await queue.poll(limit=1, wait_seconds=0)
    assert oldest["update_id"] == 4 and oldest["message"] == {"n": 3}


async def test_unwanted_update_kinds_are_dropped_like_telegram() -> None:
    queue = UpdateQueue()
    await queue.push("my_chat_member", {})
    await queue.push("message", {"text": "hi"})
    queue.set_allowed(["message"])
    assert [u["update_id"] for u in await queue.poll(limit=10, wait_seconds=0)] == [2]
    queue.set_allowed(None)  # no list keeps the previous choice
    await queue.push("callback_query", {})
    assert [u["update_id"] for u in await queue.poll(limit=10, wait_seconds=0)] == [2]
