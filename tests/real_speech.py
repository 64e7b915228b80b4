"""Real human speech for word error rates, encoded like Telegram voice notes (Ogg/Opus 32 kbit/s).

Sources and licences (each file is re-encoded, never otherwise changed):

- Debian `pocketsphinx-testdata` (`/usr/share/pocketsphinx/test/data`, BSD-2-Clause, Carnegie
  Mellon University): five LibriVox clips of Jane Austen's *Sense and Sensibility* (1811) with
  the package's own `librivox/transcription`. LibriVox recordings are public domain and so is
  the book. The transcript is kept verbatim, including the reader's "a more a amiable".
  `goforward.raw` is scored against "go forward ten meters", the sentence of the package's
  `goforward.gram` that the upstream pocketsphinx tests decode it to. `numbers.raw`,
  `something.raw` and `tidigits/dhd.2934z.raw` have no transcript in the package: not used.
- PyPI `moonshine-voice==0.1.5` (MIT, Moonshine AI), `moonshine_voice/assets/`:
  `two_cities.wav` (44 s) reads the first paragraph of Dickens's *A Tale of Two Cities* (1859,
  public domain) and stops after "comparison only"; its reference is the book's text (Project
  Gutenberg #98), not a model's. `beckett.wav` (10 s) says the twelve words of Beckett's
  *Worstward Ho* (1983) quoted below, a short quotation of a work still in copyright.
  `endgame_nagg_nell.wav` (Beckett's *Endgame*, in copyright, 28 s of dialogue) is not used.
- `domain_notes`: espeak-ng reading tutor reflections written for this project, dense with the
  music-education and school words Whisper is likely to mishear.

Missing sources raise `SpeechSetUnavailable`, whose message is the command that installs them.
Files are cached under `.cache/speech/` (see tests/speech.py) keyed on their inputs; the clips
returned point into that cache, so treat them as read-only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import jiwer
import numpy as np

from tests.speech import SpeechClip, _cached, _encode_voice_note, normalise, synthesise

SPHINX_DATA = Path("/usr/share/pocketsphinx/test/data")
SPHINX_INSTALL = "apt-get install -y pocketsphinx-testdata"
MOONSHINE_INSTALL = "pip install moonshine-voice==0.1.5"

GOFORWARD_SCRIPT = "go forward ten meters"
TWO_CITIES_SCRIPT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was "
    "the season of Light, it was the season of Darkness, it was the spring of hope, it was the "
    "winter of despair, we had everything before us, we had nothing before us, we were all "
    "going direct to Heaven, we were all going direct the other way\N{EM DASH}in short, the "
    "period was so far like the present period, that some of its noisiest authorities insisted "
    "on its being received, for good or for evil, in the superlative degree of comparison only."
)
BECKETT_SCRIPT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."

SAMPLE_RATE = 48_000  # a Telegram voice note's rate, and the rate noise is mixed at
# Whisper resamples to 16 kHz, so noise above 8 kHz would never reach it and would flatter the
# SNR; below 20 Hz is rumble no microphone keeps.
NOISE_BAND_HZ = (20.0, 8_000.0)
NOISE_SEED = 1
HEADROOM = 0.99  # the mixture's peak, when it would otherwise clip

# Reflections as a tutor might record them, read by espeak-ng (en-gb, 150 words a minute).
DOMAIN_NOTES = (
    "The year three class started with a body percussion warm-up, then we moved on to the "
    "djembe. Most of them held a steady ostinato by the end, and the teaching assistant kept "
    "the pulse on the claves.",
    "I tried call-and-response singing with the key stage two group today. The SENCO sat in "
    "for the first half and suggested ear defenders for Aiden, because the boomwhackers were "
    "too loud for him.",
    "We clapped crotchet and quaver rhythms from the cards, then played them on the "
    "glockenspiel. The two pupils with an EHCP worked with the teaching assistant and managed "
    "the whole pentatonic tune.",
    "The samba band was much tighter this week. The surdo players kept the pulse while the "
    "others played call-and-response breaks on the agogo bells and the tambourine.",
    "Ukulele lessons are going well with the year five class. They can play four chords now, "
    "and some children wrote their own lyrics for the chorus. Next week we will add a simple "
    "strumming ostinato.",
    "I set out the xylophone and the metallophone with only the pentatonic bars, so nothing "
    "could sound wrong. The nurture group improvised in pairs and listened to each other "
    "really well.",
    "The SENCO asked me for a short report for Leo's annual EHCP review. I wrote about how the "
    "boomwhackers help him follow the beat and take turns, and how much calmer he is in the "
    "warm-up now.",
    "Key stage two assembly went well. The choir sang in two parts for the first time, the "
    "body percussion section was tight, and we finished with a djembe circle and a samba "
    "groove on the xylophone.",
)
# Each counts as one word, however many tokens it has; all appear in DOMAIN_NOTES.
DOMAIN_WORDS = (
    "djembe",
    "glockenspiel",
    "boomwhackers",
    "ukulele",
    "xylophone",
    "metallophone",
    "samba",
    "surdo",
    "agogo bells",
    "claves",
    "tambourine",
    "ostinato",
    "call-and-response",
    "crotchet",
    "quaver",
    "pentatonic",
    "body percussion",
    "warm-up",
    "SENCO",
    "EHCP",
    "key stage two",
    "teaching assistant",
    "nurture group",
    "ear defenders",
)

# One spelling per word, so British and American spellings and common abbreviations never count
# as recognition errors. Applied to the reference and the hypothesis alike.
SPELLINGS = {
    "mr": "mister",
    "mrs": "missus",
    "dr": "doctor",
    "ok": "okay",
    "alright": "all right",
    "toward": "towards",
    "warmup": "warm up",
    "meter": "metre",
    "meters": "metres",
    "center": "centre",
    "centers": "centres",
    "theater": "theatre",
    "color": "colour",
    "colors": "colours",
    "colorful": "colourful",
    "favorite": "favourite",
    "favorites": "favourites",
    "behavior": "behaviour",
    "behaviors": "behaviours",
    "behavioral": "behavioural",
    "honor": "honour",
    "humor": "humour",
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "program": "programme",
    "programs": "programmes",
    "practise": "practice",
    "practiced": "practised",
    "practicing": "practising",
    "focussed": "focused",
    "focussing": "focusing",
    "enrollment": "enrolment",
    "judgment": "judgement",
}
_IZE = re.compile(r"(?<=\w{3})(i|y)z(e|es|ed|ing|ation|ations)$")  # organize → organise
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TEENS = (
    *("ten", "eleven", "twelve", "thirteen", "fourteen"),
    *("fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
)
UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


class SpeechSetUnavailable(Exception):
    """A source is not installed; the message says how to install it, so tests can skip."""


def librivox_clips() -> list[SpeechClip]:
    """Five short read sentences: the cleanest real speech we have, one reader."""
    transcription = _sphinx_file("librivox/transcription")
    clips = []
    for line in transcription.read_text().splitlines():
        match = re.fullmatch(r"<s> (.*) </s> \((\S+)\)", line.strip())
        if match:
            wav = transcription.parent / f"{match[2]}.wav"
            clips.append(SpeechClip(_voice_note(["-i", str(wav)], wav), match[1]))
    return clips


def command_clips() -> list[SpeechClip]:
    """A spoken number and an American spelling: checks the normalisation on real speech."""
    raw = _sphinx_file("goforward.raw")
    pcm = ["-f", "s16le", "-ar", "16000", "-ac", "1", "-i", str(raw)]
    return [SpeechClip(_voice_note(pcm, raw), GOFORWARD_SCRIPT)]


def two_cities_clip() -> SpeechClip:
    """44 s of continuous reading: long-form speech across Whisper's 30 s windows."""
    wav = _moonshine_asset("two_cities.wav")
    return SpeechClip(_voice_note(["-i", str(wav)], wav), TWO_CITIES_SCRIPT)


