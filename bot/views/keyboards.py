"""The buttons under an entry: tag toggles, who can see it, done, correct, delete, retry.

Callback data stays under Telegram's 64 bytes: `rv:<action>:<reflection id>[:<code>]:<expanded>`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.entries import Review, ReviewPanel
from bot.tagging.codes import Code, Codebook
from bot.views.texts import Texts
from storage.vocabulary import SHARE_ORDER, ShareLevel

TICKED, UNTICKED = "✅ ", "▫️ "
# Callback data names share levels by one letter, to stay far under 64 bytes.
LEVEL_LETTERS = {
    ShareLevel.PRIVATE: "p",
    ShareLevel.LEAD: "l",
    ShareLevel.GROUP_ANONYMOUS: "a",
    ShareLevel.GROUP: "g",
}
LEVELS_BY_LETTER = {letter: level for level, letter in LEVEL_LETTERS.items()}


def button(label: str, data: str) -> InlineKeyboardButton:
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def review_keyboard(texts: Texts, codebook: Codebook, review: Review) -> InlineKeyboardMarkup:
    """The buttons for whichever panel the entry's message is showing."""
    if review.panel == ReviewPanel.SHARE:
        return _share_picker(texts, review)
    if review.panel == ReviewPanel.CONFIRM_SHARE:
        return _share_confirmation(texts, review)
    if review.panel == ReviewPanel.CONFIRM_DELETE:
        return delete_keyboard(texts, review)
    return _tags_panel(texts, codebook, review)


def _tags_panel(texts: Texts, codebook: Codebook, review: Review) -> InlineKeyboardMarkup:
    rid, flag = review.reflection_id, int(review.expanded)
    outcomes = [_tag_button(code, review) for code in codebook.outcomes]
    # A challenge the entry ever had stays in view when unticked, so a slip can be undone.
    shown = [c for c in codebook.challenges if review.expanded or c.id in review.suggested]
    challenges = [_tag_button(code, review) for code in shown]
    rows = [*_rows(outcomes, 3), *_rows(challenges, 2)]
    if not review.expanded:
        rows.append([button(texts("more_challenges_button"), f"rv:x:{rid}:1")])
    share = texts("share_button", level=texts(f"share_{review.share_level}"))
    rows.append([button(share, f"rv:s:{rid}:{flag}")])
    rows.append(
        [
            button(texts("done_button"), f"rv:ok:{rid}"),
            button(texts("correct_button"), f"rv:fix:{rid}"),
            button(texts("delete_button"), f"rv:del:{rid}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _tag_button(code: Code, review: Review) -> InlineKeyboardButton:
    label = (TICKED if code.id in review.applied else UNTICKED) + code.label
    return button(label, f"rv:t:{review.reflection_id}:{code.id}:{int(review.expanded)}")


def _share_picker(texts: Texts, review: Review) -> InlineKeyboardMarkup:
    """The four choices, most private first, the current one ticked."""
    rid, flag = review.reflection_id, int(review.expanded)
    rows = [
        [
            button(
                (TICKED if level == review.share_level else "") + texts(f"share_{level}"),
                f"rv:sl:{rid}:{LEVEL_LETTERS[level]}:{flag}",
            )
        ]
        for level in SHARE_ORDER
    ]
    return InlineKeyboardMarkup([*rows, [button(texts("back_button"), f"rv:back:{rid}:{flag}")]])


def _share_confirmation(texts: Texts, review: Review) -> InlineKeyboardMarkup:
    assert review.pending_share is not None
    rid, flag = review.reflection_id, int(review.expanded)
    letter = LEVEL_LETTERS[review.pending_share]
    return InlineKeyboardMarkup(
        [
            [button(texts(f"share_yes_{review.pending_share}"), f"rv:sy:{rid}:{letter}:{flag}")],
            [button(texts("share_no_button"), f"rv:s:{rid}:{flag}")],
        ]
    )


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def failed_keyboard(texts: Texts, job_id: int, reflection_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts("retry_button"), f"vc:retry:{job_id}"),
                button(texts("delete_button"), f"rv:del:{reflection_id}"),
            ]
        ]
    )


def delete_keyboard(texts: Texts, review: Review) -> InlineKeyboardMarkup:
    rid, flag = review.reflection_id, int(review.expanded)
    return InlineKeyboardMarkup(
        [
            [
                button(texts("delete_yes_button"), f"rv:delok:{rid}"),
                button(texts("delete_no_button"), f"rv:back:{rid}:{flag}"),
            ]
        ]
    )
