"""Kithkin: a local-first personal CRM."""

__version__ = "0.1.0"
