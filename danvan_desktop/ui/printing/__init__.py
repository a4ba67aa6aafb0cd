"""Printed documents: the registration form and the statistics report.

Each document has one render function drawing on any QPagedPaintDevice, so the print preview,
the printer and the PDF file show the same pages.
"""
