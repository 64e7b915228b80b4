"""The role table, tried by everyone: a stranger, a tutor, a lead, another group's lead and a
coordinator, on every group command and on every action a group button can take."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from bot.services import groups
from bot.services.identity import Identity, resolve
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, onboard, text_of

pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)
STRANGER, TUTOR, LEAD, OTHER_LEAD, COORDINATOR = 9001, 1002, 1001, 1003, 1004
NAMES = {STRANGER: "Sam", TUTOR: "Ben", LEAD: "Aisha", OTHER_LEAD: "Carys", COORDINATOR: "Dev"}
START = "send /start first"
ROLE = "not something your role can do"

# command → what each person is told (a fragment of the reply)
EXPECTED: dict[str, dict[int, str]] = {
    "/newgroup Brass Club": {
        STRANGER: START,
        TUTOR: ROLE,
        LEAD: ROLE,
        OTHER_LEAD: ROLE,
        COORDINATOR: "is ready",
    },
    "/group": {
        STRANGER: START,
        TUTOR: ROLE,
        LEAD: "👥 Group A",
        OTHER_LEAD: "👥 Group B",
        COORDINATOR: "Which group",
    },
    "/digest": {
        STRANGER: START,
        TUTOR: ROLE,
        LEAD: "Group A — week",
        OTHER_LEAD: "Group B — week",
        COORDINATOR: "Group A — week",
    },
    "/join NotACode1234567": {
        STRANGER: START,
        TUTOR: "don't recognise",
        LEAD: "don't recognise",
        OTHER_LEAD: "don't recognise",
        COORDINATOR: "don't recognise",
    },
    "/leave": {
        STRANGER: START,
        TUTOR: "Which group",
        LEAD: "Which group",
        OTHER_LEAD: "Which group",
        COORDINATOR: "not in any peer group",
    },
    "/export": {
        STRANGER: START,
        TUTOR: ROLE,
        LEAD: ROLE,
        OTHER_LEAD: ROLE,
        COORDINATOR: "Export shared reflections",
    },
    "/privacy": {
        STRANGER: "Your privacy",
        TUTOR: "Your privacy",
        LEAD: "Your privacy",
        OTHER_LEAD: "Your privacy",
        COORDINATOR: "Your privacy",
    },
    "/schedule": {
        STRANGER: START,
        TUTOR: "Your teaching week",
        LEAD: "Your teaching week",
        OTHER_LEAD: "Your teaching week",
        COORDINATOR: "Your teaching week",
    },
    "/pause": {
        STRANGER: START,
        TUTOR: "Pause check-ins",
        LEAD: "Pause check-ins",
        OTHER_LEAD: "Pause check-ins",
        COORDINATOR: "Pause check-ins",
    },
    "/resume": {
        STRANGER: START,
        TUTOR: "already on",
        LEAD: "already on",
        OTHER_LEAD: "already on",
        COORDINATOR: "already on",
    },
}


async def two_groups(sandbox: Sandbox, client: SandboxClient) -> tuple[int, int]:
    """Group A: Aisha leads, Ben is a member. Group B: Carys leads."""
    for person in (TUTOR, LEAD, OTHER_LEAD, COORDINATOR):
        await onboard(Chat(client, person, NAMES[person], person))
    async with sandbox.app.bot_data.db.transaction() as session:
        a = await groups.create(
            session, name="Group A", timezone="Europe/London", lead_user_ids=(LEAD,)
        )
        b = await groups.create(
            session, name="Group B", timezone="Europe/London", lead_user_ids=(OTHER_LEAD,)
        )
    await Chat(client, TUTOR, "Ben", TUTOR).ask(f"/join {a.invite_code}")
    return a.id, b.id


@pytest.mark.parametrize("command", EXPECTED)
async def test_each_group_command_does_only_what_the_role_allows(
    sandbox: Sandbox, client: SandboxClient, command: str
) -> None:
    await two_groups(sandbox, client)
    for person, expected in EXPECTED[command].items():
        chat = Chat(client, person, NAMES[person], person)
        mark = await chat.say(command)
        replies = []
        for _ in range(2 if command == "/digest" and expected != ROLE and expected != START else 1):
            reply = await chat.reply_to(mark)
            replies.append(text_of(reply))
            mark = reply["message_id"]
        assert any(expected in text for text in replies), (command, NAMES[person], replies)


async def identity(sandbox: Sandbox, person: int) -> Identity:
    async with sandbox.app.bot_data.db.transaction() as session:
        who = await resolve(session, telegram_user_id=person)
    assert who is not None
    return who


Action = Callable[..., object]


async def test_every_group_button_action_checks_who_is_asking(
    sandbox: Sandbox, client: SandboxClient
) -> None:
    """Buttons carry group and member ids; a forged or stale one must change nothing."""
    a, _ = await two_groups(sandbox, client)
    people = {p: await identity(sandbox, p) for p in (TUTOR, LEAD, OTHER_LEAD, COORDINATOR)}
    ben = people[TUTOR].tutor_id
    db = sandbox.app.bot_data.db
    allowed = {LEAD, COORDINATOR}
    for person, who in people.items():
        async with db.transaction() as session:
            view = await groups.view(session, who=who, group_id=a)
            moved = await groups.change_digest(session, who=who, group_id=a, weekday=0, minute=0)
            code = await groups.new_invite(session, who=who, group_id=a)
            zoned = await groups.change_timezone(session, who=who, group_id=a, timezone="UTC")
            await session.rollback()  # try each person on the same untouched group
        assert (view is not None) == (person in allowed), NAMES[person]
        assert moved == (person in allowed), NAMES[person]
        assert (code is not None) == (person in allowed), NAMES[person]
        assert zoned == (person in allowed), NAMES[person]
    for person in (TUTOR, OTHER_LEAD):
        async with db.transaction() as session:
            assert not await groups.remove(session, who=people[person], group_id=a, tutor_id=ben)
            assert not await groups.make_lead(session, who=people[person], group_id=a, tutor_id=ben)
    async with db.transaction() as session:
        assert not await groups.make_lead(session, who=people[LEAD], group_id=a, tutor_id=ben)
        assert await groups.make_lead(session, who=people[COORDINATOR], group_id=a, tutor_id=ben)
        members = await groups.view(session, who=people[COORDINATOR], group_id=a)
    assert members is not None and {m.display_name for m in members.members} == {"Aisha", "Ben"}
