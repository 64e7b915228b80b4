"""/mydata as a page a tutor can open on a phone: one self-contained HTML file.

Built from the same data as the JSON file beside it. Every piece of text is escaped: entries
are whatever a tutor typed or said, and a page must never run what they wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.schedules import SessionTimes
from bot.tagging.codes import Codebook
from bot.views.onboarding import agreed_line, full_date
from bot.views.schedule import long_day, session_label
from bot.views.texts import Texts

STYLE = """
body{margin:0;background:#f4f4f1;color:#1d1d1b;font:16px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:42rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.card,article{background:#fff;border-radius:.75rem;padding:.75rem 1rem;
margin:0 0 .75rem;box-shadow:0 1px 2px #0002}
ul.card{list-style:none}.meta,.tags,.note{color:#55554f;font-size:.9rem;margin:0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0}
dl{margin:.5rem 0}dt{font-weight:600}dd{margin:0 0 .5rem;white-space:pre-wrap;
overflow-wrap:anywhere}
""".strip()


def page(texts: Texts, codebook: Codebook, data: dict[str, Any]) -> bytes:
    """The whole file, UTF-8; `data` is what `privacy.export` gathered."""
    profile = data["profile"]
    zone = ZoneInfo(profile["time_zone"])
    title = texts("mydata_page_title", name=profile["display_name"])
    exported = datetime.fromisoformat(data["exported_at"]).astimezone(zone).date()
    entries = data["reflections"]
    body = [
        _tag("h1", title),
        _tag("p", texts("mydata_page_intro", day=full_date(exported)), "note"),
        _tag("h2", texts("mydata_page_profile_header")),
        _lines(_profile(texts, profile)),
        _tag("h2", texts("mydata_page_week_header")),
        _week(texts, data["teaching_sessions"]),
        _tag("h2", texts("mydata_page_reflections_header", count=len(entries))),
        *(_entry(texts, codebook, entry, zone) for entry in entries),
    ]
    if not entries:
        body.append(_tag("p", texts("mydata_page_reflections_empty"), "card"))
    return _document(title, "\n".join(body)).encode("utf-8")


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _profile(texts: Texts, profile: dict[str, Any]) -> str:
    checkins = texts(f"schedule_style_{profile['reminder_style']}")
    if profile["paused_until"]:
        paused = datetime.fromisoformat(profile["paused_until"]).date()
        checkins += "\n" + texts("schedule_paused", day=long_day(paused))
    details = texts(
        "mydata_page_profile",
        name=profile["display_name"],
        pseudonym=profile["pseudonym"],
        role=profile["role"],
        timezone=profile["time_zone"],
        share=texts(f"share_{profile['default_share_level']}"),
        checkins=checkins,
    )
    agreed = datetime.fromisoformat(profile["consented_at"])
    consent = agreed_line(texts, agreed, profile["consent_version"], profile["time_zone"])
    return f"{details}\n{consent}"


def _week(texts: Texts, sessions: list[dict[str, Any]]) -> str:
    if not sessions:
        return _tag("p", texts("mydata_page_week_empty"), "card")
    labels = [
        session_label(
            SessionTimes(
                row["weekday"], row["ends_minute"], row["starts_minute"], row["place"] or ""
            )
        )
        for row in sessions
    ]
    return '<ul class="card">' + "".join(_tag("li", label) for label in labels) + "</ul>"


def _entry(texts: Texts, codebook: Codebook, entry: dict[str, Any], zone: ZoneInfo) -> str:
    written = datetime.fromisoformat(entry["created_at"]).astimezone(zone)
    meta = texts(
        "mydata_page_entry",
        when=f"{written:%a} {written.day} {written:%b %Y, %H:%M}",
        source=texts(f"mydata_page_source_{entry['source']}"),
        share=texts(f"share_{entry['share_level']}"),
    )
    parts = [_tag("p", meta, "meta")]
    if entry["guided_answers"]:
        parts.append(_answers(texts, entry["guided_answers"]))
    else:
        parts.append(_tag("p", entry["text"] or texts("mydata_page_no_text"), "text"))
    parts.append(_tag("p", _tags(texts, codebook, entry["tags"]), "tags"))
    parts.extend(
        _tag("p", texts("mydata_page_recording", seconds=round(audio["seconds"] or 0)), "note")
        for audio in entry["audio"]
    )
    return "<article>\n" + "\n".join(parts) + "\n</article>"


def _answers(texts: Texts, answers: list[dict[str, Any]]) -> str:
    """A guided entry as its questions and answers, in the order they were asked."""
    rows = []
    for part in answers:
        if part.get("skipped"):
            answer = texts("mydata_page_skipped")
        else:
            answer = part.get("answer") or texts("mydata_page_no_text")
        rows.append(_tag("dt", part.get("question") or "") + _tag("dd", answer))
    return "<dl>" + "".join(rows) + "</dl>"


def _tags(texts: Texts, codebook: Codebook, tags: Iterable[dict[str, Any]]) -> str:
    """The tags that stand, by the labels the buttons show; a retired code keeps its id."""
    labels = []
    for tag in tags:
        if tag["applied"]:
            code = codebook.get(tag["code"])
            labels.append(code.label if code else tag["code"])
    return (
        texts("mydata_page_tags", tags=", ".join(labels))
        if labels
        else texts("mydata_page_no_tags")
    )


def _tag(name: str, text: str, css: str | None = None) -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<{name}{attribute}>{escape(text)}</{name}>"


def _lines(text: str) -> str:
    """Each line of `text` escaped, kept apart by line breaks."""
    return '<p class="card">' + "<br>".join(escape(line) for line in text.split("\n")) + "</p>"
