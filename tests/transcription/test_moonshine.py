"""Moonshine base-en on onnxruntime: accuracy, chunking, vocabulary biasing and model checks.

Measured on espeak-ng speech (en-gb, 150 wpm, Opus voice notes): WER 0.15, 0.07 and 0.03 on the
first three reflections, beckett.wav word for word. Two transcribers (with and without the
vocabulary) load once per session, about 2 s each; the file runs in about 16 s on two cores.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.transcription import ModelUnavailable, TranscriberConfig, decode_audio, moonshine_model
from bot.transcription.audio import SAMPLE_RATE
from bot.transcription.moonshine_backend import (
    CHUNK_SECONDS,
    MoonshineTranscriber,
    moonshine_model_dir,
    speech_chunks,
)
from bot.transcription.moonshine_decoder import merged_runs
from bot.transcription.moonshine_graph import GraphRewriteError
from bot.transcription.moonshine_model import (
    DECODER_FILE,
    INT8_DECODER,
    MODEL_FILES,
    TOKENIZER_FILE,
    BinTokenizer,
    VocabularyBias,
)
from tests.speech import (
    SpeechClip,
    noise,
    normalise,
    silence,
    speech_clip,
    synthesise,
    word_error_rate,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("moonshine_cpp") is None,
    reason="needs the Moonshine model files: pip install moonshine-cpp==0.1.4",
)

VOCABULARY = ("djembe", "glockenspiel", "SENCO", "call-and-response", "boomwhackers", "ukulele")
BECKETT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."
MEAN_WER_BOUND = 0.15
CLIP_WER_BOUND = 0.3
LONG_NOTE_WER_BOUND = 0.2
NOTES = 3  # of the five reflections: enough for a mean, and the file stays under 30 s
# Sentences written for these tests, not the ones the bonuses were tuned on. Without biasing
# Moonshine hears "Senko"; with it, "Senco" (acronyms it does not know come out as names). The
# others hold no vocabulary word, one of them a near miss, and must come out exactly the same.
BIASED_SCRIPT = "The SENCO came to watch the second half of the lesson."
PLAIN_SCRIPTS = (
    "We talked about the weekend and then tidied the room together.",
    "He said the sensor in the corridor kept going off.",
)


def config(**overrides: object) -> TranscriberConfig:
    """Moonshine settings as the bot would build them."""
    values: dict[str, object] = {"backend": "moonshine", "model": "base-en", "num_workers": 1}
    values.update(overrides)
    return TranscriberConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def moonshine() -> MoonshineTranscriber:
    transcriber = MoonshineTranscriber(config())
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def biased_moonshine() -> MoonshineTranscriber:
    transcriber = MoonshineTranscriber(config(vocabulary=VOCABULARY))
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def model_folder() -> Path:
    return moonshine_model_dir(config())


@pytest.fixture(scope="session")
def moonshine_heard(moonshine: MoonshineTranscriber, voice_notes: list[SpeechClip]) -> list[str]:
    return [moonshine.transcribe(note.path).text for note in voice_notes[:NOTES]]


def test_beckett_is_transcribed_word_for_word(
    moonshine: MoonshineTranscriber, model_folder: Path
) -> None:
    clip = model_folder.parent.parent / "test-data" / "beckett.wav"
    transcript = moonshine.transcribe(clip)

    assert word_error_rate(BECKETT, transcript.text) <= 0.1, transcript.text
    assert transcript.backend == "moonshine"
    assert transcript.model == "base-en"
    assert transcript.language == "en"
    assert transcript.real_time_factor > 1


def test_voice_notes_are_transcribed_accurately(
    voice_notes: list[SpeechClip], moonshine_heard: list[str]
) -> None:
    scripts = [note.script for note in voice_notes[:NOTES]]
    rates = [word_error_rate(*pair) for pair in zip(scripts, moonshine_heard, strict=True)]

    assert max(rates) < CLIP_WER_BOUND, rates
    assert sum(rates) / len(rates) < MEAN_WER_BOUND, rates


def test_notes_transcribed_at_once_match_one_at_a_time(
    moonshine: MoonshineTranscriber, voice_notes: list[SpeechClip], moonshine_heard: list[str]
) -> None:
    """Each decoding keeps its own cache, so threads sharing the sessions cannot mix notes."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(lambda n: moonshine.transcribe(n.path).text, voice_notes[:2]))

    assert texts == moonshine_heard[:2]


def test_long_note_is_cut_into_chunks_moonshine_can_take(
    moonshine: MoonshineTranscriber, tmp_path: Path, speech_tools: None
) -> None:
    note = speech_clip(45, tmp_path / "long.ogg")
    samples = decode_audio(note.path)
    progress: list[float] = []

    chunks = speech_chunks(samples)
    transcript = moonshine.transcribe(note.path, progress.append)

    assert len(chunks) >= 3
    assert all(chunk.samples.size <= CHUNK_SECONDS * SAMPLE_RATE for chunk in chunks)
    assert word_error_rate(note.script, transcript.text) < LONG_NOTE_WER_BOUND
    assert progress == sorted(progress)
    assert 0.8 < progress[-1] <= 1.0


def test_silence_gives_empty_text(moonshine: MoonshineTranscriber, tmp_path: Path) -> None:
    assert moonshine.transcribe(silence(6, tmp_path / "quiet.ogg")).text == ""


def test_noise_with_nobody_talking_gives_empty_text(
    moonshine: MoonshineTranscriber, tmp_path: Path
) -> None:
    assert moonshine.transcribe(noise(6, tmp_path / "room.ogg")).text == ""


