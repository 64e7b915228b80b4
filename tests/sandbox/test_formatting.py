"""Parse modes: what a chat would show, and the mistakes Telegram refuses."""

from __future__ import annotations

import pytest

from bot.sandbox.errors import ApiError
from bot.sandbox.formatting import caption_text, format_text, message_text


def refused(source: str, mode: str) -> str:
    with pytest.raises(ApiError) as raised:
        format_text(source, mode)
    assert raised.value.error_code == 400
    return raised.value.description


def test_html_keeps_text_and_unescapes_entities() -> None:
    shown = format_text('<b>Week <i>3</i></b> &lt;3 &amp; <a href="https://x.org">more</a>', "HTML")
    assert shown.text == "Week 3 <3 & more" and shown.parse_mode == "HTML"


def test_html_mistakes_are_refused_with_telegrams_words() -> None:
    assert "Unclosed start tag at byte offset 2" in refused("3 < 5", "HTML")
    assert 'Unsupported start tag "" at byte offset 2' in refused("3 < 5 > 4", "HTML")
    assert 'Unsupported start tag "div"' in refused("<div>x</div>", "HTML")
    assert 'Can\'t find end tag corresponding to start tag "b"' in refused("<b>open", "HTML")
    assert 'expected "</b>", found "</i>"' in refused("<b>x</i>", "html")


def test_markdown_v2_needs_reserved_characters_escaped() -> None:
    shown = format_text(r"*Well done* Jamal\! See [notes](https://x.org/a) and `a_b`", "MarkdownV2")
    assert shown.text == "Well done Jamal! See notes and a_b"
    assert "Character '.' is reserved" in refused("Saved.", "MarkdownV2")
    assert "Can't find end of Bold entity" in refused("*open", "MarkdownV2")


def test_legacy_markdown_refuses_an_unclosed_marker() -> None:
    assert format_text("*bold* and _it_", "Markdown").text == "bold and it"
    assert "Can't find end of the entity" in refused("my snake_case name", "Markdown")


def test_limits_count_what_people_see() -> None:
    assert message_text("<b>" + "x" * 4096 + "</b>", "HTML").text == "x" * 4096
    with pytest.raises(ApiError, match="MESSAGE_TOO_LONG"):
        message_text("x" * 4097, None, editing=True)
    with pytest.raises(ApiError, match="message caption is too long"):
        caption_text("x" * 1025, None)
    with pytest.raises(ApiError, match="text must be non-empty"):
        message_text("<b> </b>", "HTML")
    with pytest.raises(ApiError, match="message text is empty"):
        message_text("", None)
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode")
