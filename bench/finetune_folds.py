"""Every open author scored by a model fine-tuned without them, in a few fine-tunings, run by hand.

    .venv/bin/python bench/finetune_folds.py WEIGHTS [--groups 5] [--only 0 2] [--work DIR]

Fine-tuning takes about ten minutes on two cores, so leaving each of twenty authors out in turn
would take an afternoon. Instead the open authors (sorted by name; never the held-back one) are
dealt round-robin into `--groups` groups, fixed before any is run, and each group is left out of
one fine-tuning (`python -m bot.tagging.finetune --leave-out A --leave-out B …`), which scores
each of its authors as unseen. Each fold trains on fewer entries than leaving one author out
would, so its figures are, if anything, a little low. The held-out files land in bench/folds/,
where `python -m bot.tagging.evaluate --by-author --folds bench/folds` reads them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tagging.authors import load_authors  # noqa: E402

FOLDS = ROOT / "bench" / "folds"


def groups_of(names: list[str], count: int) -> list[list[str]]:
    """Authors dealt round-robin in name order: the same groups every time, chosen blind."""
    ordered = sorted(names)
    return [ordered[start::count] for start in range(count)]


def run_group(weights: Path, group: list[str], work: Path) -> None:
    """One fine-tuning without the group; each of its authors' held-out file copied to FOLDS."""
    leave_out = [argument for name in group for argument in ("--leave-out", name)]
    command = [sys.executable, "-m", "bot.tagging.finetune", str(weights), *leave_out]
    subprocess.run([*command, "--out", str(work)], check=True, cwd=ROOT)
    FOLDS.mkdir(exist_ok=True)
    for name in group:
        shutil.copy(work / "held-out" / f"{name}.npz", FOLDS / f"{name}.npz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("weights", type=Path, help="folder with config.json and model.safetensors")
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument("--only", type=int, nargs="*", help="run just these groups (0-based)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/finetune-folds"))
    args = parser.parse_args()
    groups = groups_of([author.name for author in load_authors()], args.groups)
    for number, group in enumerate(groups):
        print(f"group {number}: {', '.join(group)}", flush=True)
    for number in args.only if args.only is not None else range(len(groups)):
        run_group(args.weights, groups[number], args.work / f"group-{number}")


if __name__ == "__main__":
    main()
