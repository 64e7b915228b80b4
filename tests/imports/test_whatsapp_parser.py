"""The WhatsApp export parser on exports as Android and iOS write them (tests/data/whatsapp)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.imports.whatsapp import (
    ChatExport,
    ChatMessage,
    DateOrder,
    ExportError,
    Layout,
    parse,
    read_export,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"


def export(name: str) -> ChatExport:
    return read_export(DATA / name)


def by(chat: ChatExport, sender: str) -> list[ChatMessage]:
    return [message for message in chat.messages if message.sender == sender]


def test_android_24_hour_day_first() -> None:
    chat = export("android_24h_dayfirst.txt")
    assert (chat.layout, chat.date_order) == (Layout.ANDROID, DateOrder.DAY_FIRST)
    assert chat.notices == 4  # encryption notice, created group, added, left
    assert [m.sender for m in chat.messages] == [
        "Carys Jones",
        *["Aisha khan"] * 3,
        "Ben O 🎺",
        "+44 7700 900123",
        *["Ben O 🎺"] * 2,
        "Aisha khan",
        *["Ben O 🎺"] * 2,
    ]
    assert chat.messages[1] == ChatMessage(
        datetime(2024, 6, 19, 15, 42),
        "Aisha khan",
        "Samba band at Oakfield kept time together for the first time 🥁🎉",
    )
    assert by(chat, "Ben O 🎺")[2].sent_at == datetime(2024, 6, 20, 0, 15)


def test_continuation_lines_belong_to_the_message_above() -> None:
    chat = export("android_24h_dayfirst.txt")
    assert chat.messages[2].text == (
        "Leo led the call and response and the others followed him,\n"
        "which they never do.\n\nReally proud of them."
    )


def test_markers_leave_no_words_and_a_caption_survives_its_photo() -> None:
    chat = export("android_24h_dayfirst.txt")
    aisha, ben = by(chat, "Aisha khan"), by(chat, "Ben O 🎺")
    assert aisha[2].text == ""  # <Media omitted>
    assert [m.text for m in ben[3:]] == ["", ""]
    assert ben[1].text == ""  # This message was deleted
    assert ben[0].text.endswith("on the drumming piece")  # <This message was edited> removed
    assert aisha[3].text.startswith("The keyboards still don't all work")


def test_phone_numbers_lose_their_direction_marks() -> None:
    chat = export("android_24h_dayfirst.txt")
    assert "+44 7700 900123" in {m.sender for m in chat.messages}
    assert all("\u202a" not in m.sender and "\u202c" not in m.sender for m in chat.messages)


def test_ios_12_hour_month_first_with_bom_marks_and_narrow_spaces() -> None:
    chat = export("ios_12h_monthfirst.txt")
    assert (chat.layout, chat.date_order) == (Layout.IOS, DateOrder.MONTH_FIRST)
    assert chat.notices == 4  # the group's encryption notice, created, added, left
    assert chat.messages[0] == ChatMessage(
        datetime(2024, 3, 19, 15, 42, 10),
        "Aisha khan",
        "Brass group at Hillside: Maya played the whole chord sequence without stopping "
        "and was so proud of herself 🎺✨",
    )
    assert "Hillside Brass" not in {m.sender for m in chat.messages}


def test_ios_media_deletions_and_edits() -> None:
    chat = export("ios_12h_monthfirst.txt")
    texts = {(m.sender, m.sent_at): m.text for m in chat.messages}
    assert texts["Aisha khan", datetime(2024, 3, 19, 15, 44, 15)] == ""  # image omitted
    assert texts["Priya (parent)", datetime(2024, 3, 19, 15, 50)] == ""  # audio omitted
    assert texts["Ben O 🎺", datetime(2024, 3, 19, 16, 5)] == ""  # sticker omitted
    assert texts["Ben O 🎺", datetime(2024, 3, 20, 12, 30)] == ""  # deleted
    assert texts["Aisha khan", datetime(2024, 3, 21, 8, 15, 44)] == ""  # document omitted
    assert texts["Ben O 🎺", datetime(2024, 3, 20, 0, 5, 9)] == (  # 12 am is midnight
        "Behaviour was hard in the second half, two boys kept disrupting.\n"
        "Splitting them into different sections helped a bit."
    )
    assert not any("\u200e" in m.text or "\ufeff" in m.text for m in chat.messages)


def test_ambiguous_dates_are_day_first_and_12_hour_clocks_read_right() -> None:
    chat = export("android_12h_ambiguous.txt")
    assert (chat.layout, chat.date_order) == (Layout.ANDROID, DateOrder.DAY_FIRST)
    assert [m.sent_at for m in chat.messages] == [
        datetime(2024, 4, 3, 15, 42),  # 3:42 with U+202F before pm
        datetime(2024, 4, 3, 15, 46),  # 3:46 with a plain space
        datetime(2024, 5, 4, 12, 10),  # 12:10 PM is just after noon
        datetime(2024, 5, 4, 0, 0),  # 12:00 AM is midnight
    ]


def test_ios_24_hour_day_first_with_attachment() -> None:
    chat = export("ios_24h_dayfirst.txt")
    assert (chat.layout, chat.date_order) == (Layout.IOS, DateOrder.DAY_FIRST)
    assert [(m.sender, m.sent_at, m.text[:20]) for m in chat.messages] == [
        ("Aisha khan", datetime(2024, 6, 19, 16, 0), "Worried about one bo"),
        ("Aisha khan", datetime(2024, 6, 19, 16, 1, 30), ""),
        ("Ben O 🎺", datetime(2024, 6, 19, 23, 59, 59), "Everyone stayed for "),
    ]
    assert chat.messages[0].text.endswith("\nPassed it on to the school's safeguarding lead.")


def test_windows_line_endings_read_the_same() -> None:
    text = (DATA / "android_24h_dayfirst.txt").read_text(encoding="utf-8")
    assert parse(text.replace("\n", "\r\n")) == parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13/02/24, 10:00 - A: x\n02/13/24, 10:00 - B: y\n", "mixes day-first and month-first"),
        ("Dear all,\n12/03/2024, 15:42 - A: hello\n", "line 1 has no timestamp"),
        ("", "no timestamped messages"),
        ("31/02/2024, 15:42 - A: hello\n", "line 1 has an impossible date"),
        ("12/03/2024, 13:42 pm - A: hello\n", "line 1 has an impossible date or time"),
    ],
)
def test_what_is_not_an_export_says_why(text: str, expected: str) -> None:
    with pytest.raises(ExportError, match=expected):
        parse(text)


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    zipped, binary = tmp_path / "chat.zip", tmp_path / "voice.opus"
    zipped.write_bytes(b"PK\x03\x04rest-of-a-zip")
    binary.write_bytes(b"OggS\x00\x02\xff\xfe\x80")
    with pytest.raises(ExportError, match=r"\.zip: unzip it"):
        read_export(zipped)
    with pytest.raises(ExportError, match="not UTF-8"):
        read_export(binary)
    with pytest.raises(ExportError, match="cannot read"):
        read_export(tmp_path / "missing.txt")
