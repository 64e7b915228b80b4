"""`reflectbot tagger status`: the layer in use, its scores, and the examples tutors have given."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.commands import prepare_database
from bot.database import Database
from bot.settings import Settings
from bot.tagging import adapt_files
from bot.tagging.adapt import Check
from bot.tagging.adapt_cli import run_status
from tests.conftest import make_settings
from tests.tagging.adapt_helpers import add_tutor, confirmed, unconfirmed


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", tagger_adapt_min=5)


async def seed(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    who = await add_tutor(db, 7)
    await confirmed(db, who, [("We sang.", ["musical"]), ("We jammed.", ["social"])])
    await unconfirmed(db, who, "Not yet looked at.", 9)
    await db.dispose()


def status(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(["tagger", "status", *argv])
    assert args.handler is run_status
    return run_status(args, settings)


def test_status_as_json_before_any_check(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    prepare_database(settings)
    asyncio.run(seed(settings))
    assert status(settings, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["confirmed_examples"] == 2
    assert report["adapt_min"] == 5
    assert report["last_check"] is None
    assert report["tagger"] in ("packaged layer", "cues only")
    if report["tagger"] == "packaged layer":
        assert len(report["model_sha256"]) == len(report["layer_sha256"]) == 64
        assert set(report["layer_scores"]) == {"outcomes", "challenges"}


def test_status_in_words_after_a_refused_check(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    check = Check(240, 200, 190, 50, 0.8125, 0.79, False, "no better on the held-back entries")
    adapt_files.save_status(
        {**check.as_dict(), "checked_at": "2026-11-30T03:00:00"}, settings.data_dir
    )
    assert status(settings) == 0
    out = capsys.readouterr().out
    assert "0 entries whose tags tutors confirmed or changed" in out
    assert "learning starts at 5 (TAGGER_ADAPT_MIN)" in out
    assert "2026-11-30 03:00 UTC, 190 trained on, 50 held back" in out
    assert "current 0.812, adapted 0.790: kept the current layer" in out
    if "Tagger:      packaged layer" in out:
        assert re.search(r"Agreement:   outcomes 0\.\d{3}, challenges 0\.\d{3} \(micro-F1", out)
