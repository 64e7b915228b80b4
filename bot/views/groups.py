"""How a peer group looks in the chat: its settings, its members' counts, and its buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.services.calendar_names import SHORT_NAMES
from bot.services.groups import GroupView
from bot.views.keyboards import button
from bot.views.texts import Texts
from storage.groups import Member

DAYS = SHORT_NAMES
DIGEST_TIMES = (8 * 60, 12 * 60, 16 * 60, 18 * 60, 20 * 60)  # minutes after midnight
# The zones a group picks from; buttons carry the index, so the list only ever grows at the end.
GROUP_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "Australia/Sydney",
    "UTC",
)


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def clock_time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def next_digest_minute(minute: int) -> int:
    """The time button steps through a few sensible times, then round again."""
    later = [choice for choice in DIGEST_TIMES if choice > minute]
    return later[0] if later else DIGEST_TIMES[0]


def group_text(texts: Texts, view: GroupView) -> str:
    lines = [_member_line(texts, member) for member in view.members]
    return texts(
        "group_view",
        name=view.name,
        count=len(view.members),
        members="\n".join(lines) or texts("group_no_members"),
        timezone=view.timezone,
        digest=f"{DAYS[view.digest_weekday]} {clock_time(view.digest_minute)}",
        linked=texts("group_chat_linked" if view.linked else "group_chat_unlinked"),
        code=view.invite_code or texts("no_invite_code"),
    )


def _member_line(texts: Texts, member: Member) -> str:
    return texts(
        "group_member",
        name=member.display_name,
        lead=texts("lead_mark") if member.is_lead else "",
        reflections=member.reflections_this_week,
    )


def group_keyboard(texts: Texts, view: GroupView, *, coordinator: bool) -> InlineKeyboardMarkup:
    gid = view.id
    rows = [
        [
            button(texts("digest_day_button", day=DAYS[view.digest_weekday]), f"gp:day:{gid}"),
            button(
                texts("digest_time_button", time=clock_time(view.digest_minute)), f"gp:time:{gid}"
            ),
        ],
        [button(texts("timezone_button", timezone=view.timezone), f"gp:tzs:{gid}")],
        [button(texts("new_invite_button"), f"gp:inv:{gid}")],
    ]
    if view.members:
        rows.append([button(texts("remove_member_button"), f"gp:rm:{gid}")])
    if coordinator and view.members:
        rows.append([button(texts("make_lead_button"), f"gp:ld:{gid}")])
    return InlineKeyboardMarkup(rows)


def member_keyboard(
    texts: Texts, view: GroupView, action: str, *, leads_too: bool
) -> InlineKeyboardMarkup:
    """One button per member for removing (`rmx`) or appointing (`ldx`), then Back."""
    rows = [
        [button(member.display_name, f"gp:{action}:{view.id}:{member.tutor_id}")]
        for member in view.members
        if leads_too or not member.is_lead
    ]
    rows.append([button(texts("back_button"), f"gp:show:{view.id}")])
    return InlineKeyboardMarkup(rows)


def zone_keyboard(texts: Texts, view: GroupView) -> InlineKeyboardMarkup:
    """The group's zone ticked among the choices, two to a row, then Back."""
    zones = [
        button(("✅ " if zone == view.timezone else "") + zone, f"gp:tz:{view.id}:{index}")
        for index, zone in enumerate(GROUP_ZONES)
    ]
    rows = [zones[i : i + 2] for i in range(0, len(zones), 2)]
    return InlineKeyboardMarkup([*rows, [button(texts("back_button"), f"gp:show:{view.id}")]])


def pick_group_keyboard(groups: list[tuple[int, str]], action: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(name, f"gp:{action}:{gid}")] for gid, name in groups])
