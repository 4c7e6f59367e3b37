"""Photo metadata: EXIF GPS and camera time, read safely from hostile bytes.

Images are made here with Pillow (tests/photo_maker.py); fetching goes through an
httpx.MockTransport and a fake resolver, so no DNS and no socket. All data is fictional.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
from PIL import ExifTags, PngImagePlugin
from PIL.TiffImagePlugin import IFDRational

from scanner.models import Kind, Location, Observation, Profile, Severity
from scanner.photos import (
    CAMERA_LOCATION_OFF,
    OFF_SITE,
    PHOTO_HOSTS,
    STRIP_METADATA,
    ImageUrl,
    PhotoFacts,
    image_allowed,
    inspect_photo,
    page_images,
    photo_findings,
    photo_observations,
    read_photo,
    site_of,
)
from scanner.score import tier
from tests.photo_maker import (
    DEMO_POSITION,
    bomb_jpeg,
    dms,
    exif_block,
    geotagged_jpeg,
    make_image,
    png_exif_after_image,
    rationals,
    raw_gps_exif,
)
from tests.support import mock_http
from tests.test_pagefetch import FakeResolver, Site, redirect

GPS = ExifTags.GPS
POINT = (40.71234, -74.00567)  # a generic street-grid point, no one's address
PROFILE = Profile(names=("Jordan Testwell",), locations=(Location("Springfield", "IL"),))
PAGE = "https://blog.example.com/about"


def facts_of(data: bytes) -> PhotoFacts:
    facts = read_photo(data)
    assert facts is not None
    return facts


def gps_problem(gps_ifd: dict[int, Any]) -> PhotoFacts:
    facts = facts_of(make_image(gps_ifd=gps_ifd))
    assert facts.gps is None
    return facts


# --- reading metadata --------------------------------------------------------------


def test_geotagged_jpeg() -> None:
    facts = facts_of(geotagged_jpeg())
    assert facts.format == "JPEG"
    assert (facts.width, facts.height) == (64, 48)
    assert facts.gps == DEMO_POSITION
    assert facts.altitude == pytest.approx(182.0)
    assert facts.taken == "2024-05-03T14:22:10-05:00"
    assert (facts.make, facts.model) == ("ExampleCam", "ExampleCam EC-1")
    assert facts.camera == "ExampleCam EC-1"
    assert facts.problem == ""


def test_degrees_minutes_seconds_to_decimal() -> None:
    # N 40° 42' 44.424", W 74° 0' 20.412"
    facts = facts_of(make_image(gps=POINT))
    assert facts.gps == POINT
    assert facts.taken is None


@pytest.mark.parametrize(
    "position", [(-33.86785, 151.20732), (51.50735, -0.12776), (-22.95192, -43.21049)]
)
def test_hemisphere_references_give_the_sign(position: tuple[float, float]) -> None:
    assert facts_of(make_image(gps=position)).gps == position


def test_references_as_bytes_or_lower_case() -> None:
    tags = {GPS.GPSLatitudeRef: b"s", GPS.GPSLatitude: dms(12.5),
            GPS.GPSLongitudeRef: "w\x00", GPS.GPSLongitude: dms(45.25)}  # fmt: skip
    assert facts_of(make_image(gps_ifd=tags)).gps == (-12.5, -45.25)


def test_decimal_degrees_in_the_first_rational() -> None:
    tags = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: (IFDRational(4071234, 100000),),
        GPS.GPSLongitudeRef: "W",
        GPS.GPSLongitude: (IFDRational(7400567, 100000),),
    }
    assert facts_of(make_image(gps_ifd=tags)).gps == POINT


def test_altitude_below_sea_level() -> None:
    facts = facts_of(make_image(gps=(31.5, 35.5), altitude=-12.5))
    assert facts.altitude == pytest.approx(-12.5)


def test_jpeg_without_exif() -> None:
    facts = facts_of(make_image())
    assert facts == PhotoFacts("JPEG", 64, 48)


def test_camera_without_gps_or_time() -> None:
    facts = facts_of(make_image(make="ExampleCam", model="EC-1"))
    assert facts.camera == "ExampleCam EC-1"
    assert facts.gps is None
    assert facts.taken is None


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "TIFF"])
def test_other_formats(image_format: str) -> None:
    facts = facts_of(make_image(image_format, gps=POINT, taken="2023:11:30 08:15:00"))
    assert facts.format == image_format
    assert facts.gps == POINT
    assert facts.taken == "2023-11-30T08:15:00"


def test_png_without_exif() -> None:
    assert facts_of(make_image("PNG")) == PhotoFacts("PNG", 64, 48)


def test_png_exif_after_the_image_data_is_read_without_decoding_pixels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(self: Any) -> Any:
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
    facts = facts_of(png_exif_after_image(gps=POINT))
    assert facts.gps == POINT


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ({GPS.GPSLatitudeRef: "X", GPS.GPSLatitude: dms(40.5),
          GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(10.0)},
         "latitude reference 'X' is not N or S"),
        ({GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(40.5),
          GPS.GPSLongitudeRef: "N", GPS.GPSLongitude: dms(10.0)},
         "longitude reference 'N' is not E or W"),
        ({GPS.GPSLatitude: dms(40.5), GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(10.0)},
         "latitude has no N/S reference"),
        ({GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(40.5)},
         "longitude is missing"),
        ({GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(95.0),
          GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(10.0)},
         "latitude is out of range"),
        ({GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(40.0),
          GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(180.5)},
         "longitude is out of range"),
        ({GPS.GPSLatitudeRef: "N",
          GPS.GPSLatitude: (IFDRational(40), IFDRational(75), IFDRational(0)),
          GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(10.0)},
         "latitude is out of range"),
        ({GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(0.0),
          GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: dms(0.0)},
         "0, 0 (the camera had no position)"),
    ],
)  # fmt: skip
def test_unusable_gps_tags(tags: dict[int, Any], why: str) -> None:
    assert why in gps_problem(tags).problem


@pytest.mark.parametrize(
    "latitude",
    [
        (IFDRational(40, 0), IFDRational(42), IFDRational(0)),
        (IFDRational(40), IFDRational(0, 0), IFDRational(0)),
        (IFDRational(40), IFDRational(42), IFDRational(4444, 0)),
    ],
)
def test_zero_denominators(latitude: tuple[IFDRational, ...]) -> None:
    tags: dict[int, Any] = {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: latitude,
            GPS.GPSLongitudeRef: "W", GPS.GPSLongitude: dms(74.0)}  # fmt: skip
    assert "zero denominator" in gps_problem(tags).problem


def test_zero_denominator_altitude_is_dropped_not_fatal() -> None:
    tags = {**_tags(POINT), GPS.GPSAltitudeRef: b"\x00", GPS.GPSAltitude: IFDRational(5, 0)}
    facts = facts_of(make_image(gps_ifd=tags))
    assert facts.gps == POINT
    assert facts.altitude is None


def _tags(position: tuple[float, float]) -> dict[int, Any]:
    lat, lon = position
    return {GPS.GPSLatitudeRef: "N" if lat >= 0 else "S", GPS.GPSLatitude: dms(lat),
            GPS.GPSLongitudeRef: "E" if lon >= 0 else "W", GPS.GPSLongitude: dms(lon)}  # fmt: skip


def test_signed_rationals_are_refused() -> None:
    raw = raw_gps_exif(
        [
            (GPS.GPSLatitudeRef, 2, 2, b"N\0"),
            (GPS.GPSLatitude, 10, 3, rationals((-40, 1), (30, 1), (0, 1), signed=True)),
            (GPS.GPSLongitudeRef, 2, 2, b"E\0"),
            (GPS.GPSLongitude, 5, 3, rationals((10, 1), (0, 1), (0, 1))),
        ]
    )
    assert "latitude is out of range" in facts_of(make_image(exif=raw)).problem


def test_wrong_tiff_types_are_refused() -> None:
    raw = raw_gps_exif(
        [
            (GPS.GPSLatitudeRef, 3, 1, (78).to_bytes(2, "big")),  # SHORT 78, not "N"
            (GPS.GPSLatitude, 2, 6, b"40.5\0\0"),  # ASCII, not rationals
            (GPS.GPSLongitudeRef, 2, 2, b"E\0"),
            (GPS.GPSLongitude, 5, 3, rationals((10, 1), (0, 1), (0, 1))),
        ]
    )
    facts = facts_of(make_image(exif=raw))
    assert facts.gps is None
    assert facts.problem.startswith("its GPS tag could not be read: the latitude")


def test_gps_tag_with_only_a_time_is_no_problem() -> None:
    facts = facts_of(
        make_image(gps_ifd={GPS.GPSTimeStamp: (IFDRational(1), IFDRational(2), IFDRational(3))})
    )
    assert facts.gps is None
    assert facts.problem == ""


@pytest.mark.parametrize(
    ("taken", "offset", "expected"),
    [
        ("2024:05:03 14:22:10", None, "2024-05-03T14:22:10"),
        ("2024:05:03 14:22:10", "+05:30", "2024-05-03T14:22:10+05:30"),
        ("2024:05:03 14:22:10\x00", "+99:00", "2024-05-03T14:22:10"),
        ("2024:05:03 14:22:10", "local", "2024-05-03T14:22:10"),
        ("0000:00:00 00:00:00", None, None),
        ("2024:02:30 10:00:00", None, None),
        ("2024:05:03 25:00:00", None, None),
        ("1850:01:01 00:00:00", None, None),
        ("    :  :     :  :  ", None, None),
        ("yesterday", None, None),
    ],
)
def test_camera_time(taken: str, offset: str | None, expected: str | None) -> None:
    assert facts_of(make_image(taken=taken, offset=offset)).taken == expected


def test_control_characters_in_camera_text_are_neutralised() -> None:
    facts = facts_of(make_image(make="Evil\x1b[2JCam", model="X" * 500))
    assert "\x1b" not in facts.make
    assert len(facts.model) == 64


# --- hostile bytes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"II*\x00\xff\xff\xff\xff",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"%!PS-Adobe-3.0 EPSF-3.0\n",
        bytes(range(256)) * 4,
    ],
)
def test_garbage_is_unreadable_not_a_crash(data: bytes) -> None:
    assert read_photo(data) is None
    assert isinstance(inspect_photo(data), str)


def test_truncated_images_never_raise() -> None:
    for data in (geotagged_jpeg(), make_image("PNG", gps=POINT), make_image("TIFF", gps=POINT)):
        for end in range(0, len(data), 7):
            outcome = inspect_photo(data[:end])
            assert isinstance(outcome, PhotoFacts | str)


def test_damaged_exif_never_raises() -> None:
    base = geotagged_jpeg()
    rng = random.Random(5)
    seen: set[str] = set()
    for _ in range(600):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(2, 700)] = rng.randrange(256)
        outcome = inspect_photo(bytes(data))
        assert isinstance(outcome, PhotoFacts | str)
        seen.add("facts" if isinstance(outcome, PhotoFacts) else "reason")
    assert seen == {"facts", "reason"}


def test_exif_block_of_garbage_gives_facts_without_exif() -> None:
    facts = facts_of(make_image(exif=b"Exif\x00\x00MM\x00*\xff\xff\xff\xf0" + b"\x00" * 40))
    assert facts.gps is None
    assert facts.taken is None


def test_decompression_bomb_header_is_refused() -> None:
    outcome = inspect_photo(bomb_jpeg())
    assert isinstance(outcome, str)
    assert "decompression bomb" in outcome
    assert read_photo(bomb_jpeg()) is None


def test_large_but_allowed_dimensions_are_not_decoded() -> None:
    facts = facts_of(bomb_jpeg(12_000, 10_000))  # 120 Mpx: over the warning, under the error
    assert (facts.width, facts.height) == (12_000, 10_000)


# --- observations ------------------------------------------------------------------


def observations(facts: PhotoFacts, confidence: float = 0.9) -> list[Observation]:
    return photo_observations(
        "https://blog.example.com/img/garden.jpg",
        facts,
        page_url=PAGE,
        profile=PROFILE,
        source_name="homepage",
        confidence=confidence,
    )


def test_gps_becomes_a_critical_location() -> None:
    found = observations(facts_of(make_image(gps=POINT)))
    assert len(found) == 1
    location = found[0]
    assert location.kind is Kind.LOCATION
    assert location.value == "40.71234, -74.00567"
    assert (
        location.evidence == "EXIF GPS tag in the photo at https://blog.example.com/img/garden.jpg"
    )
    assert "GPS position embedded in the photo" in location.reason
    assert "this photo shows where it was taken" in location.reason
    assert location.source.name == "homepage"
    assert location.source.url == PAGE
    assert location.confidence == 0.9
    assert location.removal == (STRIP_METADATA, CAMERA_LOCATION_OFF)
    assert tier(location.kind, location.value).severity is Severity.CRITICAL


def test_camera_time_is_a_modest_other_observation() -> None:
    location, other = observations(facts_of(geotagged_jpeg()), confidence=0.7)
    assert location.evidence.endswith(", taken 2024-05-03T14:22:10-05:00 (camera clock)")
    assert other.kind is Kind.OTHER
    assert other.value == "photo taken 2024-05-03T14:22:10-05:00 (camera: ExampleCam EC-1)"
    assert other.evidence == "EXIF data in the photo at https://blog.example.com/img/garden.jpg"
    assert other.confidence == 0.7
    assert other.removal == (STRIP_METADATA,)
    assert tier(other.kind, other.value).severity is Severity.LOW


def test_no_metadata_no_observations() -> None:
    assert observations(PhotoFacts("JPEG", 10, 10, make="ExampleCam")) == []


def test_values_are_rounded_and_never_negative_zero() -> None:
    facts = PhotoFacts("JPEG", 1, 1, gps=(-0.000001, 12.3456789))
    assert observations(facts)[0].value == "0.00000, 12.34568"
    facts = PhotoFacts("JPEG", 1, 1, gps=(0.0, -0.0))
    assert observations(facts)[0].value == "0.00000, 0.00000"


def test_confidence_is_clamped() -> None:
    facts = PhotoFacts("JPEG", 1, 1, gps=POINT)
    assert observations(facts, confidence=3.0)[0].confidence == 1.0


# --- fetching ----------------------------------------------------------------------


def jpeg_response(data: bytes, content_type: str = "image/jpeg") -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": content_type}, content=data)


def run_findings(
    site: Site,
    urls: Iterable[str],
    page_url: str = PAGE,
    resolver: FakeResolver | None = None,
    **kwargs: Any,
) -> tuple[list[Observation], list[str]]:
    async def go() -> tuple[list[Observation], list[str]]:
        async with mock_http(site) as http:
            return await photo_findings(
                http,
                [ImageUrl(url) for url in urls],
                page_url=page_url,
                profile=PROFILE,
                source_name="homepage",
                confidence=0.85,
                resolve=resolver or FakeResolver(),
                **kwargs,
            )

    return asyncio.run(go())


def test_photo_findings_end_to_end() -> None:
    base = "https://blog.example.com/img/"
    site = Site(
        {
            base + "garden.jpg": jpeg_response(make_image(gps=POINT, taken="2024:05:03 14:22:10")),
            base + "plain.png": jpeg_response(make_image("PNG"), "image/png"),
            base + "page.jpg": httpx.Response(
                200, headers={"Content-Type": "text/html"}, text="<html></html>"
            ),
            base + "inside.jpg": redirect("http://10.0.0.7/x.jpg"),
            base + "broken.jpg": jpeg_response(b"\xff\xd8\xff\xe1garbage"),
            base + "phone.heic": jpeg_response(b"\x00\x00\x00\x18ftypheic", "image/heic"),
        }
    )
    found, notes = run_findings(
        site,
        [
            base + "garden.jpg",
            f" {base}garden.jpg ",  # the same photo twice
            "data:image/png;base64,iVBORw0KGgo=",
            "/img/relative.jpg",
            base + "plain.png",
            base + "page.jpg",
            base + "inside.jpg",
            base + "missing.jpg",
            base + "broken.jpg",
        ],
        max_images=10,
    )
    assert [(o.kind, o.value) for o in found] == [
        (Kind.LOCATION, "40.71234, -74.00567"),
        (Kind.OTHER, "photo taken 2024-05-03T14:22:10"),
    ]
    assert all(o.confidence == 0.85 and o.source.url == PAGE for o in found)
    assert notes == [
        "photo '/img/relative.jpg' skipped: not an absolute http(s) URL",
        "1 inline (data:) image(s) skipped",
        f"photo at {base}page.jpg refused: not a supported image (text/html)",
        f"photo at {base}inside.jpg refused: redirect to 10.0.0.7 is a private address: refused",
        f"photo at {base}missing.jpg refused: HTTP 404",
        f"photo at {base}broken.jpg could not be read: the image is damaged (OSError)",
    ]
    assert site.urls.count(base + "garden.jpg") == 1
    assert not any("10.0.0.7" in url for url in site.urls)


def test_limit_on_photos_per_page() -> None:
    base = "https://blog.example.com/img/"
    data = make_image(gps=POINT)
    site = Site({f"{base}{i}.jpg": jpeg_response(data) for i in range(8)})
    found, notes = run_findings(site, [f"{base}{i}.jpg" for i in range(8)], max_images=3)
    assert len(found) == 3
    assert len(site.requests) == 3
    assert notes == ["5 more photo(s) not checked (limit 3)"]


def test_photo_over_the_cap_is_refused() -> None:
    url = "https://blog.example.com/img/big.jpg"
    site = Site({url: jpeg_response(geotagged_jpeg())})
    found, notes = run_findings(site, [url], max_bytes=200)
    assert found == []
    assert notes == [f"photo at {url} refused: image larger than the size cap (200 bytes)"]


def test_heic_is_named_when_it_cannot_be_read() -> None:
    url = "https://blog.example.com/img/phone.heic"
    site = Site({url: jpeg_response(b"\x00\x00\x00\x18ftypheic", "image/heic")})
    found, notes = run_findings(site, [url])
    assert found == []
    assert notes == [
        f"photo at {url} could not be read: image/heic photos cannot be read here; "
        "check it yourself"
    ]


def test_unreadable_gps_tag_is_a_note() -> None:
    url = "https://blog.example.com/img/odd.jpg"
    tags = {**_tags(POINT), GPS.GPSLatitudeRef: "Q"}
    site = Site({url: jpeg_response(make_image(gps_ifd=tags))})
    found, notes = run_findings(site, [url])
    assert found == []
    assert notes == [
        f"photo at {url}: its GPS tag could not be read: the latitude reference 'Q' is not N or S"
    ]


def test_control_characters_in_urls_do_not_reach_notes() -> None:
    found, notes = run_findings(Site({}), ["javascript:\x1b[31malert(1)"])
    assert found == []
    assert "\x1b" not in notes[0]


def test_no_dns_lookup_when_not_live_and_the_stand_in_transport_answers() -> None:
    url = "https://blog.example.com/img/garden.jpg"
    site = Site({url: jpeg_response(geotagged_jpeg())})

    async def go() -> tuple[list[Observation], list[str]]:
        async with mock_http(site) as http:  # not live: the conftest guard would catch DNS
            return await photo_findings(
                http,
                [ImageUrl(url)],
                page_url=PAGE,
                profile=PROFILE,
                source_name="web",
                confidence=0.8,
            )

    found, notes = asyncio.run(go())
    assert [o.kind for o in found][:1] == [Kind.LOCATION]
    assert notes == []
    assert site.urls == [url]


def test_local_names_are_refused_even_without_dns() -> None:
    url = "http://printer.local/photo.jpg"
    site = Site({url: jpeg_response(geotagged_jpeg())})

    async def go() -> tuple[list[Observation], list[str]]:
        async with mock_http(site) as http:
            return await photo_findings(
                http,
                [ImageUrl(url)],
                page_url="http://printer.local/",  # its own site: only pagefetch's rule refuses
                profile=PROFILE,
                source_name="web",
                confidence=0.8,
            )

    found, notes = asyncio.run(go())
    assert found == []
    assert len(notes) == 1
    assert "refused" in notes[0]
    assert site.urls == []


def test_exif_block_helper_round_trips() -> None:
    block = exif_block(gps=POINT, taken="2024:05:03 14:22:10", make="ExampleCam")
    assert block.startswith(b"Exif\x00\x00")
    assert facts_of(make_image(exif=block)).gps == POINT


# --- which photos may be fetched: markup only, own site or a known photo host ---------------

TRACKER = "https://px.tracker.example.net/u/7f3a.jpg"


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("blog.example.com", "example.com"),
        ("www.example.com", "example.com"),
        ("cdn.shop.example.co.uk", "example.co.uk"),
        ("jtestwell.github.io", "jtestwell.github.io"),
        ("img.jtestwell.github.io", "jtestwell.github.io"),
        ("example.com", "example.com"),
        ("93.184.215.14", "93.184.215.14"),
        ("Blog.Example.COM.", "example.com"),
    ],
)
def test_site_of(host: str, site: str) -> None:
    assert site_of(host) == site


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://blog.example.com/img/a.jpg", True),  # the page's own host
        ("https://cdn.example.com/a.jpg", True),  # the same registrable domain
        ("https://i.imgur.com/abc.jpg", True),  # a named photo host
        ("https://secure.gravatar.com/avatar/abc", True),  # a subdomain of one
        ("https://live.staticflickr.com/1/2.jpg", True),
        (TRACKER, False),  # another site
        ("https://imgur.com.tracker.example.net/a.jpg", False),  # a look-alike name
        ("https://notgravatar.com/avatar/abc", False),
        ("https://imgur.com/a.jpg", False),  # only i.imgur.com is named
        ("https://other.github.io/a.jpg", False),  # someone else's site on a shared host
    ],
)
def test_image_allowed(url: str, allowed: bool) -> None:
    page = "https://blog.example.com/about" if "github.io" not in url else "https://j.github.io/"
    assert image_allowed(url, page) is allowed


def test_photo_hosts_are_host_names() -> None:
    assert all("." in host and "/" not in host and host == host.lower() for host in PHOTO_HOSTS)


MARKUP = f"""<html><head>
<meta property="og:image" content="{TRACKER}">
<meta name="twitter:image" content="https://pbs.twimg.com/media/card.jpg">
<script type="application/ld+json">{{"@type": "Person", "name": "Jordan Testwell",
 "image": {{"@type": "ImageObject", "contentUrl": "/img/ld.jpg"}},
 "worksFor": {{"image": ["https://cdn.example.com/logo.png", "{TRACKER}?ld"]}},
 "url": "https://blog.example.com/not-an-image.jpg"}}</script>
