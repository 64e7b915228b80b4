"""The onboarding questions as Telegram shows them: consent, then name, then time zone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup

from bot.services.identity import Identity
from bot.views.keyboards import button
from storage.vocabulary import OnboardingStep

if TYPE_CHECKING:
    from bot.state import AppState


def consent_question(
    app: AppState, first_name: str, invite_code: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The consent button carries a deep link's invite code through to the end of setting up."""
    consent = f"onb:consent:{invite_code}" if invite_code else "onb:consent"
    buttons = InlineKeyboardMarkup(
        [
            [button(app.texts("consent_button"), consent)],
            [button(app.texts("consent_decline_button"), "onb:decline")],
        ]
    )
    return app.texts("welcome", first_name=first_name), buttons


def step_question(app: AppState, who: Identity) -> tuple[str, InlineKeyboardMarkup]:
    """The question for the step a newcomer is on, with a one-tap answer."""
    texts = app.texts
    if who.onboarding_step == OnboardingStep.NAME:
        label = texts("name_button", name=who.display_name)
        return texts("consent_given"), InlineKeyboardMarkup([[button(label, "onb:name")]])
    zone = app.settings.default_timezone
    label = texts("timezone_default_button", timezone=zone)
    question = texts("name_saved", name=who.display_name)
    return question, InlineKeyboardMarkup([[button(label, "onb:tz")]])
