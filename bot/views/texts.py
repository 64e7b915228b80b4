"""The bot's wording, loaded from `prompts/messages.yaml` and checked before the bot starts."""

from __future__ import annotations

import string
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, create_model

from bot.datafile import DataModel, load_model
from prompts import PROMPTS_DIR
from storage.vocabulary import EntrySource

MESSAGES_FILE = "messages.yaml"

# Every message the code uses, with the placeholders it supplies.
REQUIRED: dict[str, frozenset[str]] = {
    "welcome": frozenset({"first_name", "private", "lead", "group", "group_anonymous", "default"}),
    "consent_button": frozenset(),
    "consent_decline_button": frozenset(),
    "consent_declined": frozenset(),
    "consent_record": frozenset({"day", "version"}),
    "onboarding_confirm": frozenset({"name", "timezone"}),
    "confirm_button": frozenset(),
    "change_name_button": frozenset(),
    "change_timezone_button": frozenset(),
    "ask_name": frozenset(),
    "keep_name_button": frozenset({"name"}),
    "ask_timezone": frozenset(),
    "keep_timezone_button": frozenset({"timezone"}),
    "timezone_uk": frozenset({"timezone"}),
    "timezone_named": frozenset({"timezone"}),
    "timezone_unknown": frozenset({"value"}),
    "onboarding_stale": frozenset(),
    "onboarding_done": frozenset({"name"}),
    "already_onboarded": frozenset({"name"}),
    "needs_start": frozenset(),
    "finish_onboarding": frozenset(),
    "not_allowed": frozenset(),
    "slow_down": frozenset(),
    "reflection_saved": frozenset({"name", "count"}),
    "entry_edited": frozenset(),
    "answer_edited": frozenset(),
    "history_empty": frozenset(),
    "history_header": frozenset({"count"}),
    "history_item": frozenset({"number", "when", "icon", "preview", "share", "tags", "id"}),
    "history_no_tags": frozenset(),
    "entry_usage": frozenset(),
    "entry_header": frozenset({"icon", "when"}),
    "entry_too_long": frozenset(),
    "help": frozenset(),
    "unknown_command": frozenset({"command"}),
    "unsupported_message": frozenset(),
    "error": frozenset(),
    "error_but_saved": frozenset(),
    "error_saved_retrying": frozenset(),
    "error_retrying": frozenset(),
    "voice_received": frozenset(),
    "voice_queued": frozenset({"position"}),
    "voice_progress": frozenset({"percent"}),
    "voice_too_big": frozenset(),
    "voice_too_long": frozenset({"minutes", "limit"}),
    "transcript": frozenset({"transcript"}),
    "transcript_long": frozenset({"preview"}),
    "voice_no_speech": frozenset(),
    "voice_unreadable": frozenset(),
    "voice_failed": frozenset(),
    "retrying": frozenset(),
    "nothing_to_retry": frozenset(),
    "correct_prompt": frozenset(),
    "correct_prompt_copy": frozenset({"prompt", "text"}),
    "fix_not_found": frozenset({"phrase"}),
    "corrected": frozenset(),
    "delete_confirm": frozenset({"preview"}),
    "delete_yes_button": frozenset(),
    "delete_no_button": frozenset(),
    "deleted": frozenset(),
    "not_found": frozenset(),
    "done_button": frozenset(),
    "more_challenges_button": frozenset(),
    "share_button": frozenset({"level"}),
    "share_private": frozenset(),
    "share_lead": frozenset(),
    "share_group": frozenset(),
    "share_group_anonymous": frozenset(),
    "share_yes_group": frozenset(),
    "share_yes_group_anonymous": frozenset(),
    "share_no_button": frozenset(),
    "settings_view": frozenset({"share", "timezone"}),
    "settings_confirm_group": frozenset(),
    "settings_confirm_group_anonymous": frozenset(),
    "review_summary": frozenset({"outcomes", "challenges", "share"}),
    "review_none": frozenset(),
    "review_share_question": frozenset(),
    "review_confirm_group": frozenset(),
    "review_confirm_group_anonymous": frozenset(),
    "tags_confirmed": frozenset(),
    "guided_question": frozenset({"number", "total", "question"}),
    "guided_hint": frozenset({"hint"}),
    "guided_controls": frozenset(),
    "guided_saved": frozenset(),
    "guided_nothing_saved": frozenset(),
    "guided_stopped": frozenset(),
    "guided_resume": frozenset({"answered", "total"}),
    "guided_resume_button": frozenset(),
    "guided_question_done": frozenset(),
    "guided_already_saved": frozenset(),
    "guided_restart_button": frozenset(),
    "guided_saved_stale": frozenset(),
    "guided_unknown_set": frozenset({"name", "choices"}),
    "guided_nothing_to_skip": frozenset(),
    "guided_voice_answer": frozenset(),
    "guided_waiting_for_voice": frozenset(),
    "skip_button": frozenset(),
    "stop_button": frozenset(),
    "mydata_caption": frozenset(),
    "mydata_page_caption": frozenset(),
    "mydata_page_title": frozenset({"name"}),
    "mydata_page_intro": frozenset({"day"}),
    "mydata_page_profile_header": frozenset(),
    "mydata_page_profile": frozenset(
        {"name", "pseudonym", "role", "timezone", "share", "checkins"}
    ),
    "mydata_page_week_header": frozenset(),
    "mydata_page_week_empty": frozenset(),
    "mydata_page_reflections_header": frozenset({"count"}),
    "mydata_page_reflections_empty": frozenset(),
    "mydata_page_entry": frozenset({"when", "source", "share"}),
    "mydata_page_tags": frozenset({"tags"}),
    "mydata_page_no_tags": frozenset(),
    "mydata_page_skipped": frozenset(),
    "mydata_page_no_text": frozenset(),
    "mydata_page_recording": frozenset({"seconds"}),
    **{f"mydata_page_source_{source}": frozenset() for source in EntrySource},
    "mydata_audio": frozenset(),
    "forget_confirm": frozenset({"count"}),
    "forget_yes_button": frozenset(),
    "forget_no_button": frozenset(),
    "forgotten": frozenset(),
    "forget_cancelled": frozenset(),
    "newgroup_usage": frozenset(),
    "group_created": frozenset({"name", "code", "link"}),
    "join_usage": frozenset(),
    "joined": frozenset({"name"}),
    "join_already": frozenset({"name"}),
    "join_unknown": frozenset(),
    "join_expired": frozenset(),
    "join_used_up": frozenset(),
    "joined_after_setup": frozenset({"names"}),
    "group_none": frozenset(),
    "group_pick": frozenset(),
    "group_view": frozenset({"name", "count", "members", "timezone", "digest", "linked", "code"}),
    "group_member": frozenset({"name", "lead", "reflections"}),
    "group_no_members": frozenset(),
    "lead_mark": frozenset(),
    "group_chat_linked": frozenset(),
    "group_chat_unlinked": frozenset(),
    "no_invite_code": frozenset(),
    "digest_day_button": frozenset({"day"}),
    "digest_time_button": frozenset({"time"}),
    "new_invite_button": frozenset(),
    "timezone_button": frozenset({"timezone"}),
    "pick_group_timezone": frozenset({"name"}),
    "remove_member_button": frozenset(),
    "make_lead_button": frozenset(),
    "back_button": frozenset(),
    "pick_member_to_remove": frozenset({"name"}),
    "pick_member_to_lead": frozenset({"name"}),
    "member_removed": frozenset({"member", "name"}),
    "member_made_lead": frozenset({"member", "name"}),
    "group_gone": frozenset(),
    "leave_none": frozenset(),
    "leave_pick": frozenset(),
    "left_group": frozenset({"name"}),
    "link_usage": frozenset(),
    "linked": frozenset({"name"}),
    "link_refused": frozenset(),
    "unlinked_chat": frozenset(),
    "digest_title": frozenset({"group", "first_day"}),
    "digest_counts": frozenset({"entries", "reflected", "members"}),
    "digest_names": frozenset({"names"}),
    "digest_outcomes": frozenset({"outcomes"}),
    "digest_no_outcomes": frozenset(),
    "digest_challenges_header": frozenset(),
    "digest_challenge": frozenset({"label", "count", "change"}),
    "digest_change_up": frozenset({"before"}),
    "digest_change_down": frozenset({"before"}),
    "digest_change_same": frozenset(),
    "digest_change_new": frozenset(),
    "digest_excerpts_header": frozenset(),
    "digest_excerpt": frozenset({"text", "author"}),
    "digest_excerpt_anonymous": frozenset({"text"}),
    "digest_excerpt_lead": frozenset({"text", "author"}),
    "digest_question": frozenset({"question"}),
    "digest_usage": frozenset(),
    "schedule_view": frozenset({"sessions", "how"}),
    "schedule_empty": frozenset(),
    "schedule_session": frozenset({"session"}),
    "schedule_how_after_session": frozenset({"delay"}),
    "schedule_how_daily": frozenset(),
    "schedule_how_weekly": frozenset(),
    "schedule_paused": frozenset({"day"}),
    "schedule_add_button": frozenset(),
    "schedule_remove_button": frozenset({"session"}),
    "schedule_style_after_session": frozenset(),
    "schedule_style_daily": frozenset(),
    "schedule_style_weekly": frozenset(),
    "schedule_pick_day": frozenset(),
    "schedule_pick_hour": frozenset({"day"}),
    "schedule_pick_minute": frozenset({"day"}),
    "schedule_added": frozenset({"session"}),
    "schedule_duplicate": frozenset(),
    "schedule_full": frozenset({"limit"}),
    "schedule_removed": frozenset({"session"}),
    "schedule_gone": frozenset(),
    "schedule_usage": frozenset(),
    "cancel_button": frozenset(),
    "prompt_after_session": frozenset({"session", "question", "hint"}),
    "prompt_daily": frozenset(),
    "prompt_weekly": frozenset(),
    "prompt_full_button": frozenset(),
    "prompt_weekly_button": frozenset(),
    "prompt_pause_button": frozenset(),
    "pause_pick": frozenset(),
    "pause_week_button": frozenset(),
    "pause_half_term_button": frozenset({"day"}),
    "pause_term_button": frozenset({"day"}),
    "paused": frozenset({"day"}),
    "pause_bad_date": frozenset(),
    "pause_past": frozenset(),
    "pause_too_far": frozenset(),
    "resumed": frozenset(),
    "resume_not_paused": frozenset(),
    "export_pick_format": frozenset(),
    "export_format_xlsx": frozenset(),
    "export_format_csv": frozenset(),
    "export_format_qdpx": frozenset(),
    "export_format_jsonl": frozenset(),
    "export_pick_period": frozenset(),
    "export_period_last_30_days": frozenset(),
    "export_period_school_year": frozenset(),
    "export_period_everything": frozenset(),
    "export_working": frozenset(),
    "export_progress": frozenset({"count"}),
    "export_done": frozenset({"count"}),
    "export_caption": frozenset({"count", "period"}),
    "export_zipped": frozenset(),
    "export_empty": frozenset(),
    "privacy": frozenset({"audio", "retention"}),
    "privacy_audio_deleted": frozenset(),
    "privacy_audio_kept": frozenset({"days"}),
    "privacy_keep_until_deleted": frozenset(),
    "privacy_keep_days": frozenset({"days"}),
    "correct_button": frozenset(),
    "delete_button": frozenset(),
    "retry_button": frozenset(),
}


