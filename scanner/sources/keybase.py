"""Keybase: the public profile and verified proofs behind each of the subject's handles.

One GET for all handles (at most 5, usernames comma-separated):
https://keybase.io/_/api/1.0/user/lookup.json?usernames=a,b&fields=basics,profile,proofs_summary,pictures
Read: basics.username, profile.full_name / location / bio, proofs_summary.all[]
(proof_type, nametag, service_url, state) and pictures.primary.url. Keys, devices, sigs
and cryptocurrency addresses are not read.

The answer is {"status": {"code", "name"}, "them": [user or null, ...]}; a null (or a
missing user) means no such account. Keybase usernames are letters, digits and "_"
(2-16 characters); other handles are skipped with a note. Not known from a recorded
response: the status names of errors (a rate limit is recognised by HTTP 429 or a status
name containing RATE or THROTTLE; "NOT_FOUND" / code 205 is read as "no such accounts"),
the proof states other than 1 (1 = verified; only state 1 ties or gives leads), and
the shape of Mastodon proofs (read as proof_type = the instance host with service_url
https://{host}/@{nametag}).
"""

from __future__ import annotations

import re

from scanner.errors import SourceUnavailable
from scanner.http import Http
from scanner.models import Profile, SourceResult
from scanner.sources.base import HandleSource, check_status, json_body, pick, plain_handles
from scanner.sources.keybase_parse import NAME, SITE, parse_lookup

API = "https://keybase.io/_/api/1.0/user/lookup.json"
FIELDS = "basics,profile,proofs_summary,pictures"
MAX_HANDLES = 5
USERNAME = re.compile(r"[A-Za-z0-9_]{2,16}")


def pick_handles(profile: Profile) -> tuple[list[str], list[str]]:
    """Up to MAX_HANDLES possible Keybase usernames, and notes about the ones skipped."""
    return pick(plain_handles(profile), SITE, MAX_HANDLES, valid=USERNAME)


def lookup_url(usernames: list[str]) -> str:
    """The one request for every username (they are [A-Za-z0-9_] only: nothing to escape)."""
    return f"{API}?usernames={','.join(usernames)}&fields={FIELDS}"


class KeybaseSource(HandleSource):
    name = NAME
    title = SITE

    async def search(self, profile: Profile, http: Http) -> SourceResult:
        usernames, notes = pick_handles(profile)
        if not usernames:
            return SourceResult(notes=tuple(notes))
        response = await http.get(lookup_url(usernames), headers={"Accept": "application/json"})
        status = response.status_code
        if status in (401, 403, 429) or status >= 500:
            check_status(response, SITE)
        data = json_body(response, SITE)
        if status >= 400 and not (isinstance(data, dict) and isinstance(data.get("status"), dict)):
            raise SourceUnavailable(f"Keybase answered HTTP {status}")
        result = parse_lookup(data, usernames, profile)
        return SourceResult(
            result.observations, result.accounts, result.documents, tuple(notes), result.leads
        )
