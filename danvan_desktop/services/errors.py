"""Errors meant for a person: their text is a complete Vietnamese sentence saying what to do."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; shown as it is, never as a traceback."""


class ConflictError(UserError):
    """The record changed since it was opened (another window, an import)."""
