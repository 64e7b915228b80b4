"""Changes to the bot's membership of a chat, which Telegram reports to it as my_chat_member."""

from __future__ import annotations

import logging

from bot.sandbox.errors import ControlError
from bot.sandbox.inbox import Posted
from bot.sandbox.models import Chat, JsonDict
from bot.sandbox.shapes import bot_user, chat_json, sender_user
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)


async def report_change(state: SandboxState, chat: Chat, actor_id: int, old: str, new: str) -> int:
    """Queue the my_chat_member update for a change made by `actor_id`."""
    payload = {
        "chat": chat_json(state, chat),
        "from": sender_user(state, actor_id),
        "date": state.timestamp(),
        "old_chat_member": _bot_member(state, old),
        "new_chat_member": _bot_member(state, new),
    }
    return await state.updates.push("my_chat_member", payload)


def _bot_member(state: SandboxState, status: str) -> JsonDict:
    member: JsonDict = {"status": status, "user": bot_user(state.bot)}
    if status == "kicked":
        member["until_date"] = 0
    return member


async def create_group(
    state: SandboxState, *, chat_id: int, title: str, member_ids: list[int]
) -> Posted:
    """The first member makes the group and adds the bot."""
    for member_id in member_ids:
        state.meet(member_id)
    chat = state.chats.create_group(chat_id, title, member_ids)
    return Posted(None, await report_change(state, chat, member_ids[0], "left", "member"))


async def set_blocked(state: SandboxState, *, user_id: int, blocked: bool) -> Posted:
    """A person blocks (or unblocks) the bot in their private chat."""
    chat = state.chats.get(user_id)
    if chat is None:
        raise ControlError(f"user {user_id} has not started the bot yet", 404)
    chat.blocked = blocked
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    return Posted(None, await report_change(state, chat, user_id, old, new))
