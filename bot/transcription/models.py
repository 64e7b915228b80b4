"""Finds the model a setting names: a local path, a packaged model, or a download."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.transcription.config import TranscriberConfig
from bot.transcription.convert import cached_checkpoint
from bot.transcription.errors import ModelUnavailable
from bot.transcription.packaged import TINY_EN_INSTALL, base_dir, tiny_en_dir

logger = logging.getLogger(__name__)

BUNDLED_MODEL = "tiny.en"
PACKAGED_BASE = "base"
PATH_PREFIXES = ("/", "./", "../", "~")


def packaged_model_dir(name: str, models_dir: Path) -> Path | None:
    """The CTranslate2 folder of a model that came as a package; None for any other name."""
    if name == BUNDLED_MODEL:
        return tiny_en_dir()
    if name == PACKAGED_BASE:
        return base_dir(models_dir)
    return None


def local_model_path(model: str) -> Path | None:
    """A setting that names something on disk is a path; anything else is a model name."""
    path = Path(model).expanduser()
    if path.exists():
        return path
    if model.startswith(PATH_PREFIXES) or path.suffix in {".pt", ".bin"}:
        raise ModelUnavailable(
            f"WHISPER_MODEL points at {path}, but nothing is there. "
            "Check the path, or set WHISPER_MODEL=tiny.en to use the bundled model."
        )
    return None


def faster_whisper_model(config: TranscriberConfig) -> Path:
    """A CTranslate2 model folder, downloading into `models_dir` only when we must."""
    local = local_model_path(config.model)
    if local is not None:
        return local
    packaged = packaged_model_dir(config.model, config.models_dir)
    if packaged is not None:
        return packaged
    return download_ct2_model(config.model, config.models_dir)


def download_ct2_model(name: str, models_dir: Path, *, local_files_only: bool = False) -> Path:
    """faster-whisper's own download, with an error that says what to do offline."""
    from faster_whisper.utils import download_model

    logger.info("Fetching Whisper model %s into %s", name, models_dir)
    try:
        path = download_model(name, cache_dir=str(models_dir), local_files_only=local_files_only)
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelUnavailable(offline_advice(name, error)) from error
    return Path(path)


def openai_whisper_source(config: TranscriberConfig) -> str:
    """A checkpoint path for `whisper.load_model`, converting CTranslate2 folders first."""
    local = local_model_path(config.model)
    if local is not None and local.is_dir():
        return str(cached_checkpoint(local, config.models_dir, local.name))
    if local is not None:
        return str(local)
    packaged = packaged_model_dir(config.model, config.models_dir)
    if packaged is not None:
        return str(cached_checkpoint(packaged, config.models_dir, config.model))
    return config.model  # an official name: openai-whisper downloads it into models_dir


def offline_advice(name: str, error: BaseException) -> str:
    """The one message an operator needs when a model cannot be fetched."""
    return (
        f"Could not get the Whisper model {name!r} ({error}). If this machine is offline, "
        f"either `{TINY_EN_INSTALL}` and set WHISPER_MODEL=tiny.en, or download "
        "the model on another machine and set WHISPER_MODEL to its local path."
    )
