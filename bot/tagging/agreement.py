"""`python -m bot.tagging.agreement FIRST SECOND`: how far two coders agree on the same entries.

Each file holds JSON lines `{"id", "outcomes", "challenges"}` (any "text" is ignored); entries are
matched by id. Agreement is micro-F1 taking the first coder as the reference, for outcomes and for
challenges, then F1 per code: the ceiling a tagger can be expected to reach against either coder.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.tagging.codebook import load_codebook
from bot.tagging.codes import Codebook
from bot.tagging.metrics import Counts, count_code, micro

logger = logging.getLogger(__name__)

Pairs = list[tuple[set[str], set[str]]]


def read_codes(path: Path) -> dict[str, set[str]]:
    """Each entry's codes by id."""
    rows = (json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip())
    return {str(row["id"]): {*row["outcomes"], *row["challenges"]} for row in rows}


def paired(first: dict[str, set[str]], second: dict[str, set[str]]) -> Pairs:
    """(first, second) codes for every entry both coded; entries only one coded are a mistake."""
    if first.keys() != second.keys():
        missing = sorted(first.keys() ^ second.keys())[:5]
        raise ValueError(f"the files code different entries, e.g. {', '.join(missing)}")
    return [(first[key], second[key]) for key in sorted(first)]


def report(pairs: Pairs, codebook: Codebook) -> str:
    """Micro-F1 for each kind of code, then F1 per code."""
    per_code = {code: count_code(code, pairs) for code in codebook.ids}
    lines = [f"{len(pairs)} entries coded by both"]
    for kind, codes in (("outcomes", codebook.outcomes), ("challenges", codebook.challenges)):
        lines.append(f"{kind:<18}micro-F1 {_f1(micro(per_code[c.id] for c in codes))}")
    lines.extend(f"  {code:<18}F1 {_f1(counts)}" for code, counts in per_code.items())
    return "\n".join(lines)


def _f1(counts: Counts) -> str:
    return f"{counts.f1:.3f}" if counts.tp + counts.fp + counts.fn else "  — (no entries)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tagging.agreement", description=__doc__)
    parser.add_argument("first", type=Path, help="the reference coder's labels")
    parser.add_argument("second", type=Path, help="the other coder's labels")
    parser.add_argument("--prompts-dir", type=Path, help="folder holding codebook.yaml")
    args = parser.parse_args(argv)
    try:
        pairs = paired(read_codes(args.first), read_codes(args.second))
    except (OSError, ValueError, KeyError) as error:
        print(f"Can't compare these files: {error}", file=sys.stderr)
        return 2
    print(report(pairs, load_codebook(args.prompts_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
