"""Coordinators' exports: shared reflections as CSV, XLSX, JSON Lines or a REFI-QDA project."""
