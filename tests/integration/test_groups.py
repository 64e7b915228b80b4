"""Peer groups end to end: a coordinator makes one, tutors join by code or link, leads run it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from storage.models import Membership, PendingLead, Tutor
from storage.vocabulary import Role
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, bot_says, button_data, is_bot, onboard, text_of

CODE = re.compile(r"Invite code: ([A-Za-z0-9_-]{16})")
pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


@pytest.fixture
def dev(client: SandboxClient) -> Chat:
    """The sandbox's coordinator persona."""
    return Chat(client, 1004, "Dev", 1004)


async def new_group(dev: Chat, name: str = "Oakfield Strings") -> str:
    await onboard(dev)
    created = await dev.ask(f"/newgroup {name}")
    found = CODE.search(text_of(created))
    assert found, text_of(created)
    assert f"https://t.me/reflect_sandbox_bot?start={found.group(1)}" in text_of(created)
    return found.group(1)


async def members(sandbox: Sandbox) -> dict[str, bool]:
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = await session.execute(
            select(Tutor.display_name, Membership.is_lead).join(
                Membership, Membership.tutor_id == Tutor.id
            )
        )
        return {str(name): bool(lead) for name, lead in rows}


async def test_tutors_join_by_code_and_by_link_through_onboarding(
    sandbox: Sandbox, dev: Chat, aisha: Chat, ben: Chat
) -> None:
    code = await new_group(dev)
    await onboard(aisha)
    assert "You're in" in text_of(await aisha.ask(f"/join {code}"))
    assert "already in" in text_of(await aisha.ask(f"/join {code}"))
    assert "don't recognise" in text_of(await aisha.ask("/join NotARealCode1234"))
    await onboard(ben, f"/start {code}")  # the deep link, before Ben has consented
    await ben.wait_for(bot_says('You\'re in: "Oakfield Strings"'), 0)  # once set up, not before
    assert await members(sandbox) == {"Aisha": False, "Ben": False}


async def test_codes_expire_with_the_clock(
    sandbox: Sandbox, client: SandboxClient, dev: Chat, aisha: Chat
) -> None:
    code = await new_group(dev)
    await onboard(aisha)
    await client.move_clock(advance_seconds=31 * 24 * 3600)
    assert "expired" in text_of(await aisha.ask(f"/join {code}"))
    assert await members(sandbox) == {}


async def test_only_leads_and_coordinators_run_a_group(
    sandbox: Sandbox, dev: Chat, aisha: Chat, ben: Chat
) -> None:
    code = await new_group(dev)
    for tutor in (aisha, ben):
        await onboard(tutor)
        await tutor.ask(f"/join {code}")
    assert "not something your role can do" in text_of(await aisha.ask("/group"))
    assert "not something your role can do" in text_of(await aisha.ask("/newgroup Mine"))
    await aisha.ask("Great session with the samba band today")
    view = await dev.ask("/group")
    assert "Aisha — 1" in text_of(view) and "Ben — 0" in text_of(view)
    await dev.tap(view, "make someone lead")
    picker = await dev.wait_for(lambda m: is_bot(m) and "Who should lead" in text_of(m), 0)
    await dev.tap(picker, "Aisha")
    await dev.wait_for(lambda m: is_bot(m) and "Aisha (lead)" in text_of(m), 0)
    async with sandbox.app.bot_data.db.transaction() as session:
        role = (
            await session.execute(select(Tutor.role).where(Tutor.display_name == "Aisha"))
        ).scalar()
    assert role == Role.LEAD
    pickers = []
    for _ in range(2):  # two views of the group, as after scrolling back up the chat
        lead_view = await aisha.ask("/group")
        assert "Oakfield Strings" in text_of(lead_view)
        await aisha.tap(lead_view, "remove someone")
        pickers.append(
            await aisha.wait_for(
                lambda m, v=lead_view: (
                    m["message_id"] == v["message_id"] and "Who should leave" in text_of(m)
                ),
                0,
            )
        )
    await aisha.tap(pickers[0], "Ben")
    await aisha.wait_for(lambda m: "👥 Oakfield" in text_of(m) and "Ben —" not in text_of(m), 0)
    assert await members(sandbox) == {"Aisha": True}
    tapped = await aisha.client.tap(  # the other, older picker: harmless
        aisha.user_id, aisha.chat_id, pickers[1]["message_id"], button_data(pickers[1], "Ben")
    )
    answer = await aisha.client.callback_answer(str(tapped["callback_query_id"]), wait=5)
    assert "isn't there any more" in str(answer)
    assert await members(sandbox) == {"Aisha": True}


