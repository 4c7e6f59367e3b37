"""Numbers the command line shows in --help and the code below it uses (no imports: cheap)."""

from __future__ import annotations

DEFAULT_DEPTH = 2  # how many waves of leads a scan follows
MAX_DEPTH = 3
MAX_PROFILE_BYTES = 1_000_000  # a profile is a few lines of TOML; 1 MB is generous
# Wall time for one page or photo fetch (every redirect hop, connect, headers and body): a
# page that drips bytes resets the per-read timeout with each chunk, and would hold web
# search until the source's own limit.
PAGE_FETCH_SECONDS = 30.0
