"""The onboarding messages as Telegram shows them: consent, then one confirmation with changes.

Callback data: `onb:consent[:CODE]`, `onb:decline`, `onb:ok`, `onb:cn` (change name),
`onb:ctz` (change time zone), `onb:keep` (back to the confirmation). `onb:name` and `onb:tz`
are the one-tap answers of the older step-by-step questions, still under messages in chats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.services.identity import Identity
from bot.views.keyboards import button
from bot.views.texts import Texts
from storage.vocabulary import OnboardingStep, ShareLevel

if TYPE_CHECKING:
    from bot.state import AppState

UK_ZONE = "Europe/London"

Question = tuple[str, InlineKeyboardMarkup]
Asker = Callable[[Texts, Identity], Question]  # what to show a newcomer next


def consent_question(app: AppState, first_name: str, invite_code: str | None = None) -> Question:
    """The consent button carries a deep link's invite code through to the end of setting up."""
    consent = f"onb:consent:{invite_code}" if invite_code else "onb:consent"
    buttons = InlineKeyboardMarkup(
        [
            [button(app.texts("consent_button"), consent)],
            [button(app.texts("consent_decline_button"), "onb:decline")],
        ]
    )
    return welcome_text(app, first_name), buttons


def welcome_text(app: AppState, first_name: str) -> str:
    """Names the share levels exactly as the button under each entry does."""
    levels = {level.value: app.texts(f"share_{level}") for level in ShareLevel}
    default = levels[app.settings.default_share_level]
    return app.texts("welcome", first_name=first_name, default=default, **levels)


def consent_record(
    app: AppState, first_name: str, *, agreed_at: datetime, version: str, zone: str
) -> str:
    """The welcome with the date it was agreed: what stays in the chat once the buttons go."""
    return f"{welcome_text(app, first_name)}\n\n{agreed_line(app.texts, agreed_at, version, zone)}"


def agreed_line(texts: Texts, agreed_at: datetime, version: str, zone: str) -> str:
    """`✅ You agreed on 29 November 2026 (consent v2026-11-29).`, in the tutor's own zone."""
    day = agreed_at.astimezone(ZoneInfo(zone)).date()
    return texts("consent_record", day=full_date(day), version=version)


def full_date(day: date) -> str:
    """`29 November 2026`: a date as a record should give it."""
    return f"{day.day} {day:%B %Y}"


def zone_label(texts: Texts, zone: str) -> str:
    """`UK time (Europe/London)`, or `Europe/Dublin time`."""
    return texts("timezone_uk" if zone == UK_ZONE else "timezone_named", timezone=zone)


def step_question(app: AppState, who: Identity) -> Question:
    """What a newcomer sees for where they are: the confirmation, or the time zone question."""
    if who.onboarding_step == OnboardingStep.TIMEZONE:
        return timezone_question(app.texts, who)
    return confirmation(app.texts, who)


def confirmation(texts: Texts, who: Identity) -> Question:
    text = texts(
        "onboarding_confirm", name=who.display_name, timezone=zone_label(texts, who.timezone)
    )
    buttons = InlineKeyboardMarkup(
        [
            [button(texts("confirm_button"), "onb:ok")],
            [
                button(texts("change_name_button"), "onb:cn"),
                button(texts("change_timezone_button"), "onb:ctz"),
            ],
        ]
    )
    return text, buttons


def name_question(texts: Texts, who: Identity) -> Question:
    keep = button(texts("keep_name_button", name=who.display_name), "onb:keep")
    return texts("ask_name"), InlineKeyboardMarkup([[keep]])


def timezone_question(texts: Texts, who: Identity) -> Question:
    keep = button(
        texts("keep_timezone_button", timezone=zone_label(texts, who.timezone)), "onb:keep"
    )
    return texts("ask_timezone"), InlineKeyboardMarkup([[keep]])


def timezone_unknown(texts: Texts, who: Identity, value: str) -> Question:
    """The typed zone we did not know, with the way back to the zone we have."""
    _, buttons = timezone_question(texts, who)
    return texts("timezone_unknown", value=value[:60]), buttons
