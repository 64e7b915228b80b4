"""/mydata and /forget: a tutor takes their data away or erases it; both leave an audit row."""

import html
import json
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.sandbox.runner import Sandbox
from storage import tags as tag_store
from storage.models import AuditEvent, Reflection, ReflectionTag, TeachingSession, Tutor
from storage.vocabulary import ShareLevel
from tests.integration.conftest import (
    Chat,
    Message,
    bot_says,
    onboard,
    stored_reflections,
    text_of,
)

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


def document_named(name: str) -> Callable[[Message], bool]:
    return lambda message: (message.get("document") or {}).get("file_name") == name


async def test_mydata_sends_everything_as_json(sandbox: Sandbox, aisha: Chat) -> None:
    await onboard(aisha)
    for text in ENTRIES:
        await aisha.ask(text)
    await aisha.ask("/schedule Tue 14:30-15:30 Oakfield Primary")
    mark = await aisha.say("/mydata")
    document = await aisha.wait_for(document_named("my-reflections.json"), after=mark)
    data = json.loads(await aisha.client.download(document["document"]["url"]))
    assert data["teaching_sessions"] == [
        {"weekday": 1, "starts_minute": 870, "ends_minute": 930, "place": "Oakfield Primary"}
    ]
    assert [entry["text"] for entry in data["reflections"]] == ENTRIES
    assert data["profile"]["display_name"] == "Aisha"
    assert data["profile"]["pseudonym"].startswith("T-")
    assert any(tag["code"] for tag in data["reflections"][0]["tags"])
    assert await audit_actions(sandbox) == ["tutor_export"]
    await aisha.wait_for(document_named("my-reflections.html"), after=mark)
    mark = await aisha.say("/mydata")
    again = await aisha.wait_for(document_named("my-reflections.json"), after=mark)
    second = json.loads(await aisha.client.download(again["document"]["url"]))
    assert [row["action"] for row in second["audit_log"]] == ["tutor_export"], "my own audit rows"
    assert all(entry["audio"] == [] for entry in second["reflections"])


async def test_mydata_sends_json_first_then_a_page_beside_it(aisha: Chat) -> None:
    await onboard(aisha)
    await aisha.ask(ENTRIES[0])
    mark = await aisha.say("/mydata")
    page = await aisha.wait_for(document_named("my-reflections.html"), after=mark)
    json_file = await aisha.wait_for(document_named("my-reflections.json"), after=mark)
    assert json_file["message_id"] < page["message_id"]
    assert "phone" in text_of(page)
    later = [m for m in await aisha.client.messages(aisha.chat_id, after=mark) if "document" in m]
    assert len(later) == 2, "one of each, no recordings zip when none are kept"


async def test_the_mydata_page_is_readable_and_escaped(sandbox: Sandbox, aisha: Chat) -> None:
    """Entry text is whatever a tutor sent: on the page it is shown, never run."""
    texts = sandbox.app.bot_data.texts
    codebook = sandbox.app.bot_data.codebook
    await onboard(aisha)
    tricky = "Tom & Jo <script>alert('x')</script> kept the beat; behaviour was tricky"
    for text in [*ENTRIES, tricky]:
        await aisha.ask(text)
    await aisha.wait_for(bot_says("1/"), after=await aisha.say("/reflect quick"))
    await aisha.wait_for(bot_says("saved"), after=await aisha.say("Ruby & Sam <b>sang</b>"))
    await aisha.ask("/schedule Tue 14:30-15:30 Oakfield <Primary>")
    async with sandbox.app.bot_data.db.transaction() as session:
        rows = list((await session.execute(select(Reflection).order_by(Reflection.id))).scalars())
        rows[1].share_level = ShareLevel.LEAD
        # The tutor's own tag, so the page's labels are checked whatever the tagger (with its
        # language model, thrown by the markup) made of the tricky entry.
        tricky_tags = await tag_store.tags_for(session=session, reflection_id=rows[2].id)
        if not any(tag.applied and tag.code == "behaviour" for tag in tricky_tags):
            behaviour = codebook.get("behaviour")
            assert behaviour is not None
            await tag_store.toggle(
                session=session,
                reflection_id=rows[2].id,
                code=behaviour.id,
                kind=behaviour.kind,
            )
        tags = {
            row.id: [
                tag.code
                for tag in (
                    await session.execute(
                        select(ReflectionTag).where(ReflectionTag.reflection_id == row.id)
                    )
                ).scalars()
                if tag.applied
            ]
            for row in rows
        }
    mark = await aisha.say("/mydata")
    sent = await aisha.wait_for(document_named("my-reflections.html"), after=mark)
    page = (await aisha.client.download(sent["document"]["url"])).decode("utf-8")

    assert page.startswith("<!doctype html>") and 'name="viewport"' in page
    assert "<script" not in page and "<b>" not in page and "<Primary>" not in page
    assert "Tue 14:30–15:30 · Oakfield &lt;Primary&gt;" in page
    assert "Name: Aisha<br>" in page and "Time zone: Europe/London<br>" in page
    assert "✅ You agreed on" in page
    articles = page.split("<article>")[1:]
    assert len(articles) == 4
    zone = ZoneInfo("Europe/London")
    for row, article in zip(rows, articles, strict=True):
        assert html.escape(row.text or "") in article or row.parts
        assert html.escape(texts(f"share_{row.share_level}")) in article
        when = row.created_at.astimezone(zone)
        assert f"{when:%a} {when.day} {when:%b %Y, %H:%M}" in article
        for code in tags[row.id]:
            label = codebook.get(code)
            assert label is not None and html.escape(label.label) in article, code
    assert "only me" in articles[0] and "me and my lead" in articles[1]
    assert "only me" not in articles[1]
    assert "Tom &amp; Jo &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in articles[2]
    assert tags[rows[2].id], "the tricky entry was tagged, so its labels were checked"
    assert "typed" in articles[0] and "guided reflection" in articles[3]
    [part] = rows[3].parts or []
    assert html.escape(part["question"]) in articles[3]
    assert "Ruby &amp; Sam &lt;b&gt;sang&lt;/b&gt;" in articles[3]


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
