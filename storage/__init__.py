"""Persistence: models, the async engine, query functions and migrations."""
