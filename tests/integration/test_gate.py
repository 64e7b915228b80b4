"""The identity gate: strangers, newcomers mid-onboarding and the wrong role, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import CommandHandler

from bot.sandbox.runner import Sandbox
from bot.services.identity import Identity
from bot.state import Context
from handlers import BOT_COMMANDS
from handlers.gate import requires
from storage.models import Reflection, Tutor
from storage.vocabulary import OnboardingStep, Role
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, Message, bot_says, is_bot, onboard, text_of

NEEDS_START = "send /start first"
FINISH_SETUP = "finish setting you up"
CONFIRMATION = "i'll call you"
NOT_YOUR_ROLE = "not something your role can do"
OPEN_TO_STRANGERS = {"start", "help", "privacy"}  # people should know before they agree
GATED_COMMANDS = [c.command for c in BOT_COMMANDS if c.command not in OPEN_TO_STRANGERS]


pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


async def count(sandbox: Sandbox, model: type[Tutor] | type[Reflection]) -> int:
    async with sandbox.app.bot_data.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def tutor_row(sandbox: Sandbox, user_id: int) -> Tutor | None:
    async with sandbox.app.bot_data.db.transaction() as session:
        query = select(Tutor).where(Tutor.telegram_user_id == user_id)
        return (await session.execute(query)).scalar_one_or_none()


def buttons_of(messages: list[Message]) -> list[tuple[Message, str]]:
    return [
        (message, button["callback_data"])
        for message in messages
        if is_bot(message)
        for row in message.get("buttons") or []
        for button in row
    ]


@pytest.mark.parametrize("command", [*GATED_COMMANDS, "reflect quick"])
async def test_every_command_before_start_asks_for_start(
    sandbox: Sandbox, aisha: Chat, command: str
) -> None:
    reply = await aisha.ask(f"/{command}")
    assert NEEDS_START in text_of(reply).lower()
    assert await count(sandbox, Tutor) == 0
    assert await count(sandbox, Reflection) == 0


async def test_messages_and_recordings_before_start_store_nothing(
    sandbox: Sandbox, aisha: Chat
) -> None:
    reply = await aisha.ask("Session went well, Leo played his first solo")
    assert NEEDS_START in text_of(reply).lower()
    voice = await aisha.client.send_voice(aisha.user_id, b"OggS not really audio", duration=3)
    answer = await aisha.reply_to(int(voice["message_id"]))
    assert NEEDS_START in text_of(answer).lower()
    assert await count(sandbox, Reflection) == 0


async def test_every_button_left_behind_after_forget_is_harmless(
    sandbox: Sandbox, ben: Chat
) -> None:
    """Buttons outlive the person: after /forget, each one asks for /start and stores nothing."""
    await onboard(ben)
    review = await ben.ask("Leo played his first solo and the group cheered")
    await ben.tap(review, "delete")  # the review message now offers yes / no
    await ben.wait_for(lambda m: "delok" in str(m.get("buttons")), after=0)
    await ben.ask("Second entry, to keep a full review keyboard in the chat")
    await ben.ask("/reflect")
    await ben.ask("/reflect")  # a draft is open, so this offers carry on / start afresh
    first_confirm = await ben.ask("/forget")
    mark = await ben.last_message_id()
    await ben.tap(await ben.ask("/forget"), "erase")
    await ben.wait_for(bot_says("erased"), after=mark)
    assert await tutor_row(sandbox, ben.user_id) is None

    left_behind = buttons_of(await ben.client.messages(ben.chat_id))
    prefixes = {data.split(":")[0] + ":" + data.split(":")[1] for _, data in left_behind}
    assert {"rv:t", "rv:x", "rv:s", "rv:ok", "rv:fix", "rv:delok", "rv:back"} <= prefixes
    assert {"gd:skip", "gd:stop", "gd:resume", "gd:new", "pv:forget", "pv:keep"} <= prefixes
    assert first_confirm["message_id"] in {m["message_id"] for m, _ in left_behind}
    for message, data in left_behind:
        if data == "pv:keep":
            continue  # keeping nothing is harmless by definition, and needs no identity
        tapped = await ben.client.tap(ben.user_id, ben.chat_id, message["message_id"], data)
        answer = await ben.client.callback_answer(tapped["callback_query_id"], wait=5)
        assert NEEDS_START in str(answer.get("text", "")).lower(), data
    assert await tutor_row(sandbox, ben.user_id) is None
    assert await count(sandbox, Reflection) == 0


@pytest.mark.parametrize("command", ["reflect", "history", "retry", "skip", "cancel"])
async def test_commands_mid_onboarding_ask_to_finish_and_repeat_the_question(
    sandbox: Sandbox, aisha: Chat, command: str
) -> None:
    welcome = await aisha.ask("/start")
    mark = await aisha.last_message_id()
    await aisha.tap(welcome, "yes")
    await aisha.wait_for(bot_says(CONFIRMATION), after=mark)
    mark = await aisha.say(f"/{command}")
    refusal = await aisha.wait_for(bot_says(FINISH_SETUP), after=mark)
    question = await aisha.wait_for(bot_says(CONFIRMATION), after=refusal["message_id"])
    assert "that's right" in str(question["buttons"]).lower(), "the confirmation keeps its buttons"


async def test_reflect_mid_onboarding_does_not_swallow_the_next_answer(
    sandbox: Sandbox, aisha: Chat
) -> None:
    """The old bug: /reflect before the name step took the tutor's next answer as their name."""
    welcome = await aisha.ask("/start")
    mark = await aisha.last_message_id()
    await aisha.tap(welcome, "yes")
    await aisha.wait_for(bot_says(CONFIRMATION), after=mark)
    await aisha.wait_for(bot_says(FINISH_SETUP), after=await aisha.say("/reflect"))
    renamed = await aisha.wait_for(bot_says("call you aisha b"), after=await aisha.say("Aisha B"))
    mark = await aisha.last_message_id()
    await aisha.tap(renamed, "change time zone")
    await aisha.wait_for(bot_says("which time zone"), after=mark)
    mark = await aisha.say("/reflect")
    await aisha.wait_for(bot_says(FINISH_SETUP), after=mark)
    await aisha.wait_for(bot_says("which time zone"), after=mark)  # asked again, not forgotten
    zone = await aisha.wait_for(bot_says("Europe/Dublin"), after=await aisha.say("Europe/Dublin"))
    mark = await aisha.last_message_id()
    await aisha.tap(zone, "that's right")
    done = await aisha.wait_for(bot_says("all set"), after=mark)
    assert "Aisha B" in text_of(done)
    row = await tutor_row(sandbox, aisha.user_id)
    assert row is not None and row.onboarding_step == OnboardingStep.DONE
    assert (row.display_name, row.timezone, row.awaiting) == ("Aisha B", "Europe/Dublin", None)
    assert await count(sandbox, Reflection) == 0


