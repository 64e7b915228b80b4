"""The model's tagging runs in a worker thread, so its milliseconds never stall the bot; the
cues' fraction of a millisecond stays on the event loop, where a thread hop would cost more."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.database import Database
from bot.services import entries
from bot.tagging.codes import Codebook
from bot.tagging.tagger import Tagger, TagResult
from storage import migrate, reflections
from storage.vocabulary import EntrySource, ShareLevel
from tests.tagging.adapt_helpers import add_tutor

TEXT = "Only three turned up. The ones who came kept a steady pulse."


class ThreadNoting(Tagger):
    """The cue tagger, noting which thread each call ran on."""

    def __init__(self, codebook: Codebook, *, off_loop: bool) -> None:
        super().__init__(codebook)
        self.off_loop = off_loop
        self.threads: list[int] = []

    def tag(self, text: str) -> TagResult:
        self.threads.append(threading.get_ident())
        return super().tag(text)


@pytest.mark.parametrize("off_loop", [True, False], ids=["model", "cues"])
async def test_auto_tag_runs_a_slow_tagger_in_a_thread_with_the_same_result(
    tmp_path: Path, codebook: Codebook, off_loop: bool
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tags.db'}"
    await migrate.upgrade_async(url)
    db = Database(url)
    who, tagger = await add_tutor(db, 5), ThreadNoting(codebook, off_loop=off_loop)
    async with db.transaction() as session:
        entry, _ = await reflections.add_reflection(
            session=session,
            tutor_id=who.tutor_id,
            chat_id=5,
            message_id=1,
            source=EntrySource.TEXT,
            share_level=ShareLevel.PRIVATE,
            text=TEXT,
        )
        review = await entries.auto_tag(session, reflection=entry, tagger=tagger)
    await db.dispose()
    assert len(tagger.threads) == 1
    assert (tagger.threads[0] != threading.get_ident()) is off_loop
    assert (
        review.applied == frozenset(Tagger(codebook).tag(TEXT).applied) == {"musical", "attendance"}
    )
