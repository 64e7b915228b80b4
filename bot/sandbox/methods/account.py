"""The bot's own profile: getMe, its command menus, and settings accepted harmlessly."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.types import MethodHandler
from bot.sandbox.models import JsonDict
from bot.sandbox.params import Params
from bot.sandbox.shapes import bot_user
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256


async def get_me(state: SandboxState, params: Params) -> JsonDict:
    return bot_user(state.bot) | {
        "can_join_groups": True,
        "can_read_all_group_messages": not state.group_privacy,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def menu_key(scope: Any = None, language_code: str | None = None) -> str:
    """Menus are kept per scope and language, as Telegram keeps them."""
    return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)


def _menu_key(params: Params) -> str:
    return menu_key(params.json_value("scope"), params.string("language_code"))


async def set_my_commands(state: SandboxState, params: Params) -> bool:
    commands = params.json_value("commands")
    if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
        raise bad_request("can't parse commands JSON object")
    state.commands[_menu_key(params)] = [_checked_command(command) for command in commands]
    return True


def _checked_command(command: Any) -> JsonDict:
    if not isinstance(command, dict) or not COMMAND_NAME.match(str(command.get("command", ""))):
        raise bad_request("BOT_COMMAND_INVALID")
    description = command.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
        raise bad_request("command description is empty")
    return {"command": command["command"], "description": description}


async def get_my_commands(state: SandboxState, params: Params) -> list[JsonDict]:
    return state.commands.get(_menu_key(params), [])


async def delete_my_commands(state: SandboxState, params: Params) -> bool:
    state.commands.pop(_menu_key(params), None)
    return True


async def accept(state: SandboxState, params: Params) -> bool:
    """Settings that change nothing a sandbox visitor can see."""
    return True


async def get_my_name(state: SandboxState, params: Params) -> JsonDict:
    return {"name": state.bot.first_name}


async def get_my_description(state: SandboxState, params: Params) -> JsonDict:
    return {"description": ""}


async def get_my_short_description(state: SandboxState, params: Params) -> JsonDict:
    return {"short_description": ""}


async def get_chat_menu_button(state: SandboxState, params: Params) -> JsonDict:
    return {"type": "commands"}


METHODS: dict[str, MethodHandler] = {
    "getme": get_me,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "getmyname": get_my_name,
    "getmydescription": get_my_description,
    "getmyshortdescription": get_my_short_description,
    "getchatmenubutton": get_chat_menu_button,
    "setmyname": accept,
    "setmydescription": accept,
    "setmyshortdescription": accept,
    "setchatmenubutton": accept,
    "pinchatmessage": accept,
    "unpinchatmessage": accept,
    "setmessagereaction": accept,
    "setmydefaultadministratorrights": accept,
    "close": accept,
    "logout": accept,
}
