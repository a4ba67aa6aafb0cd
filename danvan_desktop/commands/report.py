"""`danvan report …` (being built)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


class ReportCommands:
    name = "report"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        return None

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        return 2
