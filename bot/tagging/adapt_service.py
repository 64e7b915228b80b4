"""The daily check: reads tutors' confirmed entries, adapts off the event loop, keeps a better layer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from bot.database import Database
from bot.tagging import adapt_files
from bot.tagging.adapt import Check, Packaged, adapt
from bot.tagging.adapt_base import load_base
from bot.tagging.codes import Codebook
from bot.tagging.embedding import ModelUnavailable, sha256_of
from bot.tagging.model_tagger import LAYER_FILE, ModelTagger
from bot.tagging.probe import Probe, load_probe
from bot.tagging.tagger import Tagger
from storage import confirmed
from storage.base import utcnow
from storage.confirmed import ConfirmedEntry

logger = logging.getLogger(__name__)


async def run_check(db: Database, tagger: Tagger, *, data_dir: Path, minimum: int) -> Check | None:
    """None when only the cues tag: without the model there is no layer to adapt."""
    if not isinstance(tagger, ModelTagger):
        return None
    async with db.transaction() as session:
        entries = await confirmed.confirmed_entries(session=session)
    return await asyncio.to_thread(check_and_keep, entries, tagger, data_dir, minimum)


def check_and_keep(
    entries: Sequence[ConfirmedEntry], tagger: ModelTagger, data_dir: Path, minimum: int
) -> Check:
    """Trains and judges; a better layer is saved, then used by the live tagger at once."""
    check, probe = _adapt(entries, tagger, minimum)
    if probe is not None:
        adapt_files.save_adapted(probe, data_dir)
        tagger.use(probe)
    adapt_files.save_status({**check.as_dict(), "checked_at": utcnow().isoformat()}, data_dir)
    _log(check)
    return check


def _adapt(
    entries: Sequence[ConfirmedEntry], tagger: ModelTagger, minimum: int
) -> tuple[Check, Probe | None]:
    if len(entries) < minimum:
        return Check(len(entries), minimum), None
    try:
        packaged = _packaged(tagger.codebook)
    except (OSError, ModelUnavailable) as error:
        logger.warning("tagger adaptation skipped: %s", error)
        return Check(len(entries), minimum, reason=f"no packaged training vectors ({error})"), None
    return adapt(entries, tagger, packaged, minimum)


def _packaged(codebook: Codebook) -> Packaged:
    """Read afresh each day: small, and always the layer this release ships."""
    return Packaged(load_probe(LAYER_FILE), load_base(codebook), sha256_of(LAYER_FILE))


def _log(check: Check) -> None:
    """Counts and scores only: the entries' words never reach a log."""
    logger.info(
        "tagger adaptation: %d confirmed examples (minimum %d), %d trained on, %d held back; "
        "current layer F1 %s, adapted %s; %s",
        check.examples,
        check.minimum,
        check.trained_on,
        check.held_back,
        _score(check.current_f1),
        _score(check.adapted_f1),
        "swapped in" if check.accepted else f"kept the current layer ({check.reason})",
    )


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def refresh(tagger: Tagger, data_dir: Path) -> bool:
    """For a process that doesn't run the check itself: picks up a layer another one accepted."""
    if not isinstance(tagger, ModelTagger):
        return False
    path, _kind = adapt_files.live_layer(data_dir)
    probe = load_probe(path)
    if probe.metadata == tagger.probe.metadata:
        return False
    tagger.use(probe)
    logger.info("tagger now uses %s", path.name)
    return True
