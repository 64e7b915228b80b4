"""Synthesised voice notes for tests and benchmarks: espeak-ng speech as Telegram-style Ogg/Opus.

Files are cached under `.cache/speech/` (gitignored), keyed on everything that made them, so a
second run costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import jiwer

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "speech"
PAUSE_SECONDS = 0.7

# Realistic tutor reflections, two to four sentences each: the test and benchmark scripts.
REFLECTIONS = (
    "The year four group were much more settled today. Jamal played the ukulele chords all "
    "the way through, and the others clapped for him when he finished.",
    "Attendance was low again because of the school trip. The three who came worked really "
    "well together on the drumming piece, and Chloe helped the new boy find the beat.",
    "I struggled to keep Mia engaged during the singing warm up. Next week I will bring the "
    "rhythm cards and let her choose the song, because she responds well to having a choice.",
    "The session in the nurture group was calm and focused. Two of the children led the call "
    "and response for the first time. I want to share this idea with the peer group.",
    "We ran out of keyboards, so some pupils had to wait for a long time. Behaviour slipped "
    "towards the end. I need to plan shorter activities and ask the school for more resources.",
)
EXTRA_PARAGRAPHS = (
    "Leo was quiet at the start but joined in with the glockenspiel by the end of the lesson. "
    "His teaching assistant said it was the first time he had smiled all week.",
    "The partnership with the youth centre is working well. Their staff stayed for the whole "
    "session and joined in with the body percussion, which made a big difference.",
    "I felt tired and a bit flat today after a difficult morning. It would help to talk to my "
    "lead about how to manage the afternoon sessions when the children are unsettled.",
)
PARAGRAPHS = REFLECTIONS + EXTRA_PARAGRAPHS

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
NUMBER_WORDS = dict(enumerate(DIGITS))


@dataclass(frozen=True)
class SpeechClip:
    """A synthesised voice note and the script it was read from, for word error rates."""

    path: Path
    script: str


def synthesise(text: str, out_path: Path, *, voice: str = "en-gb", speed: int = 150) -> Path:
    """espeak-ng → WAV → Opus in Ogg, mono 48 kHz at 32 kbit/s, like a Telegram voice note."""
    cached = _cached("speech", text, voice, speed, suffix=".ogg")
    if not cached.exists():
        with tempfile.TemporaryDirectory() as scratch:
            wav = _speak(text, Path(scratch) / "speech.wav", voice=voice, speed=speed)
            _encode_voice_note(["-i", str(wav)], cached)
    return _copy(cached, out_path)


def silence(seconds: float, out_path: Path) -> Path:
    """Digital silence: Whisper is known to invent text here unless VAD stops it."""
    return _generated(f"anullsrc=r=48000:cl=mono:d={seconds}", out_path)


def noise(seconds: float, out_path: Path, *, amplitude: float = 0.2) -> Path:
    """Pink noise, the roughest stand-in for a noisy music room with nobody talking."""
    return _generated(f"anoisesrc=d={seconds}:c=pink:r=48000:a={amplitude}", out_path)


def speech_clip(
    seconds: float, out_path: Path, *, voice: str = "en-gb", speed: int = 150
) -> SpeechClip:
    """Whole paragraphs, repeated in turn, then silence to pad to exactly `seconds`."""
    cached = _cached("clip", str(seconds), voice, speed, suffix=".ogg")
    script_file = cached.with_suffix(".txt")
    if not (cached.exists() and script_file.exists()):
        with tempfile.TemporaryDirectory() as scratch:
            script = _build_clip(seconds, Path(scratch), cached, voice=voice, speed=speed)
        script_file.write_text(script)
    return SpeechClip(_copy(cached, out_path), script_file.read_text())


def normalise(text: str) -> str:
    """Case, punctuation and spelt-out numbers must not count as recognition errors."""
    words = re.sub(r"[^\w\s']", " ", text.lower()).replace("'", "").split()
    return " ".join(NUMBER_WORDS.get(int(word), word) if word.isdigit() else word for word in words)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """jiwer's WER after `normalise`; an empty hypothesis scores 1.0."""
    return float(jiwer.wer(normalise(reference), normalise(hypothesis) or "<empty>"))


def _build_clip(seconds: float, scratch: Path, target: Path, *, voice: str, speed: int) -> str:
    """Adds paragraphs while they fit, so no word is cut in half at the end."""
    spoken: list[Path] = []
    script: list[str] = []
    total = 0.0
    for index in range(10_000):
        text = PARAGRAPHS[index % len(PARAGRAPHS)]
        wav = _speak(text, scratch / f"{index}.wav", voice=voice, speed=speed)
        length = _wav_seconds(wav) + PAUSE_SECONDS
        if total + length > seconds and spoken:
            break
        spoken.append(wav)
        script.append(text)
        total += length
    joined = _join_wavs(spoken, scratch / "joined.wav", seconds)
    _encode_voice_note(["-i", str(joined)], target)
    return " ".join(script)


def _speak(text: str, wav: Path, *, voice: str, speed: int) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    return wav


def _join_wavs(parts: list[Path], target: Path, seconds: float) -> Path:
    """Concatenates with a pause after each part, then pads with silence to `seconds`."""
    with wave.open(str(parts[0]), "rb") as first:
        params = first.getparams()
    frame_bytes = params.sampwidth * params.nchannels
    pause = b"\0" * int(PAUSE_SECONDS * params.framerate) * frame_bytes
    audio = b"".join(_wav_frames(part) + pause for part in parts)
    wanted = int(seconds * params.framerate) * frame_bytes
    audio = audio[:wanted] + b"\0" * max(0, wanted - len(audio))
    with wave.open(str(target), "wb") as out:
        out.setparams(params)
        out.writeframes(audio)
    return target


def _wav_frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as source:
        return source.readframes(source.getnframes())


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as source:
        return source.getnframes() / source.getframerate()


def _generated(lavfi_source: str, out_path: Path) -> Path:
    cached = _cached("lavfi", lavfi_source, suffix=".ogg")
    if not cached.exists():
        _encode_voice_note(["-f", "lavfi", "-i", lavfi_source], cached)
    return _copy(cached, out_path)


def _encode_voice_note(input_args: list[str], target: Path) -> None:
    """Writes beside the target and renames, so an interrupted run never caches half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.stem}.{os.getpid()}.partial.ogg")
    command = ["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *input_args]
    command += ["-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k", str(partial)]
    subprocess.run(command, check=True, capture_output=True)
    partial.replace(target)


def _cached(kind: str, *key: object, suffix: str) -> Path:
    digest = hashlib.sha256(repr((kind, *key)).encode()).hexdigest()[:16]
    return CACHE_DIR / f"{kind}-{digest}{suffix}"


def _copy(source: Path, out_path: Path) -> Path:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if source.resolve() != out_path.resolve():
        shutil.copyfile(source, out_path)
    return out_path
