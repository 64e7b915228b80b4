"""Fixing a few words without retyping: "gem → djembe" or "s/gem/djembe/" replaces a phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass

ARROW = re.compile(r"^\s*(?P<old>[^\n]{1,80}?)\s*(?:→|->|=>)\s*(?P<new>[^\n]{0,80}?)\s*$")
SED = re.compile(r"^\s*s/(?P<old>[^/\n]{1,80})/(?P<new>[^/\n]{0,80})/?\s*$")


@dataclass(frozen=True)
class Fix:
    """One phrase to swap for another, everywhere it appears."""

    old: str
    new: str


def as_fix(message: str) -> Fix | None:
    """A one-line "old → new" or "s/old/new/"; anything else is a whole new text."""
    match = SED.match(message) or ARROW.match(message)
    if match is None or not match["old"].strip():
        return None
    return Fix(match["old"].strip(), match["new"].strip())


def applied(text: str, fix: Fix) -> str | None:
    """The text with the phrase replaced (ignoring case), or None when it isn't there."""
    pattern = re.compile(re.escape(fix.old), re.IGNORECASE)
    if pattern.search(text) is None:
        return None
    replaced = pattern.sub(lambda _: fix.new, text)
    return re.sub(r"[ \t]{2,}", " ", replaced)  # removing a word leaves no double space
