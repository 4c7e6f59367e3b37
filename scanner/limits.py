"""Numbers the command line shows in --help and the code below it uses (no imports: cheap)."""

from __future__ import annotations

DEFAULT_DEPTH = 2  # how many waves of leads a scan follows
MAX_DEPTH = 3
MAX_PROFILE_BYTES = 1_000_000  # a profile is a few lines of TOML; 1 MB is generous
