"""Moonshine's decoder as shipped (one merged graph with an `If`) against the two flat graphs.

    .venv/bin/python bench/moonshine_decoder.py [--rounds 5] [--threads 1]

Both decode the same chunks of the Dickens reading (44 s, cut as the backend cuts it) greedily,
taking turns each round so a busy spell lands on both. Prints milliseconds per token for each
and their ratio, and checks that both chose the same tokens.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so `tests.*` imports when run as a plain script

from bot.transcription import TranscriberConfig, decode_audio  # noqa: E402
from bot.transcription.moonshine_backend import moonshine_model_dir, speech_chunks  # noqa: E402
from bot.transcription.moonshine_decoder import merged_runs  # noqa: E402
from bot.transcription.moonshine_model import (  # noqa: E402
    DECODER_FILE,
    INT8_DECODER,
    Decoding,
    Float32Array,
    MoonshineModel,
    load_model,
    max_tokens,
    onnx_session,
    session_options,
)
from tests.real_speech import two_cities_clip  # noqa: E402


def decode_all(
    model: MoonshineModel, states: list[tuple[Float32Array, int]]
) -> tuple[float, list[list[int]]]:
    """Seconds spent in the decoder for every chunk, and the tokens it chose."""
    tokens: list[list[int]] = []
    started = time.perf_counter()
    for hidden, limit in states:
        tokens.append(Decoding.start(model, hidden).greedy(limit))
    return time.perf_counter() - started, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    folder = moonshine_model_dir(TranscriberConfig(model="base-en"))
    split = load_model(folder, threads=args.threads)
    options = session_options(args.threads)
    merged_session = onnx_session(folder / DECODER_FILE, options, int8_matmul=INT8_DECODER)
    merged = MoonshineModel(split.encoder, merged_runs(merged_session), split.tokenizer)
    samples = decode_audio(two_cities_clip().path)
    states = [
        (split.encoder.run(None, {"input_values": c.samples[None]})[0], max_tokens(c.samples.size))
        for c in speech_chunks(samples)
    ]
    times: dict[str, list[float]] = {"merged": [], "split": []}
    chosen: dict[str, list[list[int]]] = {}
    for round_ in range(args.rounds):
        order = ("merged", "split") if round_ % 2 == 0 else ("split", "merged")
        for name in order:
            seconds, chosen[name] = decode_all(merged if name == "merged" else split, states)
            times[name].append(seconds)
    count = sum(len(t) + 1 for t in chosen["split"])
    per_token = {name: statistics.median(t) / count * 1000 for name, t in times.items()}
    print(f"{len(states)} chunks, {count} decoder runs a round, {args.threads} thread(s)")
    for name, ms in per_token.items():
        print(f"{name:>7}: {ms:.2f} ms a token (median of {args.rounds} rounds)")
    print(f"split / merged: {per_token['split'] / per_token['merged']:.2f}")
    print(f"same tokens: {chosen['split'] == chosen['merged']}")


if __name__ == "__main__":
    main()
