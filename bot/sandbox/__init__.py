"""A local Telegram: the Bot API emulator and web chat people use to try the bot."""

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.people import DEFAULT_PEOPLE, Person

__all__ = ["DEFAULT_PEOPLE", "BotApiEmulator", "Person"]
