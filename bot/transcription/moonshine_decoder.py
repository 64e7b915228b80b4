"""How Moonshine's decoder runs a chunk: <s> fills the caches, and each later token grows them.

The packaged decoder is one graph with an `If` choosing between the two. `moonshine_graph` can
split it into two flat graphs (faster, same logits); the merged graph is the fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from bot.transcription.errors import ModelUnavailable
from bot.transcription.moonshine_graph import ENCODER_STATES, SplitDecoder

Feeds = dict[str, npt.NDArray[np.generic]]
CACHE, PRESENT = "past_key_values.", "present."


@dataclass(frozen=True)
class DecoderRuns:
    """The sessions and names for the first token and for every later one."""

    first: ort.InferenceSession
    step: ort.InferenceSession
    first_feeds: Feeds  # fixed inputs of the first run
    step_feeds: Feeds  # fixed inputs of every step
    first_outputs: tuple[str, ...]
    carried: tuple[tuple[str, str], ...]  # (first output, step input): fixed for the chunk
    grown: tuple[tuple[str, str], ...]  # (step output, step input): renewed every step
    steps_read_states: bool  # the merged graph declares the encoder states on steps too

    def start(self, hidden: npt.NDArray[np.float32], token: int) -> tuple[np.ndarray, Feeds]:
        """Logits after `token` and the step inputs for the rest of the chunk."""
        feeds = {**self.first_feeds, ENCODER_STATES: hidden, "input_ids": _ids(token)}
        results = self.first.run(list(self.first_outputs), feeds)
        values = dict(zip(self.first_outputs, results, strict=True))
        step = {**self.step_feeds, **{inp: values[out] for out, inp in self.carried}}
        if self.steps_read_states:
            step[ENCODER_STATES] = hidden
        return values["logits"], step

    def advance(self, feeds: Feeds, token: int) -> np.ndarray:
        """Logits after `token`; `feeds` gets the grown caches as new arrays, so forks stay safe."""
        feeds["input_ids"] = _ids(token)
        wanted = ["logits", *(output for output, _ in self.grown)]
        logits, *present = self.step.run(wanted, feeds)
        feeds.update(zip((inp for _, inp in self.grown), present, strict=True))
        return np.asarray(logits)


def _ids(token: int) -> npt.NDArray[np.int64]:
    return np.array([[token]], dtype=np.int64)


def split_runs(split: SplitDecoder, options: ort.SessionOptions) -> DecoderRuns:
    """Two flat graphs: the step reads the scaled keys and caches the first run made."""
    providers = ["CPUExecutionProvider"]
    first = ort.InferenceSession(split.first, options, providers=providers)
    step = ort.InferenceSession(split.step, options, providers=providers)
    first_outputs = tuple(output.name for output in first.get_outputs())
    carried = tuple(
        (name if name in split.scaled_keys else _present(name), name)
        for name in (i.name for i in step.get_inputs())
        if name != "input_ids"
    )
    grown = tuple(
        (output.name, _past(output.name))
        for output in step.get_outputs()
        if output.name.startswith(PRESENT)
    )
    if not {out for out, _ in carried} <= set(first_outputs) or "logits" not in first_outputs:
        raise ModelUnavailable("The split Moonshine decoder's inputs and outputs do not match")
    return DecoderRuns(first, step, {}, {}, first_outputs, carried, grown, False)


def merged_runs(session: ort.InferenceSession) -> DecoderRuns:
    """One graph for both, told which branch by `use_cache_branch`; caches start empty."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name for o in session.get_outputs()}
    needed = {"input_ids", ENCODER_STATES, "use_cache_branch"}
    if not needed <= inputs.keys() or "logits" not in outputs:
        raise ModelUnavailable("The Moonshine decoder is not a merged KV-cache decoder")
    cache = tuple(name for name in inputs if name.startswith(CACHE))
    if not cache or not {_present(name) for name in cache} <= outputs:
        raise ModelUnavailable("The Moonshine decoder's cache outputs do not match its inputs")
    empty: Feeds = {name: np.zeros(_empty_shape(inputs[name].shape), np.float32) for name in cache}
    return DecoderRuns(
        first=session,
        step=session,
        first_feeds={**empty, "use_cache_branch": np.array([False])},
        step_feeds={"use_cache_branch": np.array([True])},
        first_outputs=("logits", *(_present(name) for name in cache)),
        carried=tuple((_present(name), name) for name in cache),
        grown=tuple((_present(name), name) for name in cache if ".decoder." in name),
        steps_read_states=True,
    )


def _present(cache_input: str) -> str:
    """past_key_values.N.decoder.key ← present.N.decoder.key"""
    return PRESENT + cache_input.removeprefix(CACHE)


def _past(present: str) -> str:
    return CACHE + present.removeprefix(PRESENT)


def _empty_shape(shape: Sequence[int | str | None]) -> tuple[int, ...]:
    """[batch 1, heads, 0 steps, head size]: the symbolic sizes become 1 and 0."""
    if len(shape) != 4 or not isinstance(shape[1], int) or not isinstance(shape[3], int):
        raise ModelUnavailable(f"Unexpected Moonshine cache shape {shape}")
    return 1, shape[1], 0, shape[3]
