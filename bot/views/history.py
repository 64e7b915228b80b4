"""/history as a tutor reads it: tags and sharing in words, and a way back into each entry."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.services.entries import SOURCE_ICONS, Review, preview
from bot.tagging.codes import Codebook
from bot.views.keyboards import button, review_keyboard
from bot.views.review import with_summary
from bot.views.texts import Texts
from storage.models import Reflection

ENTRY_CHARS = 3000  # a reopened entry's text, leaving room for its summary under 4,096


def _when(entry: Reflection, timezone: str) -> str:
    return entry.created_at.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M")


def history_text(
    texts: Texts, codebook: Codebook, items: Sequence[tuple[Reflection, Review]], timezone: str
) -> str:
    lines = [texts("history_header", count=len(items))]
    for number, (entry, review) in enumerate(items, start=1):
        labels = [code.label for code in codebook.codes if code.id in review.applied]
        lines.append(
            texts(
                "history_item",
                number=number,
                when=_when(entry, timezone),
                icon=SOURCE_ICONS.get(entry.source, "•"),
                preview=preview(entry.text) or "(transcribing…)",
                share=texts(f"share_{entry.share_level}"),
                tags=", ".join(labels) or texts("history_no_tags"),
                id=entry.id,
            )
        )
    return "\n".join(lines)


def history_keyboard(items: Sequence[tuple[Reflection, Review]]) -> InlineKeyboardMarkup:
    numbers = [button(str(n), f"hs:{entry.id}") for n, (entry, _) in enumerate(items, start=1)]
    return InlineKeyboardMarkup([numbers])


def entry_text(
    texts: Texts, codebook: Codebook, entry: Reflection, review: Review, timezone: str
) -> str:
    """The whole entry again, with its summary; a very long one is cut with a note."""
    words = entry.text or "(transcribing…)"
    if len(words) > ENTRY_CHARS:
        words = words[:ENTRY_CHARS].rsplit(" ", 1)[0] + "…\n" + texts("entry_too_long")
    icon = SOURCE_ICONS.get(entry.source, "•")
    header = texts("entry_header", icon=icon, when=_when(entry, timezone))
    return with_summary(texts, codebook, f"{header}\n{words}", review)


def entry_keyboard(texts: Texts, codebook: Codebook, review: Review) -> InlineKeyboardMarkup:
    return review_keyboard(texts, codebook, review)
