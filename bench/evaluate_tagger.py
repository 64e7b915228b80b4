"""Tagger scores on the labelled sets, run by hand: the same as `python -m bot.tagging.evaluate`.

    .venv/bin/python bench/evaluate_tagger.py [FILE...] [--errors] [--prompts-dir DIR]

With no files it scores tests/data/reflections_dev.jsonl and reflections_holdout.jsonl.
Use --errors on the dev set only: the holdout set is kept unseen so its score stays honest.
--by-author scores each author left out in turn, cues alone vs the blend (needs the model).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so `bot` imports when run as a plain script

from bot.tagging.evaluate import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
