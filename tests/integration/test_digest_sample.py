"""The sample digest in docs/digest-sample/ is what the code makes from the demo week.

REGENERATE=1 rewrites the files; otherwise the test fails when the rendering drifts from
what was committed, so the sample people look at is always the real thing.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.database import Database
from bot.services import demo, digests
from bot.services.digest_questions import load_digest_questions
from bot.tagging.codebook import load_codebook
from bot.tagging.tagger import Tagger
from bot.views.digest import digest_text, outcome_chart
from bot.views.texts import load_texts

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "digest-sample"
MONDAY = datetime(2026, 11, 16, tzinfo=ZoneInfo("Europe/London"))


async def test_the_committed_sample_is_what_the_code_renders(database: Database) -> None:
    codebook = load_codebook()
    async with database.transaction() as session:
        group_id = await demo.seed_week(session, tagger=Tagger(codebook), monday=MONDAY)
    rendered = {}
    async with database.transaction() as session:
        for lead in (False, True):
            digest = await digests.build(
                session,
                group_id=group_id,
                week=digests.Week.parse("2026-W47"),
                for_lead=lead,
                codebook=codebook,
            )
            assert digest is not None
            question = load_digest_questions(codebook).for_challenge(digests.main_challenge(digest))
            rendered["lead" if lead else "group"] = digest_text(
                load_texts(), codebook, digest, question
            )
            chart = outcome_chart(codebook, digest)
    assert "Tired today" not in rendered["group"] + rendered["lead"], "private stays private"
    assert "safeguarding" in rendered["lead"] and "safeguarding" not in rendered["group"]
    if os.environ.get("REGENERATE"):
        SAMPLE.mkdir(parents=True, exist_ok=True)
        for copy, text in rendered.items():
            (SAMPLE / f"{copy}-copy.txt").write_text(text + "\n", encoding="utf-8")
        (SAMPLE / "chart.png").write_bytes(chart)
    for copy, text in rendered.items():
        assert (SAMPLE / f"{copy}-copy.txt").read_text(encoding="utf-8") == text + "\n", copy
    assert (SAMPLE / "chart.png").read_bytes().startswith(b"\x89PNG")