async def test_digest_settings_change_with_buttons(dev: Chat) -> None:
    await new_group(dev)
    view = await dev.ask("/group")
    assert "Fri 16:00" in text_of(view)
    await dev.tap(view, "digest day")
    await dev.wait_for(lambda m: is_bot(m) and "Sat 16:00" in text_of(m), 0)
    changed = await dev.wait_for(lambda m: is_bot(m) and "Sat 16:00" in text_of(m), 0)
    await dev.tap(changed, "digest time")
    changed = await dev.wait_for(lambda m: is_bot(m) and "Sat 18:00" in text_of(m), 0)
    await dev.tap(changed, "time zone")
    picker = await dev.wait_for(lambda m: is_bot(m) and "Which time zone is" in text_of(m), 0)
    assert "✅ Europe/London" in str(picker["buttons"])
    await dev.tap(picker, "Europe/Dublin")
    view = await dev.wait_for(lambda m: is_bot(m) and "Time zone: Europe/Dublin" in text_of(m), 0)
    assert "Sat 18:00" in text_of(view), "the digest keeps its local day and time"


async def test_leaving_a_group(sandbox: Sandbox, dev: Chat, aisha: Chat) -> None:
    code = await new_group(dev)
    await onboard(aisha)
    assert "not in any peer group" in text_of(await aisha.ask("/leave"))
    await aisha.ask(f"/join {code}")
    picker = await aisha.ask("/leave")
    await aisha.tap(picker, "Oakfield")
    await aisha.wait_for(bot_says("You've left"), 0)
    assert await members(sandbox) == {}


async def test_a_group_chat_is_linked_only_by_its_lead_or_a_coordinator(
    sandbox: Sandbox, client: SandboxClient, dev: Chat, aisha: Chat
) -> None:
    code = await new_group(dev)
    await onboard(aisha)
    await aisha.ask(f"/join {code}")
    chat_id = -100200
    await client.create_group(chat_id, "Oakfield tutors", [1004, 1001])
    room_dev, room_aisha = Chat(client, 1004, "Dev", chat_id), Chat(client, 1001, "Aisha", chat_id)
    await room_dev.wait_for(bot_says("link this one"), 0)
    refused = await room_aisha.ask(f"/link {code}")
    assert "not something your role can do" in text_of(refused)
    linked = await room_dev.ask(f"/link {code}")
    assert 'linked to "Oakfield Strings"' in text_of(linked)
    view = await dev.ask("/group")
    assert "Group chat: linked" in text_of(view)
    hints = [m for m in await client.messages(chat_id) if "link this one" in text_of(m)]
    assert len(hints) == 1, "the hint is given once"


async def test_a_lead_named_before_they_consent_leads_once_set_up(
    sandbox: Sandbox, ben: Chat
) -> None:
    from bot.services import groups

    async with sandbox.app.bot_data.db.transaction() as session:
        await groups.create(
            session, name="Riverside Brass", timezone="Europe/London", lead_user_ids=(1002,)
        )
    await onboard(ben)
    await ben.wait_for(bot_says('You\'re in: "Riverside Brass"'), 0)
    assert "Riverside Brass" in text_of(await ben.ask("/group"))
    assert await members(sandbox) == {"Ben": True}


async def _named_leads(sandbox: Sandbox) -> list[int]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return list((await session.execute(select(PendingLead.telegram_user_id))).scalars())


async def _name_ben_as_lead(sandbox: Sandbox) -> None:
    from bot.services import groups

    async with sandbox.app.bot_data.db.transaction() as session:
        await groups.create(
            session, name="Riverside Brass", timezone="Europe/London", lead_user_ids=(1002,)
        )


async def test_saying_not_now_forgets_a_coordinators_naming(sandbox: Sandbox, ben: Chat) -> None:
    await _name_ben_as_lead(sandbox)
    assert await _named_leads(sandbox) == [1002]
    welcome = await ben.ask("/start")
    mark = await ben.last_message_id()
    await ben.tap(welcome, "not now")
    await ben.wait_for(is_bot, after=mark)
    assert await _named_leads(sandbox) == []  # nothing of someone who said no
    await onboard(ben)  # changing their mind later makes them a tutor, not a lead
    assert await members(sandbox) == {}


async def test_a_naming_nobody_answers_expires_with_the_clock(
    sandbox: Sandbox, client: SandboxClient, ben: Chat
) -> None:
    await _name_ben_as_lead(sandbox)
    await client.move_clock(advance_seconds=31 * 24 * 3600)
    (housekeeping,) = sandbox.app.job_queue.get_jobs_by_name("housekeeping")
    await housekeeping.run(sandbox.app)  # the daily job, run now rather than in 30 seconds
    assert await _named_leads(sandbox) == []


async def test_an_expired_naming_is_not_claimed_before_housekeeping_runs(
    sandbox: Sandbox, client: SandboxClient, ben: Chat
) -> None:
    await _name_ben_as_lead(sandbox)
    await client.move_clock(advance_seconds=31 * 24 * 3600)
    await onboard(ben)
    assert await members(sandbox) == {}
