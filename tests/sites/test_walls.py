"""detect_wall on small invented pages in the shape of real wall pages (tests/pages/walls/)."""

from __future__ import annotations

import pytest

from scanner.sites.walls import SCAN_BYTES, detect_wall
from tests.support import PAGES

CF = {"Server": "cloudflare", "CF-RAY": "0000000000000000-AMS"}


def body(name: str) -> str:
    return (PAGES / "walls" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "status", "headers", "expected"),
    [
        (
            "cloudflare-challenge.html",
            403,
            {**CF, "cf-mitigated": "challenge"},
            "Cloudflare challenge",
        ),
        # Without the header the page itself is enough, with a refusal status.
        ("cloudflare-challenge.html", 503, CF, "Cloudflare challenge"),
        ("cloudflare-blocked.html", 403, CF, "Cloudflare block"),
        ("ddos-guard.html", 403, {"Server": "ddos-guard"}, "DDoS-Guard challenge"),
        ("akamai.html", 403, {"Server": "AkamaiGHost"}, "Akamai block"),
        ("akamai.html", 403, {}, "Akamai block"),
        ("incapsula.html", 200, {"X-Iinfo": "0-0-0 NNNN RT(0 0)"}, "Imperva Incapsula block"),
        ("sucuri.html", 200, {"Server": "Sucuri/Cloudproxy"}, "Sucuri firewall challenge"),
        ("perimeterx.html", 403, {}, "PerimeterX (HUMAN) captcha"),
        ("datadome.html", 403, {"X-DataDome": "protected"}, "DataDome captcha"),
        ("hcaptcha.html", 200, {}, "captcha wall (hCaptcha)"),
        ("recaptcha.html", 429, {}, "captcha wall (reCAPTCHA)"),
        ("anubis.html", 200, {}, "Anubis bot check"),
    ],
)
def test_each_wall_is_named(name: str, status: int, headers: dict[str, str], expected: str) -> None:
    assert detect_wall(status, headers, body(name)) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cf-mitigated": "challenge"}, "Cloudflare challenge"),
        ({"X-Amzn-Waf-Action": "captcha"}, "AWS WAF challenge"),
        ({"x-vercel-mitigated": "challenge"}, "Vercel checkpoint"),
        ({"X-Sucuri-Block": "BL001"}, "Sucuri firewall block"),
    ],
)
def test_intervention_headers_are_walls_at_any_status(
    headers: dict[str, str], expected: str
) -> None:
    assert detect_wall(200, headers, "<html></html>") == expected


@pytest.mark.parametrize(
    ("name", "status", "headers"),
    [
        # Mentions captcha and "are you a robot", carries Cloudflare, Imperva and DataDome
        # sensor scripts as ordinary pages do: an ordinary page.
        ("profile-200.html", 200, CF),
        ("profile-contact-form.html", 200, {}),  # a reCAPTCHA widget on a contact form
        ("not-found-404.html", 404, CF),
        ("not-found-404.html", 404, {}),
        ("private-403.html", 403, CF),  # the site's own 403 behind Cloudflare
        ("private-403.html", 403, {"Server": "AkamaiGHost"}),
    ],
)
def test_ordinary_pages_are_not_walls(name: str, status: int, headers: dict[str, str]) -> None:
    assert detect_wall(status, headers, body(name)) == ""


def test_refusal_markers_need_a_refusal_status() -> None:
    page = body("cloudflare-challenge.html")
    assert detect_wall(200, CF, page) == ""
    assert detect_wall(429, CF, page) == "Cloudflare challenge"
    assert detect_wall(200, {}, body("perimeterx.html")) == ""
    assert detect_wall(200, {"Server": "ddos-guard"}, body("ddos-guard.html")) == ""


def test_only_the_first_64_kb_are_read() -> None:
    late = "<p>x</p>" * (SCAN_BYTES // 8) + body("sucuri.html")
    assert detect_wall(200, {}, late) == ""
    assert detect_wall(200, {}, body("sucuri.html") + late) == "Sucuri firewall challenge"


def test_header_names_and_values_are_case_insensitive() -> None:
    assert detect_wall(403, {"CF-Mitigated": "Challenge"}, "") == "Cloudflare challenge"
    assert detect_wall(403, {"x-dd-b": "1"}, "") == "DataDome captcha"
    assert detect_wall(200, {"x-dd-b": "1"}, "") == ""
