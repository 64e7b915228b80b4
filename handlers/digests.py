"""/digest: a lead's copy of their group's week so far, chart and text."""

from __future__ import annotations

import io

from telegram import Update
from telegram.ext import CommandHandler

from bot.services import digests
from bot.services.digest_copies import week_so_far
from bot.services.identity import Identity
from bot.state import BotApplication, Context
from bot.views.digest import digest_text, outcome_chart, outcome_line
from handlers.common import PRIVATE, state
from handlers.gate import requires
from storage.vocabulary import Role


@requires(Role.LEAD, Role.COORDINATOR)
async def show_digest(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message and app.digest_questions
    async with app.db.transaction() as session:
        copies = await week_so_far(session, who=who, codebook=app.codebook)
    if not copies:
        await message.reply_text(app.texts("group_none"))
        return
    for digest in copies:
        question = app.digest_questions.for_challenge(digests.main_challenge(digest))
        chart = outcome_chart(app.codebook, digest)
        await message.reply_photo(
            io.BytesIO(chart), caption=outcome_line(app.texts, app.codebook, digest)
        )
        await message.reply_text(digest_text(app.texts, app.codebook, digest, question))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("digest", show_digest, filters=PRIVATE))