def test_vocabulary_puts_a_domain_word_right(
    moonshine: MoonshineTranscriber,
    biased_moonshine: MoonshineTranscriber,
    tmp_path: Path,
    speech_tools: None,
) -> None:
    note = synthesise(BIASED_SCRIPT, tmp_path / "biased.ogg")

    plain = moonshine.transcribe(note).text
    biased = biased_moonshine.transcribe(note).text

    assert "senco" not in normalise(plain)
    assert "senco" in normalise(biased)
    assert word_error_rate(BIASED_SCRIPT, biased) < word_error_rate(BIASED_SCRIPT, plain)


@pytest.mark.parametrize("script", PLAIN_SCRIPTS)
def test_vocabulary_leaves_other_speech_alone(
    script: str,
    moonshine: MoonshineTranscriber,
    biased_moonshine: MoonshineTranscriber,
    tmp_path: Path,
    speech_tools: None,
) -> None:
    note = synthesise(script, tmp_path / "plain.ogg")

    assert biased_moonshine.transcribe(note).text == moonshine.transcribe(note).text


def test_tokenizer_encodes_as_sentencepiece_does(model_folder: Path) -> None:
    """Token ids from upstream tokenizer.json (the Llama SentencePiece vocabulary)."""
    tokenizer = BinTokenizer.from_file(model_folder / TOKENIZER_FILE)

    assert tokenizer.encode(" djembe") == [270, 12701, 915]
    assert tokenizer.encode(" call-and-response") == [1246, 29899, 392, 29899, 5327]
    for text in ("Fail better.", "the cajón, naïve café", "SENCO 4 ½"):
        assert tokenizer.decode(tokenizer.encode(" " + text)) == text


def test_vocabulary_trie_holds_every_spelling(model_folder: Path) -> None:
    tokenizer = BinTokenizer.from_file(model_folder / TOKENIZER_FILE)
    bias = VocabularyBias.build(tokenizer, ["djembe"])

    assert bias is not None
    word_starts = bias.nodes[bias.word_root].children
    assert set(word_starts) == {tokenizer.encode(" djembe")[0], tokenizer.encode(" Djembe")[0]}
    assert VocabularyBias.build(tokenizer, ["", "  "]) is None


def test_model_runs_as_shipped_if_the_graph_rewrite_fails(
    model_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slower (every step dequantises the weights again) but the same words."""

    def refuse(path: Path, *, int8_matmul: bool) -> bytes:
        raise GraphRewriteError(f"{path.name}: not this time")

    monkeypatch.setattr(moonshine_model, "optimisable_model", refuse)
    beckett = decode_audio(model_folder.parent.parent / "test-data" / "beckett.wav")

    as_shipped = moonshine_model.load_model(model_folder, threads=0)
    text = as_shipped.transcribe(beckett[: 3 * SAMPLE_RATE])  # a few tokens: 0.1 s each here

    assert normalise(text).startswith("ever tried"), text


def test_split_decoder_gives_the_merged_decoders_logits(model_folder: Path) -> None:
    """The flat graphs skip ORT's `If` and the per-step key transpose: same arithmetic, same bits."""
    model = moonshine_model.load_model(model_folder, threads=1)
    options = moonshine_model.session_options(1)
    merged_session = moonshine_model.onnx_session(
        model_folder / DECODER_FILE, options, int8_matmul=INT8_DECODER
    )
    audio = decode_audio(model_folder.parent.parent / "test-data" / "beckett.wav")
    hidden = model.encoder.run(None, {"input_values": audio[None, : 3 * SAMPLE_RATE]})[0]

    split = moonshine_model.Decoding.start(model, hidden)
    merged = moonshine_model.Decoding.start(
        moonshine_model.MoonshineModel(model.encoder, merged_runs(merged_session), model.tokenizer),
        hidden,
    )
    tokens = []
    for _ in range(8):
        assert np.array_equal(split.scores, merged.scores)
        tokens.append(int(split.scores.argmax()))
        split.step(tokens[-1])
        merged.step(tokens[-1])

    assert model.decoder.first is not model.decoder.step  # the split graphs are in use
    assert normalise(model.tokenizer.decode(tokens)).startswith("ever tried")


def test_changed_model_file_is_refused(model_folder: Path, tmp_path: Path) -> None:
    for name in MODEL_FILES:
        (tmp_path / name).symlink_to(model_folder / name)
    changed = tmp_path / TOKENIZER_FILE
    changed.unlink()
    data = bytearray((model_folder / TOKENIZER_FILE).read_bytes())
    data[-1] ^= 1
    changed.write_bytes(bytes(data))

    with pytest.raises(ModelUnavailable, match="sha256"):
        MoonshineTranscriber(config(model=str(tmp_path))).load()


def test_missing_model_file_is_named(model_folder: Path, tmp_path: Path) -> None:
    shutil.copy(model_folder / TOKENIZER_FILE, tmp_path / TOKENIZER_FILE)

    with pytest.raises(ModelUnavailable, match=r"encoder_model\.ort is missing"):
        MoonshineTranscriber(config(model=str(tmp_path))).load()


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec: Callable[..., object] = importlib.util.find_spec

    def without_moonshine(name: str, *args: object) -> object:
        return None if name == "moonshine_cpp" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_moonshine)

    with pytest.raises(ModelUnavailable, match=r"pip install moonshine-cpp==0\.1\.4"):
        moonshine_model_dir(config())


def test_a_path_that_leads_nowhere_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="no folder there"):
        moonshine_model_dir(config(model=str(tmp_path / "nowhere")))
