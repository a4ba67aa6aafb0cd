"""The `danvan` console script: the core commands plus printing (which needs Qt, loaded only
when a print command runs)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from danvan_desktop import cli

from danvan_desktop.ui.print_commands import PrintCommands


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    return cli.main(argv, stdout, stderr, groups=[*cli.core_groups(), PrintCommands()])


if __name__ == "__main__":
    sys.exit(main())