async def test_newcomer_can_still_take_or_erase_their_data(sandbox: Sandbox, aisha: Chat) -> None:
    """Consent alone gives a person rights over their data, before the name and time zone."""
    welcome = await aisha.ask("/start")
    mark = await aisha.last_message_id()
    await aisha.tap(welcome, "yes")
    await aisha.wait_for(bot_says(CONFIRMATION), after=mark)
    mark = await aisha.say("/mydata")
    await aisha.wait_for(lambda m: "my-reflections.html" in str(m.get("document")), after=mark)
    mark = await aisha.last_message_id()
    await aisha.tap(await aisha.ask("/forget"), "erase")
    await aisha.wait_for(bot_says("erased"), after=mark)
    assert await tutor_row(sandbox, aisha.user_id) is None


async def test_a_command_for_another_role_is_refused_politely(
    sandbox: Sandbox, aisha: Chat
) -> None:
    """Lead and coordinator commands only declare a role; the gate does the rest."""

    @requires(Role.COORDINATOR)
    async def coordinators_only(update: Update, context: Context, who: Identity) -> None:
        assert update.effective_message
        await update.effective_message.reply_text(f"hello coordinator {who.display_name}")

    sandbox.app.add_handler(CommandHandler("coordinators_only", coordinators_only), group=-10)
    dev = Chat(aisha.client, 1004, "Dev", 1004)
    await onboard(dev)
    await onboard(aisha)
    assert "hello coordinator dev" in text_of(await dev.ask("/coordinators_only")).lower()
    refusal = await aisha.ask("/coordinators_only")
    assert NOT_YOUR_ROLE in text_of(refusal).lower()
    assert "coordinator" not in text_of(refusal).lower()
    dev_row = await tutor_row(sandbox, 1004)
    assert dev_row is not None and dev_row.role == Role.COORDINATOR
