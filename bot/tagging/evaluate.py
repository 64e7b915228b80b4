"""`python -m bot.tagging.evaluate [FILE...]`: how well the tagger agrees with people's labels."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.tagging.authors import HELD_BACK
from bot.tagging.codebook import Codebook, load_codebook
from bot.tagging.dataset import DEV_SET, HOLDOUT_SET, Example, load_examples
from bot.tagging.metrics import Counts, count_code, micro
from bot.tagging.tagger import Tagger

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """The scores for one labelled file."""

    path: Path
    entries: int
    per_code: dict[str, Counts]
    outcomes: Counts
    challenges: Counts
    overall: Counts
    ms_per_entry: float
    errors: tuple[str, ...]


def evaluate(path: Path, tagger: Tagger) -> Report:
    """Tags every entry, timing the tagging alone, and compares with the labels."""
    examples = load_examples(path)
    started = time.perf_counter()
    predicted = [set(tagger.tag(example.text).applied) for example in examples]
    elapsed = time.perf_counter() - started
    pairs = [
        (set(example.codes), guess) for example, guess in zip(examples, predicted, strict=True)
    ]
    codebook = tagger.codebook
    per_code = {code.id: count_code(code.id, pairs) for code in codebook.codes}
    return Report(
        path=path,
        entries=len(examples),
        per_code=per_code,
        outcomes=micro(per_code[code.id] for code in codebook.outcomes),
        challenges=micro(per_code[code.id] for code in codebook.challenges),
        overall=micro(per_code.values()),
        ms_per_entry=1000 * elapsed / max(len(examples), 1),
        errors=tuple(_differences(examples, predicted)),
    )


def _differences(examples: list[Example], predicted: list[set[str]]) -> list[str]:
    lines = []
    for example, guess in zip(examples, predicted, strict=True):
        missed, extra = sorted(example.codes - guess), sorted(guess - example.codes)
        if missed or extra:
            lines.append(f"{example.id}: missed {missed} extra {extra}\n    {example.text}")
    return lines


def format_report(report: Report, codebook: Codebook) -> str:
    """A plain table: per code, then the micro averages the targets are set on."""
    lines = [
        f"{report.path.name}: {report.entries} entries, {report.ms_per_entry:.2f} ms per entry"
    ]
    lines.append(f"  {'code':<18}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for code in codebook.codes:
        lines.append(_row(code.id, report.per_code[code.id]))
    for name, counts in (
        ("micro outcomes", report.outcomes),
        ("micro challenges", report.challenges),
        ("micro overall", report.overall),
    ):
        lines.append(_row(name, counts))
    return "\n".join(lines)


def _row(name: str, counts: Counts) -> str:
    p, r, f = counts.precision, counts.recall, counts.f1
    return f"  {name:<18}{p:>7.3f}{r:>7.3f}{f:>7.3f}{counts.support:>5}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.tagging.evaluate", description=__doc__)
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="labelled JSON lines (default: dev, and holdout when present)",
    )
    parser.add_argument("--prompts-dir", type=Path, help="folder holding codebook.yaml")
    parser.add_argument(
        "--errors", action="store_true", help="list each entry the tagger got wrong"
    )
    parser.add_argument(
        "--model",
        action="store_true",
        help="tag with the shipped language model beside the cues (default: the cues alone)",
    )
    parser.add_argument(
        "--by-author",
        action="store_true",
        help="leave one author out: cues alone vs the blend with the language model",
    )
    parser.add_argument("--data-dir", type=Path, help="labelled sets for --by-author")
    parser.add_argument(
        "--folds",
        type=Path,
        help="with --by-author, the table from the held-out files that "
        "`python -m bot.tagging.finetune --leave-out` wrote (e.g. bench/folds): "
        "the fine-tuned model on authors it never saw",
    )
    parser.add_argument(
        "--per-code",
        action="store_true",
        help="with --folds, choose each code's weight and threshold on the other authors' folds "
        "instead of the shipped blend",
    )
    parser.add_argument(
        "--held-back",
        action="store_true",
        help=f"with --by-author, also score {HELD_BACK} (once, for a report; never tune on it)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    codebook = load_codebook(args.prompts_dir)
    if args.by_author and args.folds:
        return _from_folds(codebook, args.folds, args.per_code)
    if args.by_author:
        return _by_author(codebook, args.data_dir, args.held_back)
    tagger = _tagger(codebook, args.model)
    for path in args.files or [DEV_SET, HOLDOUT_SET]:
        if not args.files and not path.exists():
            print(f"{path.name}: not there yet; skipped\n")
            continue
        report = evaluate(path, tagger)
        print(format_report(report, codebook))
        if args.errors:
            print("\n".join(report.errors))
        print()
    return 0


def _tagger(codebook: Codebook, with_model: bool) -> Tagger:
    """The cues alone, or the tagger the bot runs; says which, as the figures differ."""
    if not with_model:
        return Tagger(codebook)
    from bot.tagging.model_tagger import ModelTagger, load_tagger

    tagger = load_tagger(codebook)
    if isinstance(tagger, ModelTagger):
        print(f"Tagger: the cues with the language model ({tagger.probe.metadata.get('model')})\n")
    else:
        print("Tagger: the cues alone (the language model could not be loaded)\n")
    return tagger


def _by_author(codebook: Codebook, data_dir: Path | None, held_back: bool) -> int:
    """Needs the optional model: says so plainly (exit 2) when it isn't installed."""
    from bot.tagging.by_author import by_author, format_folds
    from bot.tagging.embedding import ModelUnavailable

    try:
        folds = by_author(codebook, data_dir, held_back, progress=_to_stderr)
        print("\n".join([*seen_by_encoder(), format_folds(folds, codebook)]))
    except ModelUnavailable as error:
        print(f"--by-author needs the language model: {error}", file=sys.stderr)
        return 2
    return 0


def _from_folds(codebook: Codebook, folder: Path, per_code: bool) -> int:
    """The fine-tuned model's own leave-one-author-out table, from the files its folds left."""
    from bot.tagging.by_author import FOLD_FILES_INTRO, PER_CODE_INTRO, format_folds
    from bot.tagging.fold_files import folds_from

    folds = folds_from(folder, per_code)
    if not folds:
        print(f"No held-out files in {folder}", file=sys.stderr)
        return 2
    print(format_folds(folds, codebook, PER_CODE_INTRO if per_code else FOLD_FILES_INTRO))
    return 0


def seen_by_encoder() -> list[str]:
    """A warning to print above the table when the encoder itself learnt from these authors."""
    from bot.tagging.embedding import model_file, model_record

    trained_on = model_record(model_file()).get("trained_on") or {}
    if not trained_on:
        return []
    return [
        f"Note: the shipped encoder was fine-tuned on {len(trained_on)} of these authors, and "
        "leaving one out here retrains only the layer,",
        "so these figures flatter the tagger. For authors it never saw: "
        "`python -m bot.tagging.evaluate --by-author --folds bench/folds`.\n",
    ]


def _to_stderr(line: str) -> None:
    """Progress for whoever is watching, kept out of the report on standard output."""
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
