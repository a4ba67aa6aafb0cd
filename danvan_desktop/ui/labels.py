"""Display helpers shared by the screens: Vietnamese dates and labels."""

from __future__ import annotations

import datetime as dt


def date_text(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_text(value: dt.datetime | None) -> str:
    """A UTC time shown in the PC's local time."""
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else ""
