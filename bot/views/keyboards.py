"""The buttons under an entry: tag toggles, who can see it, done, correct, delete, retry.

Callback data stays under Telegram's 64 bytes: `rv:<action>:<reflection id>[:<code>]:<expanded>`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.entries import Review
from bot.tagging.codes import Code, Codebook
from bot.views.texts import Texts

TICK = "✓ "


def button(label: str, data: str) -> InlineKeyboardButton:
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def review_keyboard(texts: Texts, codebook: Codebook, review: Review) -> InlineKeyboardMarkup:
    rid, flag = review.reflection_id, int(review.expanded)
    outcomes = [_tag_button(code, review) for code in codebook.outcomes]
    shown = [c for c in codebook.challenges if review.expanded or c.id in review.applied]
    challenges = [_tag_button(code, review) for code in shown]
    rows = [outcomes, *_rows(challenges, 2)]
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
    label = (TICK if code.id in review.applied else "") + code.label
    return button(label, f"rv:t:{review.reflection_id}:{code.id}:{int(review.expanded)}")


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


def delete_keyboard(texts: Texts, reflection_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts("delete_yes_button"), f"rv:delok:{reflection_id}"),
                button(texts("delete_no_button"), f"rv:back:{reflection_id}:0"),
            ]
        ]
    )
