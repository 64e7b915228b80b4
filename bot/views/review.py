"""The words under an entry: its tags and who sees it, or the question its buttons are asking.

The message keeps its own text (the saved note, or the transcript) above a thin rule; below
the rule is redrawn on every tap, so what the buttons say and what the text says never differ.
"""

from __future__ import annotations

import html

from bot.services.entries import Review, ReviewPanel
from bot.tagging.codes import Codebook
from bot.views.texts import Texts
from storage.vocabulary import TagKind

RULE = "┈┈┈┈┈┈┈┈"


def body_of(message_text: str) -> str:
    """The part above the rule, as the tutor first saw it."""
    return message_text.split(f"\n\n{RULE}", 1)[0]


def with_summary(texts: Texts, codebook: Codebook, body: str, review: Review) -> str:
    return f"{body_of(body)}\n\n{RULE}\n{summary(texts, codebook, review)}"


def summary(texts: Texts, codebook: Codebook, review: Review) -> str:
    """Outcomes and challenges as words, and who sees it; or the pending question."""
    if review.panel == ReviewPanel.SHARE:
        return texts("review_share_question")
    if review.panel == ReviewPanel.CONFIRM_SHARE:
        return texts(f"review_confirm_{review.pending_share}")
    if review.panel == ReviewPanel.CONFIRM_DELETE:
        return texts("delete_confirm", preview=review.preview)
    none = texts("review_none")
    return texts(
        "review_summary",
        outcomes=_labels(codebook, review, TagKind.OUTCOME) or none,
        challenges=_labels(codebook, review, TagKind.CHALLENGE) or none,
        share=texts(f"share_{review.share_level}"),
    )


def _labels(codebook: Codebook, review: Review, kind: TagKind) -> str:
    codes = codebook.outcomes if kind == TagKind.OUTCOME else codebook.challenges
    return " · ".join(code.label for code in codes if code.id in review.applied)


COPYABLE_CHARS = 3500  # Telegram's 4,096, less the words around it


def correction_prompt(texts: Texts, current: str) -> str:
    """HTML: the current words in a code block, which a phone copies with one tap."""
    if not current or len(current) > COPYABLE_CHARS:
        return html.escape(texts("correct_prompt"))
    return texts(
        "correct_prompt_copy",
        prompt=html.escape(texts("correct_prompt")),
        text=html.escape(current),
    )
