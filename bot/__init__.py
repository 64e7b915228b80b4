"""Reflective-practice bot for music tutors."""
