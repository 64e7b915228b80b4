"""Who wrote each labelled reflection, so the model is always scored on an author it never saw."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bot.tagging.dataset import DATA_DIR, DEV_SET, HOLDOUT_SET, Example, load_examples

logger = logging.getLogger(__name__)

AUTHORS_DIR = DATA_DIR / "authors"
# Never trained or tuned on: scored once, with the layer trained on everyone else. Its file is
# not even opened unless a caller asks for it by name (`evaluate --by-author --held-back`).
HELD_BACK = "author_zzq"
# The cues were tuned while reading these authors' errors, so the cues score too well on them.
CUE_TUNED = frozenset({"dev_1", "dev_2", "dev_3"})
DEV_NUMBER = re.compile(r"dev-(\d+)$")


@dataclass(frozen=True)
class Author:
    """One writer's labelled reflections."""

    name: str
    examples: tuple[Example, ...]


def dev_author(example_id: str) -> str:
    """The dev set mixes three writers; tests/data/README.md says which ids are whose."""
    if example_id.startswith("unseen-"):
        return "dev_3"
    number = DEV_NUMBER.match(example_id)
    return "dev_2" if number and int(number.group(1)) > 160 else "dev_1"


def load_authors(data_dir: Path | None = None, held_back: bool = False) -> list[Author]:
    """Every author in the labelled sets; the held-back one's file is read only when asked."""
    dev = DEV_SET if data_dir is None else data_dir / DEV_SET.name
    holdout = HOLDOUT_SET if data_dir is None else data_dir / HOLDOUT_SET.name
    groups: dict[str, list[Example]] = {}
    if dev.exists():
        for example in load_examples(dev):
            groups.setdefault(dev_author(example.id), []).append(example)
    if holdout.exists():
        groups["holdout"] = load_examples(holdout)
    for path in sorted(((data_dir or DATA_DIR) / AUTHORS_DIR.name).glob("*.jsonl")):
        if held_back or path.stem != HELD_BACK:
            groups[path.stem] = load_examples(path)
    return [Author(name, tuple(examples)) for name, examples in sorted(groups.items())]
