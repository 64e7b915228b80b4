"""Where an adapted layer and the last check's scores live under DATA_DIR, written atomically."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.tagging.codes import Codebook
from bot.tagging.embedding import sha256_of
from bot.tagging.model_tagger import LAYER_FILE, ModelTagger, load_tagger
from bot.tagging.probe import Probe, load_probe, save_probe
from bot.tagging.tagger import Tagger

logger = logging.getLogger(__name__)

FOLDER = "tagger"
LAYER_NAME = "adapted-layer.npz"
STATUS_NAME = "status.json"


class LayerKind(StrEnum):
    """What re-decides the cues' verdicts: nothing, the layer we ship, or one learnt here."""

    CUES_ONLY = "cues only"
    PACKAGED = "packaged layer"
    ADAPTED = "adapted layer"


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def adapted_path(data_dir: Path) -> Path:
    return folder(data_dir) / LAYER_NAME


def status_path(data_dir: Path) -> Path:
    return folder(data_dir) / STATUS_NAME


def live_layer(data_dir: Path) -> tuple[Path, LayerKind]:
    """The adapted layer when one was accepted on top of the layer we ship now; else ours."""
    path = adapted_path(data_dir)
    if not path.exists():
        return LAYER_FILE, LayerKind.PACKAGED
    try:
        based_on = load_probe(path).metadata.get("adapted", {})
    except Exception as error:  # a damaged file must not stop the bot: the packaged layer will do
        logger.warning("ignoring %s: %s", path, type(error).__name__)
        return LAYER_FILE, LayerKind.PACKAGED
    if not isinstance(based_on, dict) or based_on.get("base_layer_sha256") != packaged_sha256():
        logger.info("ignoring %s: trained on top of an older packaged layer", path.name)
        return LAYER_FILE, LayerKind.PACKAGED
    return path, LayerKind.ADAPTED


def live_tagger(codebook: Codebook, data_dir: Path) -> Tagger:
    """Loaded once at start: the model with the accepted layer, or the cues alone without it."""
    path, kind = live_layer(data_dir)
    tagger = load_tagger(codebook, path)
    logger.info("tagger: %s", kind if isinstance(tagger, ModelTagger) else LayerKind.CUES_ONLY)
    return tagger


def packaged_sha256() -> str | None:
    return sha256_of(LAYER_FILE) if LAYER_FILE.exists() else None


def save_adapted(probe: Probe, data_dir: Path) -> Path:
    """The new layer, replacing any earlier one in a single step."""
    path = adapted_path(data_dir)
    _write_atomically(path, lambda temporary: save_probe(probe, temporary))
    return path


def save_status(status: dict[str, Any], data_dir: Path) -> None:
    """The last check's counts and scores, for `reflectbot tagger status`; never any text."""
    text = json.dumps(status, indent=2, sort_keys=True)
    _write_atomically(status_path(data_dir), lambda temporary: temporary.write_text(text, "utf-8"))


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Written beside its final name and renamed, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=path.suffix, delete=False) as handle:
        temporary = Path(handle.name)
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def load_status(data_dir: Path) -> dict[str, Any]:
    """Empty until the first check has run."""
    try:
        status: dict[str, Any] = json.loads(status_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return status