<script type="application/ld+json">{{ not json</script>
</head><body>
<p>My old photo: https://px.tracker.example.net/u/text.jpg and
 https://blog.example.com/img/text-only.jpg</p>
<a href="https://blog.example.com/img/linked.jpg">a link, not an image</a>
<img src="/img/garden.jpg"><img src="https://i.imgur.com/abc.jpg">
<img src="https://px.tracker.example.net/pixel.jpg">
</body></html>"""


def test_page_images_reads_markup_on_allowed_hosts_only() -> None:
    assert page_images(MARKUP, "https://blog.example.com/about") == [
        "https://pbs.twimg.com/media/card.jpg",  # twitter:image; og:image was the tracker
        "https://blog.example.com/img/ld.jpg",  # JSON-LD ImageObject, relative
        "https://cdn.example.com/logo.png",  # JSON-LD image list; the tracker's left out
        "https://blog.example.com/img/garden.jpg",
        "https://i.imgur.com/abc.jpg",
    ]


def test_page_images_same_site_keeps_the_pages_own_host() -> None:
    assert page_images(MARKUP, "https://blog.example.com/about", same_site=True) == [
        "https://blog.example.com/img/ld.jpg",
        "https://blog.example.com/img/garden.jpg",
    ]


def test_a_json_ld_image_list_is_bounded() -> None:
    items = ", ".join(f'"/img/{i}.jpg"' for i in range(5000))
    html = f'<script type="application/ld+json">{{"image": [{items}]}}</script>'
    found = page_images(html, "https://blog.example.com/")
    assert 0 < len(found) < 5000
    assert found[0] == "https://blog.example.com/img/0.jpg"


def test_an_off_site_photo_is_skipped_and_never_requested() -> None:
    own = "https://blog.example.com/img/garden.jpg"
    hosted = "https://i.imgur.com/abc.jpg"
    site = Site({own: jpeg_response(geotagged_jpeg()), hosted: jpeg_response(geotagged_jpeg())})
    table = {"blog.example.com": ["93.184.215.14"], "i.imgur.com": ["93.184.215.15"]}
    found, notes = run_findings(site, [TRACKER, own, hosted], resolver=FakeResolver(table))
    assert notes == [f"photo at {TRACKER} skipped: {OFF_SITE}"]
    assert site.urls == [own, hosted]
    assert sum(o.kind is Kind.LOCATION for o in found) == 2


def test_mined_pages_never_fetch_a_photo_named_only_in_text() -> None:
    from scanner.sources.pagemine import mine
    from scanner.sources.websearch_plan import SearchResult
    from tests.support import JORDAN

    page = "https://blog.example.com/about"
    body = (
        "<html><body><h1>Jordan Testwell</h1><p>Springfield, IL. Email "
        "jordan.testwell@example.com</p><p>Photos: https://px.tracker.example.net/1.jpg "
        "https://px.tracker.example.net/2.jpg https://px.tracker.example.net/3.jpg</p>"
        '<img src="/img/garden.jpg"></body></html>'
    )
    site = Site(
        {
            page: httpx.Response(200, headers={"Content-Type": "text/html"}, text=body),
            "https://blog.example.com/img/garden.jpg": jpeg_response(geotagged_jpeg()),
        }
    )

    async def go() -> None:
        async with mock_http(site) as http:
            await mine([SearchResult(page, "Jordan Testwell", "", "q")], JORDAN, http, "web")

    asyncio.run(go())
    assert site.urls == [page, "https://blog.example.com/img/garden.jpg"]
