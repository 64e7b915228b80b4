"""Peer groups: /newgroup, /join, /leave, /group and its buttons, and /link in a group chat."""

from __future__ import annotations

from telegram import ChatMemberUpdated, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot.services import groups
from bot.services.groups import GroupView
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.views import groups as group_views
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import identify, requires
from storage.vocabulary import Role

GROUP_CHATS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
MANAGERS = (Role.LEAD, Role.COORDINATOR)


def _args(context: Context) -> str:
    return " ".join(context.args or []).strip()


@requires(Role.COORDINATOR)
async def new_group(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    name = groups.clean_name(_args(context))
    if not name:
        await message.reply_text(app.texts("newgroup_usage"))
        return
    async with app.db.transaction() as session:
        made = await groups.create(session, name=name, timezone=who.timezone)
    link = group_views.invite_link(context.bot.username, made.invite_code)
    await message.reply_text(
        app.texts("group_created", name=made.name, code=made.invite_code, link=link)
    )


@requires()
async def join(update: Update, context: Context, who: Identity) -> None:
    code = _args(context)
    message = update.effective_message
    assert message
    if not code:
        await message.reply_text(state(context).texts("join_usage"))
        return
    await message.reply_text(await join_text(state(context), who, code))


async def join_text(app: AppState, who: Identity, code: str) -> str:
    """Joins with a code and says how it went; /join and a deep link share it."""
    async with app.db.transaction() as session:
        result = await groups.join(session, who=who, code=code)
    key = {
        groups.JoinOutcome.JOINED: "joined",
        groups.JoinOutcome.ALREADY: "join_already",
        groups.JoinOutcome.UNKNOWN: "join_unknown",
        groups.JoinOutcome.EXPIRED: "join_expired",
        groups.JoinOutcome.USED_UP: "join_used_up",
    }[result.outcome]
    return app.texts(key, name=result.group_name or "")


@requires()
async def leave(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    async with app.db.transaction() as session:
        mine = await groups.mine(session, who=who)
    if not mine:
        await message.reply_text(app.texts("leave_none"))
        return
    keyboard = group_views.pick_group_keyboard(mine, "leave")
    await message.reply_text(app.texts("leave_pick"), reply_markup=keyboard)


@requires()
async def leave_button(update: Update, context: Context, who: Identity) -> None:
    app, query = state(context), update.callback_query
    assert query and query.data
    group_id = int(query.data.split(":")[2])
    async with app.db.transaction() as session:
        name = await groups.name_of(session, group_id=group_id)
        left = await groups.leave(session, who=who, group_id=group_id)
    await answer_tap(query)
    text = app.texts("left_group", name=name) if name and left else app.texts("group_gone")
    await query.edit_message_text(text)


@requires(*MANAGERS)
async def show_groups(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    async with app.db.transaction() as session:
        mine = [(group.id, group.name) for group in await groups.manageable(session, who=who)]
    if not mine:
        await message.reply_text(app.texts("group_none"))
    elif len(mine) == 1:
        await _send_group(update, context, who, mine[0][0])
    else:
        keyboard = group_views.pick_group_keyboard(mine, "show")
        await message.reply_text(app.texts("group_pick"), reply_markup=keyboard)


async def _send_group(update: Update, context: Context, who: Identity, group_id: int) -> None:
    chat = update.effective_chat
    assert chat
    text, keyboard = await _group_screen(context, who, group_id)
    await chat.send_message(text, reply_markup=keyboard)


async def _redraw(update: Update, context: Context, who: Identity, group_id: int) -> None:
    """Shows the group again in the same message, as it now stands."""
    query = update.callback_query
    assert query
    text, keyboard = await _group_screen(context, who, group_id)
    await query.edit_message_text(text, reply_markup=keyboard)


async def _group_screen(
    context: Context, who: Identity, group_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The group as it stands, with its buttons; a plain note if it is gone or not theirs."""
    app = state(context)
    async with app.db.transaction() as session:
        view = await groups.view(session, who=who, group_id=group_id)
    if view is None:
        return app.texts("group_gone"), None
    coordinator = who.role == Role.COORDINATOR
    keyboard = group_views.group_keyboard(app.texts, view, coordinator=coordinator)
    return group_views.group_text(app.texts, view), keyboard


def _ids(update: Update) -> list[int]:
    assert update.callback_query and update.callback_query.data
    return [int(part) for part in update.callback_query.data.split(":")[2:]]


async def _tapped(update: Update) -> tuple[str, int]:
    """A group button's action and group id, with its spinner stopped."""
    query = update.callback_query
    assert query and query.data
    await answer_tap(query)
    return query.data.split(":")[1], _ids(update)[0]


@requires(*MANAGERS)
async def group_button(update: Update, context: Context, who: Identity) -> None:
    """show, day, time and inv: each changes at most one setting, then redraws the group."""
    app = state(context)
    action, group_id = await _tapped(update)
    async with app.db.transaction() as session:
        view = await groups.view(session, who=who, group_id=group_id)
        if view is not None and action == "day":
            await groups.change_digest(
                session,
                who=who,
                group_id=group_id,
                weekday=view.digest_weekday + 1,
                minute=view.digest_minute,
            )
        elif view is not None and action == "time":
            minute = group_views.next_digest_minute(view.digest_minute)
            await groups.change_digest(
                session, who=who, group_id=group_id, weekday=view.digest_weekday, minute=minute
            )
        elif view is not None and action == "inv":
            await groups.new_invite(session, who=who, group_id=group_id)
    await _redraw(update, context, who, group_id)


async def _view_or_gone(
    update: Update, context: Context, who: Identity, group_id: int, *, allowed: bool = True
) -> GroupView | None:
    """The group as the caller may see it; otherwise the tapped message says it has gone."""
    query = update.callback_query
    assert query
    async with state(context).db.transaction() as session:
        view = await groups.view(session, who=who, group_id=group_id) if allowed else None
    if view is None:
        await query.edit_message_text(state(context).texts("group_gone"))
    return view


@requires(*MANAGERS)
async def pick_zone(update: Update, context: Context, who: Identity) -> None:
    app, query = state(context), update.callback_query
    assert query
    _, group_id = await _tapped(update)
    view = await _view_or_gone(update, context, who, group_id)
    if view is None:
        return
    keyboard = group_views.zone_keyboard(app.texts, view)
    await query.edit_message_text(
        app.texts("pick_group_timezone", name=view.name), reply_markup=keyboard
    )


@requires(*MANAGERS)
async def set_zone(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    await _tapped(update)
    group_id, index = _ids(update)
    if index < len(group_views.GROUP_ZONES):
        async with app.db.transaction() as session:
            await groups.change_timezone(
                session, who=who, group_id=group_id, timezone=group_views.GROUP_ZONES[index]
            )
    await _redraw(update, context, who, group_id)


@requires(*MANAGERS)
async def pick_member(update: Update, context: Context, who: Identity) -> None:
    app, query = state(context), update.callback_query
    assert query
    action, group_id = await _tapped(update)
    allowed = action != "ld" or who.role == Role.COORDINATOR
    view = await _view_or_gone(update, context, who, group_id, allowed=allowed)
    if view is None:
        return
    key, then = (
        ("pick_member_to_remove", "rmx") if action == "rm" else ("pick_member_to_lead", "ldx")
    )
    keyboard = group_views.member_keyboard(app.texts, view, then, leads_too=action == "rm")
    await query.edit_message_text(app.texts(key, name=view.name), reply_markup=keyboard)


@requires(*MANAGERS)
async def change_member(update: Update, context: Context, who: Identity) -> None:
    """Removes a member or makes them lead; a stale button finds them gone and says so."""
    app, query = state(context), update.callback_query
    assert query and query.data
    action = query.data.split(":")[1]
    group_id, tutor_id = _ids(update)
    async with app.db.transaction() as session:
        view = await groups.view(session, who=who, group_id=group_id)
        member = next((m for m in view.members if m.tutor_id == tutor_id), None) if view else None
        change = groups.remove if action == "rmx" else groups.make_lead
        done = member is not None and await change(
            session, who=who, group_id=group_id, tutor_id=tutor_id
        )
    if not done or view is None or member is None:
        await answer_tap(query, app.texts("group_gone"), alert=True)
        return
    key = "member_removed" if action == "rmx" else "member_made_lead"
    await answer_tap(query, app.texts(key, member=member.display_name, name=view.name))
    await _redraw(update, context, who, group_id)


@requires(*MANAGERS)
async def link_chat(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    code = _args(context)
    if not code:
        await message.reply_text(app.texts("link_usage"))
        return
    async with app.db.transaction() as session:
        group = await groups.link(session, who=who, code=code, chat_id=message.chat_id)
    await message.reply_text(
        app.texts("linked", name=group.name) if group else app.texts("link_refused")
    )


async def added_to_chat(update: Update, context: Context) -> None:
    """Says once, when added to a group chat nobody has linked, how to link it."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    joined = change.new_chat_member.status in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    was_in = change.old_chat_member.status in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    if not joined or was_in:
        return
    async with state(context).db.transaction() as session:
        linked = await groups.is_linked(session, chat_id=change.chat.id)
    if not linked:
        await context.bot.send_message(change.chat.id, state(context).texts("unlinked_chat"))


async def start_with_code(update: Update, context: Context, code: str) -> bool:
    """A deep link: joins at once if they are set up, otherwise after the last setup step."""
    who = await identify(update, context)
    if who is None or not who.onboarded:
        return False
    message = update.effective_message
    assert message
    await message.reply_text(await join_text(state(context), who, code))
    return True


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("newgroup", new_group, filters=PRIVATE))
    app.add_handler(CommandHandler("join", join, filters=PRIVATE))
    app.add_handler(CommandHandler("leave", leave, filters=PRIVATE))
    app.add_handler(CommandHandler("group", show_groups, filters=PRIVATE))
    app.add_handler(CommandHandler("link", link_chat, filters=GROUP_CHATS))
    app.add_handler(CallbackQueryHandler(leave_button, pattern=r"^gp:leave:\d+$"))
    app.add_handler(CallbackQueryHandler(group_button, pattern=r"^gp:(show|day|time|inv):\d+$"))
    app.add_handler(CallbackQueryHandler(pick_member, pattern=r"^gp:(rm|ld):\d+$"))
    app.add_handler(CallbackQueryHandler(pick_zone, pattern=r"^gp:tzs:\d+$"))
    app.add_handler(CallbackQueryHandler(set_zone, pattern=r"^gp:tz:\d+:\d+$"))
    app.add_handler(CallbackQueryHandler(change_member, pattern=r"^gp:(rmx|ldx):\d+:\d+$"))
    app.add_handler(ChatMemberHandler(added_to_chat, ChatMemberHandler.MY_CHAT_MEMBER))
