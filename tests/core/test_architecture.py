"""The core (everything but ui/ and app.py) never imports PySide6 or the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import danvan_desktop

PACKAGE = Path(danvan_desktop.__file__).parent
GUI_MODULES = {PACKAGE / "app.py", PACKAGE / "console.py"}


def core_files() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts and path not in GUI_MODULES
    ]


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_do_not_import_qt_or_ui() -> None:
    files = core_files()
    assert len(files) > 10
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in files
        for name in imported_names(path)
        if name.split(".")[0] == "PySide6" or name.startswith("danvan_desktop.ui")
    }
    assert not offenders


def test_importing_the_core_loads_no_qt() -> None:
    modules = sorted(
        "danvan_desktop." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in core_files()
        if p.name != "__init__.py" and "migrations" not in p.parts
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'danvan_desktop.ui'))]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
