"""Readers for reflections written outside the bot; they parse files and never touch the database."""
