"""Learning from tutors' confirmed tags: a new layer, kept only if it tags their held-back entries better."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, replace

from bot.tagging.blend import Blend
from bot.tagging.choose import pick_blend
from bot.tagging.crossval import L2, Scored, arrays, predicted, stacked, train_layer
from bot.tagging.dataset import Example
from bot.tagging.metrics import count_code, micro
from bot.tagging.model_tagger import ModelTagger, embed_text
from bot.tagging.probe import Probe
from storage.base import utcnow
from storage.confirmed import ConfirmedEntry

logger = logging.getLogger(__name__)

HELD_BACK_PERCENT = 20
# The service's own entries weigh, together, at least this share of the training: otherwise a
# few hundred of them would be drowned by the packaged examples (about 1,300).
SERVICE_SHARE = 0.25
# The service's training entries are cut into this many parts to choose the adapted blend: each
# part is scored by a layer trained without it.
BLEND_FOLDS = 4


@dataclass(frozen=True)
class Packaged:
    """The layer we ship, the entries it learnt from, and its hash, which an adapted layer records."""

    probe: Probe
    training: Sequence[Scored]
    sha256: str


@dataclass(frozen=True)
class Check:
    """One adaptation run in numbers only: what it saw, and how each layer scored."""

    examples: int
    minimum: int
    trained_on: int = 0
    held_back: int = 0
    current_f1: float | None = None
    adapted_f1: float | None = None
    accepted: bool = False
    reason: str = "fewer confirmed examples than TAGGER_ADAPT_MIN"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def is_held_back(entry_id: int) -> bool:
    """The same entries every day, whatever else changes, so no layer is scored on what it saw."""
    digest = hashlib.sha256(f"reflection:{entry_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_BACK_PERCENT


def adapt(
    entries: Sequence[ConfirmedEntry],
    tagger: ModelTagger,
    packaged: Packaged,
    minimum: int,
) -> tuple[Check, Probe | None]:
    """Trains on our entries plus the tutors' not held back; the new probe only if it scores better."""
    if len(entries) < minimum:
        return Check(len(entries), minimum), None
    scored = [_scored(entry, tagger) for entry in entries]
    held = [s for s, e in zip(scored, entries, strict=True) if is_held_back(e.entry_id)]
    train = [s for s, e in zip(scored, entries, strict=True) if not is_held_back(e.entry_id)]
    counts = Check(len(entries), minimum, len(train), len(held))
    if not held or not train:
        return replace(counts, reason="too few entries to hold some back"), None
    with one_blas_thread():
        blend = _service_blend(packaged, train)
        probe = _layer(packaged, train, _metadata(packaged, counts, blend))
        return _judge(counts, held, tagger, probe, blend)


def _layer(packaged: Packaged, own: Sequence[Scored], metadata: dict[str, object]) -> Probe:
    """The packaged examples and the service's own (weighted up), in one layer."""
    weighted = [*own] * repeats(len(own), len(packaged.training))
    return train_layer(
        [*packaged.training, *weighted], packaged.probe.codes, _l2(packaged.probe), metadata
    )


def _service_blend(packaged: Packaged, own: Sequence[Scored]) -> Blend:
    """Weights and thresholds chosen on the service's entries, each scored by a layer that never
    saw it: the packaged blend may all but forbid a code the cues miss, which is what a service
    teaches most often."""
    codes = packaged.probe.codes
    parts = [
        arrays(
            own[fold::BLEND_FOLDS],
            _layer(
                packaged,
                [s for i, s in enumerate(own) if i % BLEND_FOLDS != fold],
                packaged.probe.metadata,
            ),
            codes,
        )
        for fold in range(min(BLEND_FOLDS, len(own)))
    ]
    return pick_blend(*stacked(parts), codes)


def repeats(own: int, packaged: int) -> int:
    """How many times each of the service's entries counts, so they hold SERVICE_SHARE at least."""
    wanted = SERVICE_SHARE * packaged / ((1.0 - SERVICE_SHARE) * max(own, 1))
    return max(1, round(wanted))


def one_blas_thread() -> AbstractContextManager[object]:
    """Training on one BLAS thread, as OpenBLAS's spare threads spin against the model's."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def _judge(
    counts: Check, held: Sequence[Scored], tagger: ModelTagger, probe: Probe, blend: Blend
) -> tuple[Check, Probe | None]:
    """Each layer with its own blend, on the same held-back entries."""
    current, adapted = f1(held, tagger.probe, tagger.blend), f1(held, probe, blend)
    better = adapted > current
    check = replace(
        counts,
        current_f1=round(current, 4),
        adapted_f1=round(adapted, 4),
        accepted=better,
        reason=f"{'scored' if better else 'no'} better on the held-back entries",
    )
    return check, probe if better else None


def f1(held: Sequence[Scored], probe: Probe, blend: Blend) -> float:
    """Micro-F1 over the layer's codes, blended as the tagger would blend them."""
    pairs = predicted(held, probe, blend)
    return micro(count_code(code, pairs) for code in probe.codes).f1


def _scored(entry: ConfirmedEntry, tagger: ModelTagger) -> Scored:
    example = Example(str(entry.entry_id), entry.text, entry.codes)
    return Scored(example, tagger.cues(entry.text), embed_text(tagger.embedder, entry.text))


def _l2(base_probe: Probe) -> float:
    value = base_probe.metadata.get("l2", L2)
    return float(value) if isinstance(value, int | float) else L2


def _metadata(packaged: Packaged, counts: Check, blend: Blend) -> dict[str, object]:
    """The packaged layer's own record, the blend chosen here, and what it was adapted from."""
    adapted = {
        "base_layer_sha256": packaged.sha256,
        "confirmed_examples": counts.trained_on,
        "held_back": counts.held_back,
        "trained_at": utcnow().isoformat(),
    }
    # The packaged layer's scores are not this layer's: its own are in the check's record.
    kept = {key: value for key, value in packaged.probe.metadata.items() if key != "scores"}
    return {**kept, "blend": blend.to_metadata(), "adapted": adapted}
