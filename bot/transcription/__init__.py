"""Local speech-to-text for voice reflections: nothing leaves the server."""

from bot.transcription.audio import decode_audio, probe_duration
from bot.transcription.backends import BACKENDS, create_transcriber
from bot.transcription.base import Transcriber, Transcript
from bot.transcription.config import TranscriberConfig, config_from_settings
from bot.transcription.errors import AudioError, ModelUnavailable, TranscriptionError

__all__ = [
    "BACKENDS",
    "AudioError",
    "ModelUnavailable",
    "Transcriber",
    "TranscriberConfig",
    "Transcript",
    "TranscriptionError",
    "config_from_settings",
    "create_transcriber",
    "decode_audio",
    "probe_duration",
]
