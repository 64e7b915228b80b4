"""The blend re-decides codes from both sources; the cues keep their evidence, the model adds a sentence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.tagging.blend import Blend, Embedded, blend_result
from bot.tagging.inputs import (
    CUES,
    INPUTS,
    MEAN,
    OLD_INPUTS,
    PEAK,
    entry_rows,
    inputs_of,
)
from bot.tagging.model_tagger import blend_from
from bot.tagging.probe import Probe
from bot.tagging.tagger import CodeMatch, TagResult

TEXT = "We played rounds. Three were absent."
SPANS = ((0, 17), (18, 36))


def probe_for(codes: tuple[str, ...], weights: list[list[float]]) -> Probe:
    """A hand-made layer on two features: the probability is the sigmoid of weights · vector."""
    k = len(codes)
    return Probe(codes, np.zeros(2), np.ones(2), np.array(weights, float), np.zeros(k))


def cues(**confidences: float) -> TagResult:
    return TagResult(
        {
            code: CodeMatch(code, "challenge", c >= 0.5, c, ((30, 36),) if c else ())
            for code, c in confidences.items()
        }
    )


# Sentence one points along the first feature, sentence two along the second.
EMBEDDED = Embedded(SPANS, np.array([[1.0, 0.0], [0.0, 1.0]], np.float32))


def test_a_code_only_the_model_found_cites_its_best_sentence() -> None:
    probe = probe_for(("attendance",), [[0.0, 20.0]])
    result = blend_result(cues(attendance=0.0), EMBEDDED, probe, Blend(0.6, 0.5))
    match = result.codes["attendance"]
    assert match.applies and match.evidence == (SPANS[1],)
    assert TEXT[slice(*match.evidence[0])] == "Three were absent."


def test_cue_evidence_stays_and_a_doubting_model_can_overrule() -> None:
    probe = probe_for(("attendance",), [[-20.0, -20.0]])
    result = blend_result(cues(attendance=0.6), EMBEDDED, probe, Blend(0.5, 0.4))
    match = result.codes["attendance"]
    assert not match.applies and match.confidence == 0.3
    assert match.evidence == ((30, 36),)


def test_agreement_confirms_with_the_cue_spans() -> None:
    probe = probe_for(("attendance",), [[0.0, 20.0]])
    match = blend_result(cues(attendance=0.8), EMBEDDED, probe, Blend()).codes["attendance"]
    assert match.applies and match.evidence == ((30, 36),)


def test_codes_the_layer_never_learned_keep_the_cue_verdict() -> None:
    probe = probe_for(("attendance",), [[0.0, 0.0]])
    before = cues(attendance=0.0, new_code=0.9)
    after = blend_result(before, EMBEDDED, probe, Blend())
    assert after.codes["new_code"] == before.codes["new_code"]
    assert list(after.codes) == ["attendance", "new_code"]


def test_an_empty_text_is_left_to_the_cues() -> None:
    before = cues(attendance=0.0)
    empty = Embedded((), np.zeros((0, 2), np.float32))
    assert blend_result(before, empty, probe_for(("attendance",), [[1, 1]]), Blend()) is before


def test_each_code_uses_its_own_weight_and_threshold() -> None:
    probe = probe_for(("attendance", "resources"), [[0.0, 0.0], [0.0, 0.0]])  # model says 0.5
    blend = Blend(0.5, 0.4, {"resources": (1.0, 0.6)})
    result = blend_result(cues(attendance=0.6, resources=0.6), EMBEDDED, probe, blend)
    assert result.codes["attendance"].confidence == 0.55 and result.codes["attendance"].applies
    assert result.codes["resources"].confidence == 0.5 and not result.codes["resources"].applies


def test_blend_from_reads_the_old_form_and_the_per_code_form() -> None:
    old = blend_from({"blend": {"weight": 0.6, "threshold": 0.3}})
    assert (old.weight_for("musical"), old.threshold_for("musical")) == (0.6, 0.3)
    assert blend_from({}) == Blend()
    new = Blend(0.6, 0.3, {"musical": (0.8, 0.45)})
    again = blend_from({"blend": json.loads(json.dumps(new.to_metadata()))})
    assert again == new and again.threshold_for("social") == 0.3


def test_a_sentence_share_lets_one_sentence_speak_for_the_entry() -> None:
    # The whole entry leans away from attendance; its second sentence alone is sure of it.
    probe = probe_for(("attendance", "resources"), [[-20.0, 10.0], [-20.0, 10.0]])
    shared = Blend(1.0, 0.4, sentence_share={"attendance": 0.5})
    result = blend_result(cues(attendance=0.0, resources=0.0), EMBEDDED, probe, shared)
    attendance, resources = result.codes["attendance"], result.codes["resources"]
    assert attendance.applies and attendance.confidence == 0.5
    assert attendance.evidence == (SPANS[1],)
    assert not resources.applies and resources.confidence < 0.01  # no share: the entry's alone
    plain = blend_result(cues(attendance=0.0), EMBEDDED, probe, Blend(1.0, 0.4))
    assert not plain.codes["attendance"].applies


def test_blend_from_reads_the_sentence_shares_back() -> None:
    new = Blend(0.6, 0.4, sentence_share={"musical": 0.4, "personal": 0.4})
    assert blend_from({"blend": json.loads(json.dumps(new.to_metadata()))}) == new
    assert "sentence_share" not in Blend(0.6, 0.4).to_metadata()  # older readers see no change


def test_a_layer_records_its_inputs_and_old_layers_read_the_vector_alone() -> None:
    assert inputs_of({}) == OLD_INPUTS
    # Mean (2), peak (2), then the cue's confidence: only the last counts here.
    wide = probe_for(("attendance",), [[0.0, 0.0, 0.0, 0.0, 5.0]])
    wide = Probe(
        wide.codes, np.zeros(5), np.ones(5), wide.weights, wide.bias, {"inputs": [*INPUTS]}
    )
    agreeing = blend_result(cues(attendance=0.9), EMBEDDED, wide, Blend(1.0, 0.9))
    doubting = blend_result(cues(attendance=0.0), EMBEDDED, wide, Blend(1.0, 0.9))
    assert agreeing.codes["attendance"].applies and not doubting.codes["attendance"].applies


def test_the_peak_input_keeps_a_sentence_the_mean_dilutes() -> None:
    entry = Embedded(SPANS, np.array([[0.6, 0.8], [0.0, 1.0]], np.float32))
    row = entry_rows(cues(attendance=0.25), entry, ["attendance"], (MEAN, PEAK, CUES))[0]
    mean = np.array([0.3, 0.9]) / np.linalg.norm([0.3, 0.9])
    assert row.tolist() == pytest.approx([*mean, 0.6, 1.0, 0.25], abs=1e-6)
