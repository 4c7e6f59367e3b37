"""Parser for the Keybase source: a user/lookup.json answer as accounts, findings and leads.

See scanner/sources/keybase.py for the request and what is known about the format.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scanner.errors import Blocked, SourceUnavailable
from scanner.identity.accounts import tie_account
from scanner.models import (
    Account,
    AccountStatus,
    Document,
    Field,
    Kind,
    Lead,
    LookedUp,
    Observation,
    Profile,
    RemovalStep,
    SourceRef,
    SourceResult,
    Tie,
)
from scanner.sources.base import TIED, UNTIED, found_with, personal_domain
from scanner.sources.mastodon_parse import clean, fediverse_address

NAME = "keybase"
SITE = "Keybase"
WEB = "https://keybase.io"
VERIFIED = 1  # proof state "ok"
HANDLE_PROOFS = frozenset({"github", "reddit", "hackernews", "twitter"})
WEB_PROOFS = frozenset({"dns", "generic_web_site"})

DELETE_STEP = RemovalStep(
    "Delete the Keybase account",
    "Signed in to keybase.io, open the account deletion page and confirm. Proofs posted on "
    "other sites (tweets, gists, keybase.txt files) stay there until you delete them.",
    "https://keybase.io/account/delete_me",
)
PROOF_HOW = (
    "In the Keybase app, open your profile, pick the proof and revoke it; also delete the "
    "proof post on the other site. Keybase's signature chain is public and append-only, so "
    "the old proof stays there marked as revoked."
)


def profile_step(username: str) -> RemovalStep:
    return RemovalStep(
        "Edit your Keybase profile",
        "Signed in on keybase.io or in the Keybase app, open your profile, edit it to clear "
        "the name, location, bio or picture, and save.",
        f"{WEB}/{username}",
    )


def proof_step(username: str) -> RemovalStep:
    return RemovalStep("Revoke the proof on Keybase", PROOF_HOW, f"{WEB}/{username}")


def _text(data: Any, key: str, cap: int = 300) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return clean(value, cap) if isinstance(value, str) else ""


def _http_url(value: str) -> str:
    return value if value.startswith(("https://", "http://")) else ""


def check_keybase_status(data: Any) -> bool:
    """Whether the body says "found what there is"; False for Keybase's NOT_FOUND status.

    Raises Blocked for a rate limit and SourceUnavailable for any other error or shape.
    """
    status = data.get("status") if isinstance(data, dict) else None
    if not isinstance(status, dict) or not isinstance(status.get("code"), int):
        raise SourceUnavailable("Keybase sent an answer without a status")
    code, name = status["code"], _text(status, "name", 60)
    if code == 0:
        return True
    if code == 205 or name.upper() == "NOT_FOUND":
        return False
    if "RATE" in name.upper() or "THROTTL" in name.upper():
        raise Blocked(f"Keybase rate limit reached ({name or code})")
    raise SourceUnavailable(f"Keybase answered with error {name or '?'} (code {code})")


class _User:
    """One Keybase user object, read into observations, documents and leads."""

    def __init__(self, data: dict[str, Any], looked_up: str, profile: Profile) -> None:
        self.username = _text(data.get("basics"), "username", 40) or looked_up
        self.url = f"{WEB}/{self.username}"
        self.looked_up = looked_up
        info = data.get("profile")
        self.full_name = _text(info, "full_name", 200)
        self.location = _text(info, "location", 200)
        self.bio = _text(info, "bio", 5000)
        summary = data.get("proofs_summary")
        proofs = summary.get("all") if isinstance(summary, dict) else None
        self.proofs = [p for p in proofs if isinstance(p, dict)] if isinstance(proofs, list) else []
        pictures = data.get("pictures")
        primary = pictures.get("primary") if isinstance(pictures, dict) else None
        self.picture = _http_url(_text(primary, "url", 1000))
        self.tie, self.ties = self._tie(profile)

    def verified(self) -> list[dict[str, Any]]:
        return [p for p in self.proofs if p.get("state") == VERIFIED]

    def _tie(self, profile: Profile) -> tuple[str, tuple[Tie, ...]]:
        """What ties the account (the clause, and the ties): its verified proofs first."""
        claims = [f"{_text(p, 'nametag')} {_text(p, 'service_url', 1000)}" for p in self.verified()]
        proven = tie_account(profile, claims, looked_up=self.looked_up)
        if proven:
            return f"{proven.why} in a verified proof", proven.ties
        shown = [self.full_name, self.location, self.bio]
        tied = tie_account(profile, shown, looked_up=self.looked_up)
        return tied.why, tied.ties

    @property
    def confidence(self) -> float:
        return TIED if self.tie else UNTIED

    @property
    def reason(self) -> str:
        if self.tie:
            return f"on the Keybase account {self.username}: {self.tie}"
        return f"an account named {self.username} exists on Keybase; nothing on it ties it to you"

    def observations(self) -> list[Observation]:
        out: list[Observation] = []
        source = SourceRef(NAME, self.url)
        edit, delete = profile_step(self.username), DELETE_STEP

        def add(kind: Kind, value: str, evidence: str, first: RemovalStep = edit) -> None:
            if value and all((o.kind, o.value) != (kind, value) for o in out):
                steps = (first, delete)
                sure, why = self.confidence, self.reason
                out.append(
                    Observation(kind, value, source, evidence, sure, why, steps, ties=self.ties)
                )

        add(Kind.REAL_NAME, self.full_name, f"Keybase name: {self.full_name}")
        add(Kind.LOCATION, self.location, f"Keybase location: {self.location}")
        add(Kind.PHOTO, self.picture, "public Keybase profile picture")
        for proof in self.proofs:
            kind_name, nametag = _text(proof, "proof_type", 60), _text(proof, "nametag")
            url = _http_url(_text(proof, "service_url", 1000))
            state = proof.get("state")
            checked = "verified" if state == VERIFIED else f"proof state {state!s:.8}, not verified"
            evidence = f"{kind_name} proof on Keybase: {nametag} ({url or 'no link'}; {checked})"
            kind = Kind.WEBSITE if kind_name in WEB_PROOFS else Kind.ACCOUNT
            add(kind, url or nametag, evidence, proof_step(self.username))
        return out

    def documents(self) -> list[Document]:
        if not self.bio:
            return []
        step = profile_step(self.username)
        return [
            Document(
                self.url,
                self.bio,
                "Keybase bio",
                self.confidence,
                self.reason,
                removal=(step,),
                ties=self.ties,
            )
        ]

    def leads(self) -> list[Lead]:
        """Identifiers from verified proofs, only when the account is tied to the subject."""
        if not self.tie:
            return []
        out: list[Lead] = []
        source = SourceRef(NAME, self.url)
        for proof in self.verified():
            kind_name, nametag = _text(proof, "proof_type", 60), _text(proof, "nametag")
            url = _text(proof, "service_url", 1000)
            reason = f"a verified {kind_name} proof on your Keybase account {self.username}"
            if kind_name in HANDLE_PROOFS and nametag:
                out.append(Lead("handles", nametag, source, reason, self.looked_up))
            elif kind_name in WEB_PROOFS:
                domain = personal_domain(url) or personal_domain(nametag)
                if domain:
                    out.append(Lead("domains", domain, source, reason, self.looked_up))
            else:
                address = fediverse_address(url)
                if address and address.casefold() == f"{nametag}@{kind_name}".casefold():
                    out.append(Lead("handles", address, source, reason, self.looked_up))
        return out

    def account(self) -> Account:
        details = {"full_name": self.full_name, "location": self.location}
        details = {key: value for key, value in details.items() if value}
        details["proofs"] = str(len(self.proofs))
        return Account(SITE, self.url, self.username, AccountStatus.FOUND, details)

    def linked_accounts(self) -> list[Account]:
        """The proven accounts on other sites (tied accounts only: proofs are the owner's)."""
        if not self.tie:
            return []
        return [
            Account(
                _text(p, "proof_type", 60),
                _http_url(_text(p, "service_url", 1000)),
                _text(p, "nametag"),
                AccountStatus.FOUND,
            )
            for p in self.verified()
            if _text(p, "proof_type", 60) not in WEB_PROOFS
            and _http_url(_text(p, "service_url", 1000))
        ]


def parse_lookup(data: Any, usernames: list[str], profile: Profile) -> SourceResult:
    """A user/lookup.json answer as one account per username asked for."""
    if not check_keybase_status(data):
        them: list[Any] = []
    else:
        raw = data.get("them")
        if not isinstance(raw, list):
            raise SourceUnavailable("Keybase sent an answer without a 'them' list")
        them = raw
    users = {}
    for item in them:
        if isinstance(item, dict):
            name = _text(item.get("basics"), "username", 40)
            if name:
                users[name.casefold()] = item
    observations: list[Observation] = []
    accounts: list[Account] = []
    documents: list[Document] = []
    leads: list[Lead] = []
    for username in usernames:
        item = users.get(username.casefold())
        if item is None:
            url = f"{WEB}/{username}"
            accounts.append(Account(SITE, url, username, AccountStatus.NOT_FOUND))
            continue
        user = _User(item, username, profile)
        part = SourceResult(observations=tuple(user.observations()))
        part = replace(part, documents=tuple(user.documents()))
        part = found_with(part, LookedUp(Field.HANDLES, username))
        observations += part.observations
        accounts += [user.account(), *user.linked_accounts()]
        documents += part.documents
        leads += user.leads()
    return SourceResult(
        observations=tuple(observations),
        accounts=tuple(accounts),
        documents=tuple(documents),
        leads=tuple(leads),
    )
