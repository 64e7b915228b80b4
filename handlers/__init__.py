"""Every conversation area registers its handlers here, in one visible place."""

from telegram import BotCommand

from bot.state import BotApplication
from handlers import (
    basics,
    digests,
    errors,
    exports,
    groups,
    guided,
    onboarding,
    privacy,
    reflections,
    review,
    schedule,
    settings,
    voice,
)

# Order matters: within a handler group the first match wins, so the catch-all
# answers for unknown commands and unsupported messages (basics) go last.
AREAS = (
    onboarding,
    guided,
    groups,
    digests,
    exports,
    schedule,
    settings,
    reflections,
    voice,
    review,
    privacy,
    basics,
)

BOT_COMMANDS = [
    BotCommand("start", "Begin, or see where you are"),
    BotCommand("reflect", "A guided reflection, one question at a time"),
    BotCommand("history", "Your recent reflections; open one to change it"),
    BotCommand("retry", "Try a failed transcription again"),
    BotCommand("skip", "Skip a guided question"),
    BotCommand("cancel", "Stop a guided reflection (answers are kept)"),
    BotCommand("settings", "Who sees your new reflections by default"),
    BotCommand("schedule", "Your teaching week, for check-ins after sessions"),
    BotCommand("pause", "Pause check-ins, e.g. for the holidays"),
    BotCommand("resume", "Start check-ins again"),
    BotCommand("join", "Join a peer group with its invite code"),
    BotCommand("leave", "Leave a peer group"),
    BotCommand("group", "Your peer group: members and settings (leads)"),
    BotCommand("digest", "Your group's week so far (leads)"),
    BotCommand("export", "Export shared reflections for evaluation (coordinators)"),
    BotCommand("privacy", "Who can see what, and how long it's kept"),
    BotCommand("mydata", "Download everything I hold about you"),
    BotCommand("forget", "Erase your profile and all your reflections"),
    BotCommand("help", "What I can do"),
]


def register_all(app: BotApplication) -> None:
    for area in AREAS:
        area.register(app)
    errors.register(app)
