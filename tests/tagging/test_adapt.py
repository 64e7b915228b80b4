"""Learning from a service's confirmed tags: a better layer is swapped in, a no-better one refused."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.database import Database
from bot.sandbox.runner import running_sandbox
from bot.tagging import adapt_files
from bot.tagging.adapt import is_held_back
from bot.tagging.adapt_base import BASE_FILE, labelled_sha256, stored_metadata, training_authors
from bot.tagging.adapt_files import LayerKind, live_layer, live_tagger
from bot.tagging.adapt_service import refresh, run_check
from bot.tagging.codes import Codebook
from bot.tagging.embedding import sha256_of as file_sha256
from bot.tagging.model_tagger import LAYER_FILE, ModelTagger
from storage import migrate
from tests.conftest import make_settings
from tests.tagging.adapt_helpers import PATTERN_CODES, add_tutor, confirmed, drill_entries

MINIMUM = 40


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'adapt.db'}"
    await migrate.upgrade_async(url)
    database = Database(url)
    yield database
    await database.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def tagger(codebook: Codebook, data_dir: Path) -> ModelTagger:
    """The bot's own tagger, as it loads at start; each test gets one, since a swap changes it."""
    loaded = live_tagger(codebook, data_dir)
    assert isinstance(loaded, ModelTagger)
    return loaded


def test_the_held_back_slice_is_about_a_fifth_and_never_moves() -> None:
    chosen = [entry_id for entry_id in range(1, 2001) if is_held_back(entry_id)]
    assert 0.17 < len(chosen) / 2000 < 0.23
    assert chosen == [entry_id for entry_id in range(1, 2001) if is_held_back(entry_id)]


def test_the_packaged_training_vectors_match_the_labelled_sets(codebook: Codebook) -> None:
    """After relabelling or retuning the cues, run `python -m bot.tagging.adapt_base`."""
    built_from = stored_metadata(BASE_FILE)
    assert built_from["labelled_sha256"] == labelled_sha256(training_authors())
    assert built_from["codebook_sha256"] == file_sha256(codebook.source)


async def test_below_the_threshold_nothing_is_trained(
    db: Database, tagger: ModelTagger, data_dir: Path
) -> None:
    who = await add_tutor(db, 1)
    await confirmed(db, who, [(text, PATTERN_CODES) for text in drill_entries(MINIMUM - 1)])
    before = tagger.probe
    check = await run_check(db, tagger, data_dir=data_dir, minimum=MINIMUM)
    assert check is not None and check.examples == MINIMUM - 1
    assert (check.trained_on, check.current_f1, check.accepted) == (0, None, False)
    assert tagger.probe is before
    assert not adapt_files.adapted_path(data_dir).exists()
    assert adapt_files.load_status(data_dir)["examples"] == MINIMUM - 1


async def test_a_pattern_the_packaged_layer_misses_is_learnt_and_swapped_in(
    db: Database,
    tagger: ModelTagger,
    codebook: Codebook,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    texts = drill_entries(60)
    await confirmed(db, await add_tutor(db, 1), [(text, PATTERN_CODES) for text in texts])
    unseen = drill_entries(1, seed=99)[0]
    assert "planning" not in tagger.tag(unseen).applied
    worker = live_tagger(codebook, data_dir)  # as a worker in its own process holds it
    with caplog.at_level(logging.DEBUG):
        check = await run_check(db, tagger, data_dir=data_dir, minimum=MINIMUM)
    assert check is not None and check.accepted, check
    assert check.adapted_f1 is not None and check.current_f1 is not None
    assert check.adapted_f1 > check.current_f1
    assert check.trained_on + check.held_back == 60 and check.held_back > 0
    assert "planning" in tagger.tag(unseen).applied, "the live tagger switched at once"
    assert live_layer(data_dir)[1] is LayerKind.ADAPTED
    assert "planning" in live_tagger(codebook, data_dir).tag(unseen).applied
    assert refresh(worker, data_dir) and "planning" in worker.tag(unseen).applied
    written = adapt_files.status_path(data_dir).read_text() + caplog.text
    assert f"{check.current_f1:.3f}" in caplog.text and f"{check.adapted_f1:.3f}" in caplog.text
    assert not any(text[:20] in written for text in texts), "counts and scores only, never words"


async def test_entries_the_tagger_already_gets_right_are_refused(
    db: Database, tagger: ModelTagger, codebook: Codebook, data_dir: Path
) -> None:
    texts = drill_entries(MINIMUM + 5, seed=2)
    labelled = [(text, tagger.tag(text).applied) for text in texts]
    await confirmed(db, await add_tutor(db, 1), labelled)
    before = tagger.probe
    check = await run_check(db, tagger, data_dir=data_dir, minimum=MINIMUM)
    assert check is not None and check.current_f1 == 1.0 and not check.accepted, check
    assert check.adapted_f1 is not None and check.adapted_f1 <= check.current_f1
    assert tagger.probe is before
    assert not adapt_files.adapted_path(data_dir).exists()
    assert live_layer(data_dir) == (LAYER_FILE, LayerKind.PACKAGED)
    assert adapt_files.load_status(data_dir)["accepted"] is False
    assert refresh(tagger, data_dir) is False


async def test_the_bot_tags_with_the_model_and_schedules_the_daily_check(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", run_worker=False)
    async with running_sandbox(settings) as running:
        assert isinstance(running.app.bot_data.tagger, ModelTagger)
        assert running.app.job_queue is not None
        (job,) = running.app.job_queue.get_jobs_by_name("tagger-adaptation")
        assert job.job.trigger.interval.days == 1
        await job.run(running.app)  # as the scheduler would, a day in
    assert adapt_files.load_status(settings.data_dir)["reason"].startswith("fewer confirmed")


def test_a_damaged_adapted_layer_leaves_the_packaged_one_in_use(data_dir: Path) -> None:
    adapt_files.adapted_path(data_dir).parent.mkdir(parents=True)
    adapt_files.adapted_path(data_dir).write_bytes(b"not a layer")
    assert live_layer(data_dir) == (LAYER_FILE, LayerKind.PACKAGED)
