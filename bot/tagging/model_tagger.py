"""The tagger with the language model beside the cues, used only when the model and a layer exist."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from bot.tagging.blend import Blend, Embedded, blend_result
from bot.tagging.codes import Codebook
from bot.tagging.embedding import (
    DIMENSION,
    MODEL_DIR,
    THREADS,
    Embedder,
    ModelUnavailable,
    load_embedder,
)
from bot.tagging.probe import Probe, load_probe
from bot.tagging.sentences import sentence_spans
from bot.tagging.tagger import Tagger, TagResult

logger = logging.getLogger(__name__)

LAYER_FILE = MODEL_DIR / "layer.npz"


class ModelTagger(Tagger):
    """Same API and result types as `Tagger`; a few milliseconds an entry more, on one or two cores."""

    off_loop = True  # milliseconds of CPU: the event loop must not wait for them

    def __init__(self, codebook: Codebook, embedder: Embedder, probe: Probe) -> None:
        super().__init__(codebook)
        self.embedder = embedder
        self._layer = (probe, blend_from(probe.metadata))

    @property
    def probe(self) -> Probe:
        return self._layer[0]

    @property
    def blend(self) -> Blend:
        return self._layer[1]

    def use(self, probe: Probe) -> None:
        """Swaps the layer in one assignment, so a tag already running keeps the one it began with."""
        self._layer = (probe, blend_from(probe.metadata))

    def cues(self, text: str) -> TagResult:
        """The cues' verdicts alone, before the model has its say."""
        return super().tag(text)

    def tag(self, text: str) -> TagResult:
        """The cues' verdicts, re-decided with the model's probability for each code."""
        probe, blend = self._layer
        return blend_result(self.cues(text), embed_text(self.embedder, text), probe, blend)


def embed_text(embedder: Embedder, text: str) -> Embedded:
    """The whole entry's vector, and one per sentence so the best can stand as evidence."""
    spans = sentence_spans(text)
    if not spans:
        return Embedded(spans, np.zeros((0, DIMENSION), np.float32))
    entry, sentences = embedder.embed_entry(text, spans)
    return Embedded(spans, sentences, entry)


def blend_from(metadata: dict[str, Any]) -> Blend:
    """The blend chosen when the layer was trained (stored beside its weights), codes' own included."""
    chosen = metadata.get("blend") or {}
    per_code = {
        str(code): (float(pair["weight"]), float(pair["threshold"]))
        for code, pair in (chosen.get("per_code") or {}).items()
    }
    shares = {
        str(code): float(share) for code, share in (chosen.get("sentence_share") or {}).items()
    }
    weight, threshold = float(chosen.get("weight", 0.5)), float(chosen.get("threshold", 0.4))
    return Blend(weight, threshold, per_code, shares)


def load_tagger(codebook: Codebook, layer: Path | None = None, threads: int = THREADS) -> Tagger:
    """The model-backed tagger when the model package and a trained layer are there; else the cues."""
    path = layer or LAYER_FILE
    try:
        probe = load_probe(path)
        embedder = load_embedder(threads)
    except (ModelUnavailable, OSError) as error:
        logger.info("Tagging with cues only: %s", error)
        return Tagger(codebook)
    return ModelTagger(codebook, embedder, probe)
