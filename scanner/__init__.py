"""exposure-audit: a local-first personal exposure-audit scanner."""

__version__ = "0.1.0"
