"""/mydata and /forget: a tutor takes their data away or erases it; both leave an audit row."""

import json

from sqlalchemy import func, select

from bot.sandbox.runner import Sandbox
from storage.models import AuditEvent, Reflection, ReflectionTag, TeachingSession, Tutor
from tests.integration.conftest import Chat, bot_says, onboard, stored_reflections, text_of

ENTRIES = [
    "Behaviour was tricky but Sam finally nailed the riff.",
    "Quiet week, nothing to report.",
]


async def audit_actions(sandbox: Sandbox) -> list[str]:
    async with sandbox.app.bot_data.db.transaction() as session:
        return list(
            (await session.execute(select(AuditEvent.action).order_by(AuditEvent.id))).scalars()
        )


async def count(sandbox: Sandbox, model: type) -> int:
    async with sandbox.app.bot_data.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_mydata_sends_everything_as_json(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    for text in ENTRIES:
        await aisha.ask(text)
    await aisha.ask("/schedule Tue 14:30-15:30 Oakfield Primary")
    mark = await aisha.say("/mydata")
    document = await aisha.wait_for(lambda m: bool(m.get("document")), after=mark)
    data = json.loads(await aisha.client.download(document["document"]["url"]))
    assert data["teaching_sessions"] == [
        {"weekday": 1, "starts_minute": 870, "ends_minute": 930, "place": "Oakfield Primary"}
    ]
    assert [entry["text"] for entry in data["reflections"]] == ENTRIES
    assert data["profile"]["display_name"] == "Aisha"
    assert data["profile"]["pseudonym"].startswith("T-")
    assert any(tag["code"] for tag in data["reflections"][0]["tags"])
    assert await audit_actions(sandbox) == ["tutor_export"]
    mark = await aisha.say("/mydata")
    again = await aisha.wait_for(lambda m: bool(m.get("document")), after=mark)
    second = json.loads(await aisha.client.download(again["document"]["url"]))
    assert [row["action"] for row in second["audit_log"]] == ["tutor_export"], "my own audit rows"
    assert all(entry["audio"] == [] for entry in second["reflections"])


async def test_forget_erases_everything_after_confirmation(
    sandbox: Sandbox, aisha: Chat, ben: Chat
) -> None:
    await onboard(aisha)
    await onboard(ben)
    for text in ENTRIES:
        await aisha.ask(text)
    await ben.ask("Ben's own entry stays.")
    await aisha.ask("/schedule Tue 15:30 Oakfield Primary")
    await ben.ask("/schedule Wed 12:00")
    confirm = await aisha.ask("/forget")
    assert "all 2 of your reflections" in text_of(confirm)
    await aisha.tap(confirm, "no, keep")
    await aisha.wait_for(bot_says("nothing changed"))
    assert len(await stored_reflections(sandbox)) == 3
    confirm = await aisha.ask("/forget")
    await aisha.tap(confirm, "yes, erase")
    await aisha.wait_for(bot_says("everything is erased"))
    assert [e.text for e in await stored_reflections(sandbox)] == ["Ben's own entry stays."]
    assert await count(sandbox, Tutor) == 1
    assert await count(sandbox, TeachingSession) == 1, "only Ben's session remains"
    ben_tags = await count(sandbox, ReflectionTag)
    async with sandbox.app.bot_data.db.transaction() as session:
        ben_entry = (await session.execute(select(Reflection))).scalar_one()
        ben_own = await session.scalar(
            select(func.count())
            .select_from(ReflectionTag)
            .where(ReflectionTag.reflection_id == ben_entry.id)
        )
    assert ben_tags == ben_own, "only Ben's tags remain"
    assert await audit_actions(sandbox) == ["tutor_erased"]
    assert "is that ok" in text_of(await aisha.ask("/start")).lower()
