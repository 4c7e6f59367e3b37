"""RDAP source: bootstrap, jCard and redaction parsing, then request logic over a mock transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scanner.errors import Blocked, SourceUnavailable
from scanner.models import AccountStatus, Kind, Profile, SourceResult
from scanner.sources.rdap import (
    RdapSource,
    contact_of,
    observe,
    parse_bootstrap,
    parse_domain,
    service_for,
)
from tests.support import mock_http, page, shared_file

BOOTSTRAP = "https://data.iana.org/rdap/dns.json"
ONE = "https://rdap.registry-one.example/v1/domain/"
TWO = "https://rdap.registry-two.example/rdap/domain/"
RELATED = "https://rdap.registrar.example/domain/EXAMPLE.COM"


def values(observations: Any, kind: Kind) -> list[str]:
    return [o.value for o in observations if o.kind is kind]


def observed(name: str, domain: str, region: str = "US") -> SourceResult:
    return observe(parse_domain(page(f"rdap/{name}"), domain), domain, "https://x.example/", region)


# --- bootstrap -----------------------------------------------------------------------


def test_parse_bootstrap() -> None:
    assert parse_bootstrap(page("rdap/dns.json")) == {
        "com": "https://rdap.registry-one.example/v1/",
        "net": "https://rdap.registry-one.example/v1/",
        "org": "https://rdap.registry-two.example/rdap/",  # https preferred over http
        "cz": "https://rdap.registry-three.example/",  # the missing "/" added
    }


@pytest.mark.parametrize(
    "data",
    [None, [], {}, {"services": "x"}, {"services": []}, {"services": [[["com"], ["ftp://x/"]]]}],
)
def test_parse_bootstrap_rejects_unusable_files(data: Any) -> None:
    with pytest.raises(SourceUnavailable, match="bootstrap"):
        parse_bootstrap(data)


def test_service_for_takes_the_longest_label_suffix() -> None:
    services = {"uk": "https://a.example/", "co.uk": "https://b.example/", "net": "https://c/"}
    assert service_for("shop.example.co.uk", services) == "https://b.example/"
    assert service_for("example.uk", services) == "https://a.example/"
    assert service_for("blog.example.net", services) == "https://c/"
    assert service_for("example.zz", services) is None
    assert service_for("notco.uk", services) == "https://a.example/"  # labels, not characters


# --- domain records ------------------------------------------------------------------


def test_unredacted_registrant() -> None:
    result = observed("domain-registrant.json", "example.net")
    obs = result.observations
    registrant = [o for o in obs if o.confidence >= 0.8]
    assert [(o.kind, o.value, o.confidence) for o in registrant] == [
        (Kind.REAL_NAME, "Jordan Testwell", 0.85),
        (Kind.EMPLOYER, "Testwell Ceramics", 0.85),
        (Kind.HOME_ADDRESS, "Apt 3, 42 Example Lane, Springfield, IL, 62701, US", 0.8),
        (Kind.PHONE, "+12175550142", 0.85),
        (Kind.PHONE, "+12175550199", 0.85),
        (Kind.EMAIL, "jordan.testwell@example.org", 0.85),
    ]
    address = next(o for o in obs if o.kind is Kind.HOME_ADDRESS)
    assert address.reason == (
        "registrant address of your domain example.net (may be a business address)"
    )
    assert [o.evidence for o in obs if o.kind is Kind.PHONE] == [
        "Registrant phone: +1.2175550142",
        "Registrant fax: +1.2175550199",
    ]
    step = address.removal[0]
    assert step.action == "Turn on WHOIS privacy for example.net"
    assert "your registrar (Example Registrar, LLC)" in step.how
    (lead,) = result.leads
    assert (lead.field, lead.value, lead.found_from) == (
        "emails",
        "jordan.testwell@example.org",
        "example.net",
    )
    assert result.notes == ()


def test_nested_agency_contact_is_weaker_and_gives_no_lead() -> None:
    obs = observed("domain-registrant.json", "example.net").observations
    agency = [(o.kind, o.value, o.confidence) for o in obs if o.confidence < 0.8]
    assert agency == [
        (Kind.REAL_NAME, "Avery Sample", 0.6),
        (Kind.HOME_ADDRESS, "Example Web Agency, 9 Sample Road, Shelbyville, IL 62565", 0.55),
        (Kind.EMAIL, "hostmaster@example.com", 0.6),
    ]
    assert all("may be a web host or agency" in o.reason for o in obs if o.confidence < 0.8)
    assert "Registrar Abuse Desk" not in repr(obs)  # the registrar's own contacts are skipped
    assert "abuse@registrar.example" not in repr(obs)


def test_events_and_registrar_in_details() -> None:
    record = parse_domain(page("rdap/domain-registrant.json"), "example.net")
    assert record.details == {
        "registrar": "Example Registrar, LLC",
        "registered": "2015-06-01",
        "expires": "2027-06-01",
        "last_changed": "2025-05-02",
    }
    assert record.related == ""


def test_rfc9537_redaction_notice_means_no_findings() -> None:
    result = observed("domain-redacted.json", "example.org")
    assert result.observations == ()
    assert result.leads == ()
    assert result.notes == ("example.org: registrant data is redacted (good)",)


def test_privacy_service_is_redacted_not_an_address() -> None:
    result = observed("domain-privacy-service.json", "example.net")
    assert result.observations == ()
    assert result.notes == ("example.net: registrant data is redacted (good)",)


@pytest.mark.parametrize(
    "value",
    [
        "REDACTED FOR PRIVACY",
        "Redacted",
        "Data Protected",
        "Privacy service provided by Withheld for Privacy ehf",
        "Contact Privacy Inc. Customer 0123",
        "Domains By Proxy, LLC",
    ],
)
@pytest.mark.parametrize("prop", ["fn", "org"])
def test_redaction_wordings(value: str, prop: str) -> None:
    data = page("rdap/domain-registrant.json")
    card = data["entities"][0]["vcardArray"][1]
    next(p for p in card if p[0] == prop)[3] = value
    data["entities"][0]["entities"] = []
    result = observe(parse_domain(data, "example.net"), "example.net", "u", "US")
    assert result.observations == ()
    assert result.notes == ("example.net: registrant data is redacted (good)",)


def test_redacted_technical_contact_only() -> None:
    data = page("rdap/domain-redacted.json")
    del data["redacted"]
    data["entities"][0]["vcardArray"][1][1][3] = "Jordan Testwell"
    result = observe(parse_domain(data, "example.org"), "example.org", "u", "US")
    assert values(result.observations, Kind.REAL_NAME) == ["Jordan Testwell"]
    assert values(result.observations, Kind.LOCATION) == []  # "IL, US" has no city or street
    assert values(result.observations, Kind.EMAIL) == []  # the redacted tech contact's address
    assert result.notes == ("example.org: contact data is redacted (good)",)


def test_thin_registry_record_links_the_registrar() -> None:
    record = parse_domain(page("rdap/domain-thin.json"), "example.com")
    assert record.related == RELATED
    assert record.contacts == []
    assert record.details["registered"] == "2010-09-15"


@pytest.mark.parametrize(
    "data", [None, [], {"errorCode": 400, "title": "Bad Request"}, {"objectClassName": "entity"}]
)
def test_parse_domain_rejects_non_domains(data: Any) -> None:
    with pytest.raises(SourceUnavailable, match="not a domain record"):
        parse_domain(data, "example.net")


HOSTILE_ENTITIES: list[Any] = [
    "x",
    [1, None, "x", {"roles": "registrant"}],
    [{"roles": ["registrant"], "vcardArray": ["vcard"]}],
    [{"roles": ["registrant"], "vcardArray": ["vcard", "x"]}],
    [{"roles": ["registrant"], "vcardArray": ["vcard", [["fn"], 5, ["fn", [], "text", 7]]]}],
    [{"roles": ["registrant"], "vcardArray": ["vcard", [["adr", {"label": 5}, "text", "x"]]]}],
    [{"roles": ["registrant"], "entities": [{"roles": ["registrant"], "entities": "x"}]}],
]


@pytest.mark.parametrize("entities", HOSTILE_ENTITIES)
def test_hostile_entities_do_not_crash(entities: Any) -> None:
    data = {"objectClassName": "domain", "entities": entities, "events": [5, {"eventDate": 1}]}
    result = observe(parse_domain(data, "example.net"), "example.net", "u", "US")
    assert result.observations == ()


def test_deep_nesting_and_long_values_are_bounded() -> None:
    entity: dict[str, Any] = {"roles": ["registrant"]}
    for _ in range(200):
        entity = {"roles": ["registrant"], "entities": [entity]}
    record = parse_domain({"objectClassName": "domain", "entities": [entity]}, "example.net")
    assert len(record.contacts) == 4
    card = ["vcard", [["fn", {}, "text", "A" * 5000 + "\u0000\n"]]]
    contact = contact_of({"roles": ["registrant"], "vcardArray": card})
    assert len(contact.name) == 200
    assert contact.name.endswith("…")


def test_shared_cz_record() -> None:
    path = shared_file("api-examples/rdap/domain-example.cz.rdap.nic.cz.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    record = parse_domain(data, "example.cz")
    assert record.details == {
        "registrar": "REG-INTERNET-CZ",
        "registered": "2004-08-30",
        "expires": "2019-08-30",
    }
    assert [c.roles for c in record.contacts] == [("registrant",), ("administrative",)]
    result = observe(record, "example.cz", "u", "CZ")
    assert result.observations == ()
    assert result.notes == (
        "example.cz: the record lists its contacts by handle only; their details were not fetched",
    )


def test_shared_jcard_example() -> None:
    path = shared_file("api-examples/rdap/jcard-example.json")
    card = json.loads(path.read_text(encoding="utf-8"))
    contact = contact_of({"roles": ["registrant"], "vcardArray": card})
    assert contact.name == "Simon Perreault"
    assert contact.org == "Viagenie"
    assert contact.addresses == [("Suite D2-630, 2875 Laurier, Quebec, QC, G1V 2M2, Canada", True)]
    assert contact.phones == [("Phone", "+1-418-656-9254"), ("Phone", "+1-418-262-6501")]
    assert contact.emails == ["simon.perreault@viagenie.ca"]


def test_shared_verisign_registrar_entity() -> None:
    path = shared_file("api-examples/rdap/entity-1-VRSN.verisignlabs.json")
    contact = contact_of(json.loads(path.read_text(encoding="utf-8")))
    assert contact.roles == ("registrar",)
    assert contact.name == "Verisign, Inc.~VRSN"
    assert contact.phones == []  # "tel:" with nothing after it


# --- request logic -------------------------------------------------------------------

Answer = tuple[int, Any]
ROUTES: dict[str, Answer] = {
    BOOTSTRAP: (200, page("rdap/dns.json")),
    ONE + "example.net": (200, page("rdap/domain-registrant.json")),
    TWO + "example.org": (200, page("rdap/domain-redacted.json")),
    ONE + "example.com": (200, page("rdap/domain-thin.json")),
    RELATED: (200, page("rdap/domain-registrant.json")),
}


class FakeRdap:
    def __init__(self, routes: dict[str, Answer], default: Callable[[str], Answer]) -> None:
        self.requests: list[httpx.Request] = []
        self.routes = routes
        self.default = default

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        status, body = self.routes.get(url) or self.default(url)
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def not_found(url: str) -> Answer:
    return 404, {"errorCode": 404, "title": "Not Found"}


def run(fake: FakeRdap, *domains: str, source: RdapSource | None = None) -> SourceResult:
    async def go() -> SourceResult:
        async with mock_http(fake) as http:
            return await (source or RdapSource()).search(Profile(domains=domains), http)

    return asyncio.run(go())


def test_search_requests_and_results() -> None:
    fake = FakeRdap(ROUTES, not_found)
    result = run(fake, "example.net", "example.org", "example.com", "example.zz", "gone.net")
    assert fake.urls == [
        BOOTSTRAP,
        ONE + "example.net",
        TWO + "example.org",
        ONE + "example.com",
        RELATED,
        ONE + "gone.net",
    ]
    assert fake.requests[0].headers["accept"] == "application/json"
    assert all(r.headers["accept"] == "application/rdap+json" for r in fake.requests[1:])
    assert all(r.method == "GET" and r.content == b"" for r in fake.requests)
    assert [(a.username, a.status) for a in result.accounts] == [
        ("example.net", AccountStatus.FOUND),
        ("example.org", AccountStatus.FOUND),
        ("example.com", AccountStatus.FOUND),
        ("gone.net", AccountStatus.NOT_FOUND),
    ]
    com = result.accounts[2]
    assert com.url == ONE + "example.com"
    assert com.details["registered"] == "2010-09-15"  # the registry's date wins
    assert com.details["registrar"] == "Example Registrar, LLC"
    assert {o.source.url for o in result.observations if "example.com" in o.reason} == {RELATED}
    assert result.notes == (
        "example.org: registrant data is redacted (good)",
        "example.zz: no RDAP service for .zz",
        "gone.net: not registered (if it is a subdomain, add the domain it belongs to)",
    )
    assert [lead.value for lead in result.leads] == ["jordan.testwell@example.org"] * 2
    assert {lead.found_from for lead in result.leads} == {"example.net", "example.com"}


def test_bootstrap_is_fetched_once_per_source_instance() -> None:
    fake = FakeRdap(ROUTES, not_found)
    source = RdapSource()
    run(fake, "example.net", source=source)
    run(fake, "example.org", source=source)
    assert fake.urls.count(BOOTSTRAP) == 1


def test_registrar_failure_keeps_the_registry_record() -> None:
    fake = FakeRdap({**ROUTES, RELATED: (503, b"")}, not_found)
    result = run(fake, "example.com")
    (account,) = result.accounts
    assert account.status is AccountStatus.FOUND
    assert result.observations == ()
    assert result.notes[0] == (
        "example.com: registrar record not checked (the registrar's RDAP failed (HTTP 503))"
    )


def test_not_found_only() -> None:
    result = run(FakeRdap(ROUTES, not_found), "gone.net")
    assert [a.status for a in result.accounts] == [AccountStatus.NOT_FOUND]
    assert result.observations == ()


def test_domains_are_deduplicated_and_capped() -> None:
    fake = FakeRdap(ROUTES, not_found)
    domains = [f"d{i}.example.net" for i in range(7)]
    result = run(fake, "D0.example.net", *domains)
    assert fake.urls == [BOOTSTRAP, *(ONE + d for d in domains[:5])]
    assert result.notes[0] == (
        "RDAP: only the first 5 domains were checked; not: d5.example.net, d6.example.net"
    )


def test_rate_limit_is_blocked() -> None:
    fake = FakeRdap({BOOTSTRAP: ROUTES[BOOTSTRAP]}, lambda url: (429, b""))
    with pytest.raises(Blocked, match="HTTP 429"):
        run(fake, "example.net", "example.org")
    assert fake.urls == [BOOTSTRAP, *[ONE + "example.net"] * 3]  # example.org never sent


def test_refused_bootstrap_sends_nothing_else() -> None:
    fake = FakeRdap({}, lambda url: (403, b""))
    with pytest.raises(Blocked, match="HTTP 403"):
        run(fake, "example.net")
    assert fake.urls == [BOOTSTRAP]


@pytest.mark.parametrize(
    ("answer", "message"),
    [((500, b""), "HTTP 500"), ((200, b"<html>"), "not JSON"), ((200, [1]), "not a domain")],
)
def test_domain_failures_are_source_unavailable(answer: Answer, message: str) -> None:
    fake = FakeRdap({BOOTSTRAP: ROUTES[BOOTSTRAP]}, lambda url: answer)
    with pytest.raises(SourceUnavailable, match=message):
        run(fake, "example.net")


def test_malformed_bootstrap_is_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="not JSON"):
        run(FakeRdap({BOOTSTRAP: (200, b"{")}, not_found), "example.net")


def test_source_attributes() -> None:
    source = RdapSource()
    assert (source.name, source.title, source.needs) == (
        "rdap",
        "Domain registration (RDAP)",
        frozenset({"domains"}),
    )
    assert source.applies_to(Profile(domains=("example.net",)))
    assert not source.applies_to(Profile(emails=("a@example.net",)))


def test_redacted_address_parts_are_dropped() -> None:
    card = [
        ["fn", {}, "text", "Jordan Testwell"],
        ["adr", {}, "text", ["", "", "REDACTED FOR PRIVACY", "Springfield", "IL", "", "US"]],
        ["adr", {"label": "Redacted\nRedacted"}, "text", ["", "", "", "", "", "", "US"]],
    ]
    contact = contact_of({"roles": ["registrant"], "vcardArray": ["vcard", card]})
    assert contact.addresses == [("Springfield, IL, US", False)]
    data = {
        "objectClassName": "domain",
        "entities": [{"roles": ["registrant"], "vcardArray": ["vcard", card]}],
    }
    obs = observe(parse_domain(data, "example.net"), "example.net", "u", "US").observations
    assert [(o.kind, o.value, o.confidence) for o in obs] == [
        (Kind.REAL_NAME, "Jordan Testwell", 0.85),
        (Kind.LOCATION, "Springfield, IL, US", 0.8),
    ]
