"""Quản lý mô hình, điển hình “Dân vận khéo”."""

__version__ = "0.1.0"
