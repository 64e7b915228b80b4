"""The transcription worker and its standalone runner."""
