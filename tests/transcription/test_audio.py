"""Decoding: every format to the same 16 kHz mono samples, and a kind error for broken files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bot.transcription import AudioError, decode_audio, probe_duration
from bot.transcription.audio import CUT_SHORT, EMPTY, MISSING, SAMPLE_RATE, UNREADABLE
from bot.transcription.ogg import broken_page_offset
from tests.speech import SpeechClip, silence, speech_clip


@pytest.fixture(scope="module")
def twelve_seconds(speech_tools: None, tmp_path_factory: pytest.TempPathFactory) -> SpeechClip:
    return speech_clip(12, tmp_path_factory.mktemp("clip") / "twelve.ogg")


def test_decodes_a_voice_note_to_16k_mono_float32(twelve_seconds: SpeechClip) -> None:
    samples = decode_audio(twelve_seconds.path)

    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert len(samples) / SAMPLE_RATE == pytest.approx(12, abs=0.2)
    assert 0.05 < float(np.abs(samples).max()) <= 1.0


def test_probe_duration_is_right_within_a_fifth_of_a_second(twelve_seconds: SpeechClip) -> None:
    assert probe_duration(twelve_seconds.path) == pytest.approx(12, abs=0.2)


@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".wav"])
def test_other_formats_decode_to_the_same_length(
    twelve_seconds: SpeechClip, tmp_path: Path, suffix: str
) -> None:
    converted = tmp_path / f"note{suffix}"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(twelve_seconds.path), str(converted)],
        check=True,
    )

    assert len(decode_audio(converted)) / SAMPLE_RATE == pytest.approx(12, abs=0.2)
    assert probe_duration(converted) == pytest.approx(12, abs=0.2)


def test_zero_bytes_is_an_empty_voice_note(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ogg"
    empty.touch()

    with pytest.raises(AudioError) as caught:
        decode_audio(empty)

    assert caught.value.friendly == EMPTY
    assert "0 bytes" in caught.value.reason


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.02])
def test_truncated_ogg_is_reported_as_cut_short(
    twelve_seconds: SpeechClip, tmp_path: Path, keep: float
) -> None:
    whole = twelve_seconds.path.read_bytes()
    truncated = tmp_path / "truncated.ogg"
    truncated.write_bytes(whole[: int(len(whole) * keep)])

    with pytest.raises(AudioError) as caught:
        decode_audio(truncated)

    assert caught.value.friendly == CUT_SHORT
    assert "Ogg page broken" in caught.value.reason


def test_a_whole_ogg_file_has_no_broken_page(twelve_seconds: SpeechClip) -> None:
    assert broken_page_offset(twelve_seconds.path) is None


def test_text_named_ogg_is_unreadable(tmp_path: Path) -> None:
    fake = tmp_path / "note.ogg"
    fake.write_text("Dear diary, this is not a voice note at all.\n" * 20)

    with pytest.raises(AudioError) as caught:
        decode_audio(fake)

    assert caught.value.friendly == UNREADABLE
    assert "FFmpeg cannot decode it" in caught.value.reason


def test_a_picture_has_no_audio_stream(speech_tools: None, tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    red_square = ["-f", "lavfi", "-i", "color=c=red:s=8x8", "-frames:v", "1"]
    subprocess.run(["ffmpeg", "-loglevel", "error", *red_square, str(picture)], check=True)

    with pytest.raises(AudioError) as caught:
        decode_audio(picture)

    assert caught.value.friendly == UNREADABLE
    assert caught.value.reason == "the file has no audio stream"


def test_probe_of_a_broken_file_raises_the_same_error(tmp_path: Path) -> None:
    fake = tmp_path / "note.ogg"
    fake.write_bytes(b"\x00\x01garbage" * 100)

    with pytest.raises(AudioError) as caught:
        probe_duration(fake)

    assert caught.value.friendly == UNREADABLE


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as caught:
        decode_audio(tmp_path / "gone.ogg")

    assert caught.value.friendly == MISSING


def test_silence_decodes_to_zeros_not_an_error(speech_tools: None, tmp_path: Path) -> None:
    samples = decode_audio(silence(3, tmp_path / "quiet.ogg"))

    assert len(samples) / SAMPLE_RATE == pytest.approx(3, abs=0.1)
    assert float(np.abs(samples).max()) < 1e-3


def test_friendly_messages_are_short_plain_sentences() -> None:
    for message in (EMPTY, UNREADABLE, CUT_SHORT, MISSING):
        assert message.endswith(("?", "."))
        assert len(message) < 140
        assert "ffmpeg" not in message.lower()
