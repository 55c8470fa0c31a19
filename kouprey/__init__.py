"""Kouprey: the case and intelligence system for teams that fight wildlife trafficking."""

__version__ = "0.1.0"
