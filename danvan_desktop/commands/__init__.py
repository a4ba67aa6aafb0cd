"""Command groups of `danvan` that live outside cli.py: each adds its subcommands to the parser
and runs them. cli.py owns the shared parts (the --db option, error handling, output)."""

from __future__ import annotations

import argparse
from typing import Any, Protocol, TextIO

from danvan_desktop.paths import database_path
from danvan_desktop.services import Services, open_services


class CommandGroup(Protocol):
    """One top-level command (e.g. `report`, `excel`) with its subcommands."""

    name: str

    def register(
        self,
        commands: argparse._SubParsersAction[Any],
        db: argparse.ArgumentParser,
    ) -> None:
        """Add `self.name` to `commands`; give every parser `parents=[db]` (the --db option)."""

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        """Run the parsed command; raise UserError (a Vietnamese sentence) for anything the
        user can fix. Return the exit status."""


def open_from_args(args: argparse.Namespace) -> Services:
    """The database named by --db, $DANVAN_DB, or the default file."""
    return open_services(database_path(getattr(args, "db", None)))