def beckett_clip() -> SpeechClip:
    """Short sentences with pauses: the kind of clipped phrasing tutors use."""
    wav = _moonshine_asset("beckett.wav")
    return SpeechClip(_voice_note(["-i", str(wav)], wav), BECKETT_SCRIPT)


def book_clips() -> list[SpeechClip]:
    """The two recordings that ship with moonshine-voice, with book-text references."""
    return [two_cities_clip(), beckett_clip()]


def domain_notes(folder: Path) -> list[SpeechClip]:
    """Synthetic, but full of the words a music service's notes need heard right."""
    _require_tool("espeak-ng", "apt-get install -y espeak-ng")
    return [
        SpeechClip(synthesise(text, folder / f"domain-note-{index}.ogg"), text)
        for index, text in enumerate(DOMAIN_NOTES)
    ]


def with_pink_noise(clip: SpeechClip, snr_db: float = 10.0, seed: int = NOISE_SEED) -> SpeechClip:
    """The clip in a noisy room: seeded pink noise at exactly `snr_db` below the speech."""
    cached = _cached("pink", _digest(clip.path), snr_db, seed, NOISE_BAND_HZ, suffix=".ogg")
    if not cached.exists():
        speech, noise = noisy_parts(decode(clip.path), snr_db, seed)
        with tempfile.TemporaryDirectory() as scratch:
            pcm = Path(scratch) / "mix.f32"
            pcm.write_bytes((speech + noise).astype("<f4").tobytes())
            _encode_voice_note(
                ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", str(pcm)], cached
            )
    return SpeechClip(cached, clip.script)


