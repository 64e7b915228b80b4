"""The labelled sets are well formed, and the tagger's dev-set score doesn't slip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.tagging.authors import HELD_BACK
from bot.tagging.codebook import Codebook
from bot.tagging.dataset import DEV_SET, HOLDOUT_SET, load_examples
from bot.tagging.evaluate import evaluate
from bot.tagging.tagger import Tagger

# Slightly below what the tagger scores today on all 350 dev entries (0.863 and 0.878; the
# set includes the old holdout and 80 entries by a second author): a guard, not a target.
# Challenges fell from 0.899 when the sets were relabelled to the settled conventions
# (tests/data/relabelled_2026-11-29.md: mostly good joint working with staff as partnership),
# and the cues were deliberately not retuned to win it back.
OUTCOMES_FLOOR = 0.85
CHALLENGES_FLOOR = 0.87
# Voice-transcript style: starts in lower case, no sentence punctuation.
TRANSCRIPT_STYLE = re.compile(r"^[a-z][^.!?;:]*$")


# The held-back author's file is not opened here either: it is read once, for its final score.
AUTHORS = sorted(
    path for path in (DEV_SET.parent / "authors").glob("author_*.jsonl") if path.stem != HELD_BACK
)


@pytest.mark.parametrize(
    ("path", "minimum"),
    [(DEV_SET, 80), (HOLDOUT_SET, 40), *((path, 80) for path in AUTHORS)],
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_labelled_sets_are_well_formed(codebook: Codebook, path: Path, minimum: int) -> None:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(rows) >= minimum
    assert len({row["id"] for row in rows}) == len(rows)
    outcomes = {code.id for code in codebook.outcomes}
    challenges = {code.id for code in codebook.challenges}
    for row in rows:
        assert set(row) == {"id", "text", "outcomes", "challenges"}
        assert set(row["outcomes"]) <= outcomes, row["id"]
        assert set(row["challenges"]) <= challenges, row["id"]


def test_dev_set_is_varied() -> None:
    examples = load_examples(DEV_SET)
    transcripts = [e for e in examples if TRANSCRIPT_STYLE.match(e.text)]
    assert len(transcripts) >= len(examples) * 0.22
    assert sum(not e.codes for e in examples) >= 8
    lengths = sorted(len(e.text) for e in examples)
    assert lengths[0] < 60 and lengths[-1] > 500


def test_dev_set_score_stays_above_the_floor(tagger: Tagger) -> None:
    report = evaluate(DEV_SET, tagger)
    assert report.outcomes.f1 >= OUTCOMES_FLOOR
    assert report.challenges.f1 >= CHALLENGES_FLOOR