class TextsError(Exception):
    """A wording file that would make the bot crash mid-conversation."""


class Texts:
    """Looks up a message by key and fills its placeholders."""

    def __init__(self, messages: dict[str, str]) -> None:
        self._messages = messages

    def __call__(self, key: str, **values: object) -> str:
        return self._messages[key].format(**values)


def load_texts(
    prompts_dir: Path | None = None, required: dict[str, frozenset[str]] = REQUIRED
) -> Texts:
    """Fails at start-up, naming the message, rather than when a tutor first triggers it."""
    path = (prompts_dir or PROMPTS_DIR) / MESSAGES_FILE
    # One required field per message; a key the code never asks for is a typo or left over.
    fields: dict[str, Any] = {
        key: (Annotated[str, AfterValidator(partial(_check_message, allowed))], ...)
        for key, allowed in required.items()
    }
    messages = load_model(
        path, create_model("Messages", __base__=DataModel, **fields), error=TextsError
    )
    return Texts({key: str(text) for key, text in messages})


def _check_message(allowed: frozenset[str], text: str) -> str:
    """A placeholder the code doesn't supply would raise KeyError in front of a tutor."""
    if not text.strip():
        raise ValueError("is empty")
    used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    unknown = sorted(used - allowed)
    if unknown:
        raise ValueError(f"uses unknown placeholder(s) {', '.join(unknown)}")
    return text
