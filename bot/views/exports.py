"""The /export conversation: pick a format, then a period; callback data `ex:<step>:...`."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.exports.periods import Period
from bot.views.keyboards import button
from bot.views.texts import Texts
from storage.vocabulary import ExportFormat

SUFFIX = {
    ExportFormat.CSV: "csv",
    ExportFormat.XLSX: "xlsx",
    ExportFormat.JSONL: "jsonl",
    ExportFormat.QDPX: "qdpx",
}


def format_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    order = (ExportFormat.XLSX, ExportFormat.CSV, ExportFormat.QDPX, ExportFormat.JSONL)
    return InlineKeyboardMarkup(
        [[button(texts(f"export_format_{kind}"), f"ex:f:{kind}")] for kind in order]
    )


def period_keyboard(texts: Texts, kind: ExportFormat) -> InlineKeyboardMarkup:
    rows = [[button(texts(f"export_period_{p.name.lower()}"), f"ex:p:{kind}:{p}")] for p in Period]
    return InlineKeyboardMarkup([*rows, [button(texts("back_button"), "ex:start")]])


def file_name(kind: ExportFormat, day: str) -> str:
    return f"reflections-{day}.{SUFFIX[kind]}"
