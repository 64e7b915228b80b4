"""`reflectbot tagger status`: which layer tags, how it scored, and how many examples tutors gave."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from bot.database import Database
from bot.settings import Settings
from bot.tagging import adapt_files
from bot.tagging.adapt_files import LayerKind
from bot.tagging.embedding import MODEL_SHA256, ModelUnavailable, model_file, sha256_of, verify
from bot.tagging.probe import load_probe
from storage import confirmed

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2 fine-tuned on the codes, int8 ONNX"


def add_tagger_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers `tagger status` on the main command line."""
    tagger = subparsers.add_parser("tagger", help="the tagger's model and what it learnt here")
    actions = tagger.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", help="show the model in use, its scores and the confirmed examples so far"
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import prepare_database

    prepare_database(settings)
    report = {**in_use(settings.data_dir), **asyncio.run(_counts(settings))}
    print(json.dumps(report, indent=2) if args.json else describe(report))
    return 0


def in_use(data_dir: Path) -> dict[str, Any]:
    """What the bot loads at its next start (and the running bot has switched to)."""
    try:
        verify(model_file())
    except ModelUnavailable:
        return {"tagger": LayerKind.CUES_ONLY.value, "model_sha256": None, "layer": None}
    path, kind = adapt_files.live_layer(data_dir)
    if not path.exists():
        return {"tagger": LayerKind.CUES_ONLY.value, "model_sha256": MODEL_SHA256, "layer": None}
    return {
        "tagger": kind.value,
        "model_sha256": MODEL_SHA256,
        "layer": str(path),
        "layer_sha256": sha256_of(path),
        "layer_scores": _scores(path),
    }


def _scores(path: Path) -> dict[str, float] | None:
    """How well the layer agreed with people on writers it wasn't trained on, as recorded when
    it was trained (an adapted layer's own are its check's)."""
    scores = load_probe(path).metadata.get("scores")
    return {str(k): float(v) for k, v in scores.items()} if isinstance(scores, dict) else None


async def _counts(settings: Settings) -> dict[str, Any]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.transaction() as session:
            examples = await confirmed.count_confirmed(session=session)
    finally:
        await db.dispose()
    return {
        "confirmed_examples": examples,
        "adapt_min": settings.tagger_adapt_min,
        "last_check": adapt_files.load_status(settings.data_dir) or None,
    }


def describe(report: dict[str, Any]) -> str:
    """The same facts as --json, as a coordinator would read them."""
    lines = [f"Tagger:      {report['tagger']}"]
    if report["model_sha256"]:
        lines.append(f"Model:       {MODEL_NAME} (sha256 {report['model_sha256'][:12]})")
    if report["layer"]:
        lines.append(f"Layer:       {report['layer']} (sha256 {report['layer_sha256'][:12]})")
    if report.get("layer_scores"):
        lines.append(f"Agreement:   {_agreement(report['layer_scores'])}")
    lines.append(
        f"Confirmed:   {report['confirmed_examples']} entries whose tags tutors confirmed or "
        f"changed; learning starts at {report['adapt_min']} (TAGGER_ADAPT_MIN)"
    )
    lines.append(f"Last check:  {_last_check(report['last_check'])}")
    return "\n".join(lines)


def _agreement(scores: dict[str, float]) -> str:
    ordered = sorted(scores.items(), key=lambda item: item[0] != "outcomes")
    figures = ", ".join(f"{kind} {value:.3f}" for kind, value in ordered)
    return f"{figures} (micro-F1 against people, on labelled writers it was not trained on)"


def _last_check(check: dict[str, Any] | None) -> str:
    if not check:
        return "none yet (the bot checks once a day)"
    when = str(check.get("checked_at", "?"))[:16].replace("T", " ")
    if check.get("current_f1") is None:
        return f"{when} UTC, {check.get('examples')} examples: {check.get('reason')}"
    verdict = "swapped in" if check.get("accepted") else "kept the current layer"
    return (
        f"{when} UTC, {check.get('trained_on')} trained on, {check.get('held_back')} held back; "
        f"F1 on the held-back entries: current {check['current_f1']:.3f}, "
        f"adapted {check['adapted_f1']:.3f}: {verdict}"
    )