def noisy_parts(speech: np.ndarray, snr_db: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Speech and noise, both scaled alike when their sum would clip, so the SNR stays exact."""
    noise = pink_noise(len(speech), seed)
    noise *= np.sqrt(power(speech) / power(noise) / 10 ** (snr_db / 10))
    peak = float(np.max(np.abs(speech + noise)))
    scale = HEADROOM / peak if peak > HEADROOM else 1.0
    return speech * scale, noise * scale


def pink_noise(length: int, seed: int) -> np.ndarray:
    """1/f power between NOISE_BAND_HZ, shaped in the frequency domain: same seed, same noise."""
    rng = np.random.default_rng(seed)
    bins = length // 2 + 1
    spectrum = rng.standard_normal(bins) + 1j * rng.standard_normal(bins)
    frequencies = np.fft.rfftfreq(length, 1 / SAMPLE_RATE)
    low, high = NOISE_BAND_HZ
    band = (frequencies >= low) & (frequencies <= high)
    spectrum[~band] = 0
    spectrum[band] /= np.sqrt(frequencies[band])
    return np.fft.irfft(spectrum, length)


def power(samples: np.ndarray) -> float:
    """Mean square over the whole signal, pauses included."""
    return float(np.mean(np.square(samples, dtype=np.float64)))


def snr_db(speech: np.ndarray, noise: np.ndarray) -> float:
    """Speech-to-noise power ratio in decibels."""
    return float(10 * np.log10(power(speech) / power(noise)))


def decode(path: Path) -> np.ndarray:
    """Any audio file as mono float samples at SAMPLE_RATE, as ffmpeg decodes it."""
    _require_tool("ffmpeg", "apt-get install -y ffmpeg")
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(path)]
    command += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    out = subprocess.run(command, check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype="<f4").astype(np.float64)


def canonical_words(text: str) -> list[str]:
    """`normalise`, then one spelling per word and numbers up to 99 in words."""
    words: list[str] = []
    for word in normalise(text).split():
        if word.isdigit() and int(word) < 100:
            word = _number_words(int(word))
        word = SPELLINGS.get(word, word)
        words.extend(_IZE.sub(r"\1s\2", part) for part in word.split())
    return words


def set_word_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Errors over all reference words of a set, so long clips weigh by their length."""
    references, hypotheses = zip(*((_joined(ref), _joined(hyp)) for ref, hyp in pairs), strict=True)
    return float(jiwer.wer(list(references), list(hypotheses)))


def domain_word_error_rate(
    pairs: Iterable[tuple[str, str]], words: Sequence[str] = DOMAIN_WORDS
) -> float:
    """Share of domain-word occurrences in the references not heard exactly, aligned by jiwer."""
    terms = [canonical_words(word) for word in words]
    found = missed = 0
    for reference, hypothesis in pairs:
        heard = _heard_tokens(_joined(reference), _joined(hypothesis))
        for term in terms:
            for start in _occurrences(term, _joined(reference).split()):
                found += 1
                missed += not all(heard[start : start + len(term)])
    if not found:
        raise ValueError("no domain word occurs in the references")
    return missed / found


def _heard_tokens(reference: str, hypothesis: str) -> list[bool]:
    """For each reference token, whether the alignment matched it exactly."""
    heard = [False] * len(reference.split())
    for chunk in jiwer.process_words(reference, hypothesis).alignments[0]:
        if chunk.type == "equal":
            for index in range(chunk.ref_start_idx, chunk.ref_end_idx):
                heard[index] = True
    return heard


def _occurrences(term: list[str], tokens: list[str]) -> list[int]:
    """Start indices of `term` in `tokens`."""
    width = len(term)
    return [i for i in range(len(tokens) - width + 1) if tokens[i : i + width] == term]


def _joined(text: str) -> str:
    """jiwer rejects empty strings; a placeholder scores an empty transcript as all deletions."""
    return " ".join(canonical_words(text)) or "<empty>"


def _number_words(number: int) -> str:
    """0–99 as words, the way the reference scripts spell them."""
    if number < 10:
        return UNITS[number]
    if number < 20:
        return TEENS[number - 10]
    tens, units = divmod(number, 10)
    return TENS[tens] + (f" {UNITS[units]}" if units else "")


def _voice_note(input_args: list[str], source: Path) -> Path:
    """The source re-encoded as a voice note, cached on the source's bytes and the arguments."""
    _require_tool("ffmpeg", "apt-get install -y ffmpeg")
    cached = _cached("real", _digest(source), input_args[:-1], suffix=".ogg")
    if not cached.exists():
        _encode_voice_note(input_args, cached)
    return cached


def _sphinx_file(name: str) -> Path:
    path = SPHINX_DATA / name
    if not path.exists():
        raise SpeechSetUnavailable(f"needs {path}: {SPHINX_INSTALL}")
    return path


def _moonshine_asset(name: str) -> Path:
    """Found without importing moonshine_voice, whose import loads its native library."""
    spec = importlib.util.find_spec("moonshine_voice")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        asset = Path(folder) / "assets" / name
        if asset.exists():
            return asset
    raise SpeechSetUnavailable(f"needs moonshine_voice/assets/{name}: {MOONSHINE_INSTALL}")


def _require_tool(tool: str, install: str) -> None:
    if shutil.which(tool) is None:
        raise SpeechSetUnavailable(f"needs {tool}: {install}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
