"""Leave one author out: train the layer on the others, score cues and blend on the one left out."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.tagging.authors import CUE_TUNED, Author
from bot.tagging.blend import Blend, Embedded, blend_result
from bot.tagging.dataset import Example
from bot.tagging.embedding import Embedder
from bot.tagging.metrics import Counts, count_code, micro
from bot.tagging.model_tagger import embed_text
from bot.tagging.probe import Probe, train_probe
from bot.tagging.tagger import Tagger, TagResult

logger = logging.getLogger(__name__)

L2 = 10.0
WEIGHTS = (0.3, 0.4, 0.5, 0.6)
THRESHOLDS = (0.3, 0.4, 0.5)

Pairs = list[tuple[set[str], set[str]]]


@dataclass(frozen=True)
class Scored:
    """One labelled entry with its cue verdicts and sentence vectors, computed once."""

    example: Example
    cues: TagResult
    embedded: Embedded


@dataclass(frozen=True)
class Fold:
    """One held-out author's counts per code, for the cues alone and for the blend."""

    author: str
    entries: int
    cues: dict[str, Counts]
    blend: dict[str, Counts]
    chosen: Blend


Corpus = Mapping[str, Sequence[Scored]]


def prepare(
    authors: Iterable[Author], tagger: Tagger, embedder: Embedder
) -> dict[str, list[Scored]]:
    """Tags and embeds every entry once; each fold then only trains a small layer."""
    return {
        author.name: [
            Scored(e, tagger.tag(e.text), embed_text(embedder, e.text)) for e in author.examples
        ]
        for author in authors
    }


def train_layer(
    training: Sequence[Scored],
    codes: Sequence[str],
    l2: float = L2,
    metadata: dict[str, object] | None = None,
) -> Probe:
    """A probe on each entry's pooled vector, against the codes people gave it."""
    usable = [s for s in training if s.embedded.spans]
    features = np.array([s.embedded.pooled() for s in usable])
    labels = np.array([[code in s.example.codes for code in codes] for s in usable])
    return train_probe(features, labels, codes, l2, metadata)


def predicted(scored: Sequence[Scored], probe: Probe | None, blend: Blend) -> Pairs:
    """(gold, predicted) per entry; with no probe, the cues' own verdicts."""
    return [
        (
            set(s.example.codes),
            set((blend_result(s.cues, s.embedded, probe, blend) if probe else s.cues).applied),
        )
        for s in scored
    ]


def choose_blend(corpus: Corpus, codes: Sequence[str], l2: float = L2) -> Blend:
    """Weight and threshold by leave-one-author-out inside the training authors only, judged on
    authors the cues weren't tuned on when there are any (the cues flatter the others)."""
    fresh = [name for name in corpus if name not in CUE_TUNED] or list(corpus)
    if len(corpus) < 2:
        return Blend()
    probes = {name: _probe_without(corpus, name, codes, l2) for name in fresh}
    return max(
        (Blend(w, t) for w, t in itertools.product(WEIGHTS, THRESHOLDS)),
        key=lambda blend: _pooled_f1(corpus, probes, blend, codes),
    )


def _probe_without(corpus: Corpus, left_out: str, codes: Sequence[str], l2: float) -> Probe:
    training = [s for name, scored in corpus.items() if name != left_out for s in scored]
    return train_layer(training, codes, l2)


def _pooled_f1(
    corpus: Corpus, probes: Mapping[str, Probe], blend: Blend, codes: Sequence[str]
) -> float:
    pairs = [
        pair for name, probe in probes.items() for pair in predicted(corpus[name], probe, blend)
    ]
    return micro(count_code(code, pairs) for code in codes).f1


def leave_one_out(corpus: Corpus, held_out: str, codes: Sequence[str], l2: float = L2) -> Fold:
    """Trains (and picks the blend) on everyone but `held_out`, then scores `held_out` once."""
    training = {name: scored for name, scored in corpus.items() if name != held_out}
    blend = choose_blend(training, codes, l2)
    probe = train_layer([s for scored in training.values() for s in scored], codes, l2)
    test = corpus[held_out]
    return Fold(
        author=held_out,
        entries=len(test),
        cues=_per_code(predicted(test, None, blend), codes),
        blend=_per_code(predicted(test, probe, blend), codes),
        chosen=blend,
    )


def _per_code(pairs: Pairs, codes: Sequence[str]) -> dict[str, Counts]:
    return {code: count_code(code, pairs) for code in codes}
