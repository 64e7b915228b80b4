"""The buttons under an entry: keep, correct, delete, retry; callback data stays under 64 bytes."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Texts
from storage.models import Reflection


def button(label: str, data: str) -> InlineKeyboardButton:
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def transcript_keyboard(texts: Texts, reflection: Reflection) -> InlineKeyboardMarkup:
    rid = reflection.id
    return InlineKeyboardMarkup(
        [
            [
                button(texts("keep_button"), f"rv:keep:{rid}"),
                button(texts("correct_button"), f"rv:fix:{rid}"),
                button(texts("delete_button"), f"rv:del:{rid}"),
            ]
        ]
    )


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
                button(texts("delete_no_button"), f"rv:keep:{reflection_id}"),
            ]
        ]
    )
