"""The bundled Liberation Serif (Times New Roman metrics, full Vietnamese): printed pages look
the same on every PC whatever fonts it has."""

from __future__ import annotations

import importlib.resources

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

FAMILY = "Liberation Serif"
FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
)

_loaded: list[int] = []


def load_fonts() -> str:
    """Register the bundled fonts with Qt once per process; returns the family name.

    Read through importlib.resources so it also works from a zip or a PyInstaller bundle.
    """
    if _loaded:
        return FAMILY
    if QGuiApplication.instance() is None:
        raise RuntimeError("load_fonts() needs a QGuiApplication")
    folder = importlib.resources.files("danvan_desktop.resources").joinpath("fonts")
    for name in FILES:
        font_id = QFontDatabase.addApplicationFontFromData(
            QByteArray(folder.joinpath(name).read_bytes())
        )
        if font_id < 0:
            raise RuntimeError(f"cannot load the bundled font {name}")
        _loaded.append(font_id)
    return FAMILY


def serif(point_size: float, *, bold: bool = False, italic: bool = False) -> QFont:
    """The print font; hinting off so text is laid out the same on screen, printer and PDF."""
    load_fonts()
    font = QFont(FAMILY)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    font.setItalic(italic)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    return font
