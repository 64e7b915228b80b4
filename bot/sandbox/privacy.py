"""Telegram's group privacy mode: what a bot added to a group is actually sent."""

from __future__ import annotations

import logging

from bot.sandbox.models import Chat, Message
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)


def bot_sees(state: SandboxState, chat: Chat, message: Message) -> bool:
    """Private chats always; in groups with privacy on, only commands and replies to the bot."""
    if not chat.is_group:
        return True
    if not chat.bot_present:
        return False
    if not state.group_privacy:
        return True
    replied = chat.messages.get(message.reply_to_id or 0)
    if replied is not None and replied.sender_id == state.bot.id:
        return True
    return _command_for_bot(message, state.bot.username)


def _command_for_bot(message: Message, bot_username: str) -> bool:
    """A bare /command reaches every bot; /command@name only the bot called name."""
    if not message.entities or message.text is None:
        return False
    entity = message.entities[0]
    if entity.get("type") != "bot_command" or entity.get("offset") != 0:
        return False
    command = message.text.text[: int(entity["length"])]
    _, _, addressee = command.partition("@")
    return not addressee or addressee.lower() == bot_username.lower()
