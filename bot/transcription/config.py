"""Transcriber settings in one frozen value, so backends never read `Settings` themselves."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings, SettingsError
from bot.transcription.profiles import PROFILES, Profile
from bot.transcription.vocabulary import VocabularyError, load_vocabulary

logger = logging.getLogger(__name__)

AUTO_LANGUAGE = {"", "auto", "detect", "none"}
# Both backends decode with the same options, so their speed and accuracy compare fairly.
BEAM_SIZE = 5
CONDITION_ON_PREVIOUS_TEXT = False  # stops one misheard phrase snowballing through a long note


@dataclass(frozen=True)
class TranscriberConfig:
    """What to load and how; `language` None means detect it from the audio."""

    backend: str = "faster-whisper"
    model: str = "tiny.en"
    language: str | None = "en"
    compute_type: str = "int8"
    cpu_threads: int = 0
    num_workers: int = 1  # notes that may be transcribed at once on the one loaded model
    device: str = "cpu"
    models_dir: Path = Path("data/models")
    beam_size: int = BEAM_SIZE
    vocabulary: tuple[
        str, ...
    ] = ()  # domain words to favour: an initial prompt, hotwords or boosts

    @property
    def fixed_language(self) -> str | None:
        """`auto` and friends mean detection, which Whisper asks for as None."""
        if self.language is None or self.language.strip().lower() in AUTO_LANGUAGE:
            return None
        return self.language.strip().lower()


def config_from_settings(settings: Settings) -> TranscriberConfig:
    """The bot, the worker and the CLI all build their transcriber the same way: the profile,
    adjusted by TRANSCRIBER and WHISPER_MODEL when those are set."""
    chosen = PROFILES[settings.transcription_profile]
    backend, model = _backend_and_model(settings, chosen)
    return TranscriberConfig(
        backend=backend,
        model=model,
        language=settings.whisper_language,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_cpu_threads,
        num_workers=settings.resolved_transcription_concurrency,
        device=settings.whisper_device,
        models_dir=settings.data_dir / "models",
        beam_size=chosen.beam_size,
        vocabulary=_vocabulary_for(backend, settings),
    )


def _vocabulary_for(backend: str, settings: Settings) -> tuple[str, ...]:
    """Moonshine's word boosts leave other speech alone; a Whisper prompt does not (measured in
    bench/README.md: it doubled errors on ordinary speech), so Whisper gets it only on request."""
    words = vocabulary_words(settings.transcription_vocabulary)
    if backend == "moonshine" or settings.whisper_vocabulary_hint:
        return words
    return ()


def _backend_and_model(settings: Settings, chosen: Profile) -> tuple[str, str]:
    backend = settings.transcriber or chosen.backend
    if (backend == "moonshine") != (chosen.backend == "moonshine"):
        raise SettingsError(
            f"TRANSCRIBER={backend} does not run the {chosen.name!r} profile's model: "
            "use TRANSCRIPTION_PROFILE=accurate for moonshine, fast or balanced for Whisper"
        )
    return backend, settings.whisper_model or chosen.model


def vocabulary_words(setting: str) -> tuple[str, ...]:
    """`off` turns hints off; blank means `prompts/vocabulary.yaml`; anything else is a path."""
    if setting.strip().lower() in {"off", "none", "no"}:
        return ()
    try:
        return load_vocabulary(Path(setting) if setting.strip() else None).words
    except VocabularyError as error:
        raise SettingsError(f"TRANSCRIPTION_VOCABULARY: {error}") from None
