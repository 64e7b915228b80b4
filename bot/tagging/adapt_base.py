"""The packaged layer's training entries as vectors and codes, so adapting needn't embed them again."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.tagging.authors import HELD_BACK, Author, load_authors
from bot.tagging.codebook import load_codebook
from bot.tagging.codes import Codebook
from bot.tagging.crossval import Scored
from bot.tagging.dataset import Example
from bot.tagging.embedding import (
    MODEL_DIR,
    MODEL_SHA256,
    ModelUnavailable,
    load_embedder,
    sha256_of,
)
from bot.tagging.inputs import Embedded
from bot.tagging.model_tagger import embed_text
from bot.tagging.tagger import CodeMatch, Tagger, TagResult
from storage.vocabulary import TagKind

logger = logging.getLogger(__name__)

# Rebuilt with `python -m bot.tagging.adapt_base` whenever the packaged layer is retrained.
BASE_FILE = MODEL_DIR / "adapt-base.npz"


def training_authors() -> list[Author]:
    """The authors `python -m bot.tagging.finetune` trains the packaged model on."""
    return [author for author in load_authors() if author.name != HELD_BACK]


def labelled_sha256(authors: Sequence[Author]) -> str:
    """Changes whenever an entry is added, reworded or relabelled."""
    digest = hashlib.sha256()
    for author in authors:
        for example in author.examples:
            record = [author.name, example.id, example.text, sorted(example.codes)]
            digest.update(json.dumps(record).encode("utf-8"))
    return digest.hexdigest()


def load_base(codebook: Codebook, path: Path = BASE_FILE) -> list[Scored]:
    """The packaged training entries as `Scored`: the whole entry's vector, cues as stored."""
    with np.load(path, allow_pickle=False) as data:
        _check(json.loads(str(data["metadata"])), data.files, path)
        codes = tuple(str(code) for code in data["codes"])
        rows = zip(data["entries"], data["cues"], data["labels"], strict=True)
        return [_scored(i, codes, codebook, *row) for i, row in enumerate(rows)]


def _scored(
    index: int,
    codes: tuple[str, ...],
    codebook: Codebook,
    entry: npt.NDArray[np.float16],
    cues: npt.NDArray[np.float16],
    labels: npt.NDArray[np.bool_],
) -> Scored:
    gold = frozenset(code for code, on in zip(codes, labels, strict=True) if on)
    whole = entry.astype(np.float32)
    # The shipped layer reads the whole entry's vector; it stands as the entry's one "sentence".
    vectors = Embedded(((0, 0),), whole[None], whole)
    return Scored(Example(f"base-{index}", "", gold), _cues(codes, codebook, cues), vectors)


def _check(metadata: dict[str, object], arrays: Sequence[str], path: Path) -> None:
    """Vectors from another model, or without the inputs the layer reads, would teach it nonsense."""
    # Cue scores from before a coordinator edited the codebook lag a little, as the packaged
    # layer's own do, so they still serve.
    if metadata.get("model_sha256") != MODEL_SHA256 or "entries" not in arrays:
        raise ModelUnavailable(f"{path.name} was built by an older release; rebuild it")


def _cues(
    codes: Sequence[str], codebook: Codebook, confidences: npt.NDArray[np.float16]
) -> TagResult:
    """The cues' confidences when the file was built; training needs no evidence spans."""
    return TagResult(
        {
            code: CodeMatch(code, _kind(codebook, code), False, float(confidence), ())
            for code, confidence in zip(codes, confidences, strict=True)
        }
    )


def _kind(codebook: Codebook, code: str) -> TagKind:
    known = codebook.get(code)
    return known.kind if known else TagKind.OUTCOME


def build(authors: Sequence[Author], codebook: Codebook, path: Path) -> int:
    """Embeds and cue-scores every training entry once; writes them in half precision."""
    embedder, cue_tagger = load_embedder(), Tagger(codebook)
    examples = [example for author in authors for example in author.examples]
    embedded = [embed_text(embedder, example.text) for example in examples]
    kept = [(e, v) for e, v in zip(examples, embedded, strict=True) if v.spans]
    codes = codebook.ids
    metadata = {
        "model_sha256": MODEL_SHA256,
        "codebook_sha256": sha256_of(codebook.source),
        "labelled_sha256": labelled_sha256(authors),
    }
    np.savez_compressed(
        path,
        codes=np.array(codes),
        entries=np.array([v.whole() for _, v in kept], np.float16),
        cues=np.array([_confidences(cue_tagger.tag(e.text), codes) for e, _ in kept], np.float16),
        labels=np.array([[code in e.codes for code in codes] for e, _ in kept]),
        metadata=np.array(json.dumps(metadata, sort_keys=True)),
    )
    return len(kept)


def _confidences(result: TagResult, codes: Sequence[str]) -> list[float]:
    return [result.codes[code].confidence for code in codes]


def stored_metadata(path: Path = BASE_FILE) -> dict[str, object]:
    """What the file was built from, to tell whether the labelled sets have moved on since."""
    with np.load(path, allow_pickle=False) as data:
        metadata: dict[str, object] = json.loads(str(data["metadata"]))
    return metadata


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tagging.adapt_base", description=__doc__)
    parser.add_argument("--out", type=Path, default=BASE_FILE, help="where to write the .npz")
    parser.add_argument("--prompts-dir", type=Path, help="folder holding codebook.yaml")
    args = parser.parse_args(argv)
    count = build(training_authors(), load_codebook(args.prompts_dir), args.out)
    print(f"{args.out}: {count} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
