"""Sync packages: one zip file carrying a unit's models upward (and decisions back down).

format.py (names, limits, JSON Schemas, a small validator), writer.py (deterministic export),
reader.py (verification without touching the database), apply.py (preview and apply rules).
"""
