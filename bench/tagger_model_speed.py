"""Per-entry time of the tagger with the language model (cues + embedding + layer), run by hand.

    .venv/bin/python bench/tagger_model_speed.py [--threads 1] [--layer PATH] [--busy]

Tags every labelled entry except the held-back author's (their text only; labels unused; the
held-back file is not opened), one at a time as the bot does, and prints the median, p95 and worst
milliseconds per entry, with the load average and CPU time, since two shared cores under other
work give slower wall times than an idle machine. `--busy` runs a spinning process beside it for
the whole run, as another job on the second core would.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tagging.authors import HELD_BACK, load_authors
from bot.tagging.codebook import load_codebook
from bot.tagging.embedding import THREADS, load_embedder
from bot.tagging.model_tagger import LAYER_FILE, ModelTagger
from bot.tagging.probe import load_probe
from bot.tagging.tagger import Tagger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--layer", type=Path, default=LAYER_FILE)
    parser.add_argument("--busy", action="store_true", help="keep one other core busy meanwhile")
    args = parser.parse_args()
    with _spinning(args.busy):
        _measure(args)


@contextmanager
def _spinning(busy: bool) -> Iterator[None]:
    """One process that only spins, stopped (by its own id) when the measurement ends."""
    spinner = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if busy else None
    try:
        yield
    finally:
        if spinner:
            spinner.kill()
            spinner.wait()


def _measure(args: argparse.Namespace) -> None:
    codebook = load_codebook()
    started = time.perf_counter()
    tagger = ModelTagger(codebook, load_embedder(args.threads), load_probe(args.layer))
    print(
        f"load: {1000 * (time.perf_counter() - started):.0f} ms, threads {args.threads}, "
        f"other core busy: {args.busy}"
    )
    texts = [e.text for a in load_authors() if a.name != HELD_BACK for e in a.examples]
    for name, each in (("cues only", Tagger(codebook)), ("cues + model", tagger)):
        each.tag("Warm up.")
        times = np.array([_ms(each, text) for text in texts])
        for clock, column in (("wall", 0), ("cpu", 1)):
            p50, p95 = np.percentile(times[:, column], [50, 95])
            print(
                f"{name:>13} {clock:>4}: {len(texts)} entries, p50 {p50:.1f} ms, "
                f"p95 {p95:.1f} ms, max {times[:, column].max():.1f} ms"
            )
    print(
        f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )


def _ms(tagger: Tagger, text: str) -> tuple[float, float]:
    """Wall time, and this process's CPU time (close to the wall time on an idle machine with one
    ONNX thread; on a busy one, the wall time also counts the waits for a core)."""
    wall, cpu = time.perf_counter(), time.process_time()
    tagger.tag(text)
    return 1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu)


if __name__ == "__main__":
    main()
