"""What every window is handed: the service API, the prompter, the per-PC settings."""

from __future__ import annotations

from dataclasses import dataclass

from danvan_desktop.services import Services

from danvan_desktop.ui.prompts import Prompter
from danvan_desktop.ui.settings import UiSettings


@dataclass
class UiContext:
    services: Services
    prompter: Prompter
    settings: UiSettings
