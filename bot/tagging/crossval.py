"""Leave one author out: train the layer on the others, score cues and blend on the one left out."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.tagging.authors import CUE_TUNED, Author
from bot.tagging.blend import Blend, Embedded, blend_result, model_probabilities
from bot.tagging.choose import micro_f1, pick_blend
from bot.tagging.dataset import Example
from bot.tagging.embedding import Embedder
from bot.tagging.inputs import INPUTS, entry_rows, inputs_of
from bot.tagging.metrics import Counts, count_code
from bot.tagging.model_tagger import embed_text
from bot.tagging.probe import Probe, train_probe
from bot.tagging.tagger import Tagger, TagResult

logger = logging.getLogger(__name__)

L2 = 30.0
# Tried inside each fold's training authors; the one whose held-out predictions score best wins.
L2_GRID = (30.0, 100.0, 300.0)

Pairs = list[tuple[set[str], set[str]]]
Matrix = npt.NDArray[np.float64]


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
    l2: float = L2


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
    """A probe on each entry's inputs (its pooled vector and the cues' confidences, or those that
    `metadata["inputs"]` names), against the codes people gave it."""
    inputs = inputs_of(metadata) if metadata and "inputs" in metadata else INPUTS
    usable = [s for s in training if s.embedded.spans]
    features = np.vstack([entry_rows(s.cues, s.embedded, codes, inputs) for s in usable])
    labels = np.array([[code in s.example.codes for code in codes] for s in usable])
    return train_probe(features, labels, codes, l2, {**(metadata or {}), "inputs": list(inputs)})


def predicted(scored: Sequence[Scored], probe: Probe | None, blend: Blend) -> Pairs:
    """(gold, predicted) per entry; with no probe, the cues' own verdicts."""
    return [
        (
            set(s.example.codes),
            set((blend_result(s.cues, s.embedded, probe, blend) if probe else s.cues).applied),
        )
        for s in scored
    ]


Predictions = tuple[Matrix, Matrix, Matrix]


@dataclass(frozen=True)
class Settled:
    """The chosen L2 and blend, with the held-out predictions they were chosen on (none when
    there are too few authors to hold one out)."""

    l2: float
    blend: Blend
    predictions: Predictions | None = None


def settle(corpus: Corpus, codes: Sequence[str]) -> Settled:
    """L2, weights and thresholds by leave-one-author-out inside the training authors only, judged
    on authors the cues weren't tuned on when there are any (the cues flatter the others)."""
    if len(corpus) < 2:
        return Settled(L2, Blend())
    fresh = [name for name in corpus if name not in CUE_TUNED] or list(corpus)
    tried = [(l2, _held_out_arrays(corpus, fresh, codes, l2)) for l2 in L2_GRID]
    scored = [(l2, pick_blend(*arrays, codes), arrays) for l2, arrays in tried]
    return Settled(*max(scored, key=lambda row: _micro_f1(row[1], row[2], codes)))


def held_out_scores(
    settled: Settled, codes: Sequence[str], groups: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """Micro-F1 for each group of codes on the predictions the settings were chosen on: what
    `tagger status` reports for a layer. A little high, as the blend was chosen on them too."""
    if settled.predictions is None:
        return {}
    scores = {}
    for name, members in groups.items():
        columns = [list(codes).index(code) for code in members]
        model, cues, gold = (matrix[:, columns] for matrix in settled.predictions)
        scores[name] = round(_micro_f1(settled.blend, (model, cues, gold), members), 3)
    return scores


def _held_out_arrays(
    corpus: Corpus, judges: Sequence[str], codes: Sequence[str], l2: float
) -> Predictions:
    """Model probabilities, cue confidences and gold labels on each judge, by a layer without it."""
    return stacked(
        [arrays(corpus[name], _probe_without(corpus, name, codes, l2), codes) for name in judges]
    )


def stacked(parts: Sequence[Predictions]) -> Predictions:
    """Several groups' predictions as one, row after row."""
    model, cues, gold = (np.vstack([part[k] for part in parts]) for k in range(3))
    return model, cues, gold


def arrays(scored: Sequence[Scored], probe: Probe, codes: Sequence[str]) -> Predictions:
    """One row per entry, one column per code: model probability, cue confidence, gold 0/1."""
    model = np.array([model_probabilities(s.cues, s.embedded, probe) for s in scored])
    cues = np.array([[s.cues.codes[c].confidence for c in codes] for s in scored])
    gold = np.array([[c in s.example.codes for c in codes] for s in scored], np.float64)
    return model.reshape(len(scored), len(codes)), cues, gold


def _micro_f1(blend: Blend, data: Predictions, codes: Sequence[str]) -> float:
    model, cues, gold = data
    weights = np.array([blend.weight_for(c) for c in codes])
    thresholds = np.array([blend.threshold_for(c) for c in codes])
    applies = weights * model + (1 - weights) * cues >= thresholds
    return float(micro_f1(applies, gold > 0, None))


def _probe_without(corpus: Corpus, left_out: str, codes: Sequence[str], l2: float) -> Probe:
    training = [s for name, scored in corpus.items() if name != left_out for s in scored]
    return train_layer(training, codes, l2)


def leave_one_out(corpus: Corpus, held_out: str, codes: Sequence[str]) -> Fold:
    """Trains (and picks L2 and the blend) on everyone but `held_out`, then scores `held_out` once."""
    training = {name: scored for name, scored in corpus.items() if name != held_out}
    settled = settle(training, codes)
    l2, blend = settled.l2, settled.blend
    probe = train_layer([s for scored in training.values() for s in scored], codes, l2)
    test = corpus[held_out]
    return Fold(
        author=held_out,
        entries=len(test),
        cues=_per_code(predicted(test, None, blend), codes),
        blend=_per_code(predicted(test, probe, blend), codes),
        chosen=blend,
        l2=l2,
    )


def _per_code(pairs: Pairs, codes: Sequence[str]) -> dict[str, Counts]:
    return {code: count_code(code, pairs) for code in codes}
