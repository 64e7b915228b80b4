"""A digest as a person sees it: short text for a phone, and a chart with the same figures."""

from __future__ import annotations

import io

from bot.services.digests import Digest, Excerpt
from bot.tagging.codes import Codebook
from bot.views.texts import Texts


def digest_text(texts: Texts, codebook: Codebook, digest: Digest, question: str) -> str:
    parts = [
        texts(
            "digest_title", group=digest.group_name, first_day=digest.first_day.strftime("%a %d %b")
        ),
        texts(
            "digest_counts",
            entries=digest.entries,
            reflected=digest.reflected,
            members=digest.members,
        ),
    ]
    if digest.reflected_names:
        parts.append(texts("digest_names", names=", ".join(digest.reflected_names)))
    parts.append(outcome_line(texts, codebook, digest))
    if digest.challenges:
        lines = [_challenge_line(texts, codebook, row) for row in digest.challenges]
        parts.append("\n".join([texts("digest_challenges_header"), *lines]))
    if digest.excerpts:
        lines = [_excerpt_line(texts, excerpt) for excerpt in digest.excerpts]
        parts.append("\n".join([texts("digest_excerpts_header"), *lines]))
    parts.append(texts("digest_question", question=question))
    return "\n\n".join(parts)


def outcome_line(texts: Texts, codebook: Codebook, digest: Digest) -> str:
    """The chart's figures as words, for screen readers and for anyone who skips the image."""
    if not any(count for _, count in digest.outcomes):
        return texts("digest_no_outcomes")
    shown = " · ".join(f"{_label(codebook, code)} {count}" for code, count in digest.outcomes)
    return texts("digest_outcomes", outcomes=shown)


def _label(codebook: Codebook, code_id: str) -> str:
    code = codebook.get(code_id)
    return code.label if code else code_id


def _challenge_line(texts: Texts, codebook: Codebook, row: tuple[str, int, int]) -> str:
    code, count, before = row
    if before == 0:
        change = texts("digest_change_new")
    elif count > before:
        change = texts("digest_change_up", before=before)
    elif count < before:
        change = texts("digest_change_down", before=before)
    else:
        change = texts("digest_change_same")
    return texts("digest_challenge", label=_label(codebook, code), count=count, change=change)


def _excerpt_line(texts: Texts, excerpt: Excerpt) -> str:
    if excerpt.author is None:
        return texts("digest_excerpt_anonymous", text=excerpt.text)
    key = "digest_excerpt_lead" if excerpt.for_lead_only else "digest_excerpt"
    return texts(key, text=excerpt.text, author=excerpt.author)


def outcome_chart(codebook: Codebook, digest: Digest) -> bytes:
    """A PNG of the outcome balance, sized to read on a phone.

    A bare `Figure` (no pyplot): nothing global, so charts can be drawn side by side.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [_plain(_label(codebook, code)) for code, _ in digest.outcomes]
    counts = [count for _, count in digest.outcomes]
    figure = Figure(figsize=(5, 3), dpi=144)  # large type: it is read on a phone
    axes = figure.add_subplot()
    colours = ["#7a5195", "#ef5675", "#ffa600"][: len(counts)]
    bars = axes.barh(labels[::-1], counts[::-1], color=colours)
    axes.bar_label(bars, padding=4, fontsize=13)
    axes.set_title(f"{digest.group_name}: outcomes this week", loc="left", fontsize=13)
    axes.set_xlabel("shared reflections tagged", fontsize=11)
    axes.tick_params(labelsize=12)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts, never 2.5
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max([*counts, 1]) * 1.2)
    figure.subplots_adjust(left=0.2, right=0.97, top=0.86, bottom=0.2)  # cheaper than tight_layout
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plain(label: str) -> str:
    """Chart fonts have no emoji: keep the words."""
    return "".join(ch for ch in label if ch.isascii()).strip() or label
