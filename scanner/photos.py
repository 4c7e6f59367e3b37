"""Photos on the subject's own pages: the GPS position and camera time in their EXIF data.

    facts = read_photo(data)                       # PhotoFacts | None
    facts_or_why = inspect_photo(data)             # PhotoFacts | str (why it was unreadable)
    observations = photo_observations(url, facts, page_url=…, profile=…, source_name=…,
                                      confidence=…)
    image_urls = page_images(html, page_url)           # list[ImageUrl], from markup only
    observations, notes = await photo_findings(http, image_urls, page_url=…, …)

Which photos are fetched: those the page's markup names (og:image, twitter:image, JSON-LD
`image`, <img src>; never an address written only in its text), on the page's own site or a
known photo host (image_allowed, PHOTO_HOSTS). Another host may be a tracker.

A GPS position becomes a Kind.LOCATION observation written as "lat, lon" (5 decimals, about
a metre), which scoring ranks as a precise place (critical). The camera time becomes a
modest Kind.OTHER observation: it shows the host keeps metadata, and with the position,
when the subject was there. Nothing says how near the position is to the subject's places:
a profile's Location has no coordinates, and no gazetteer is shipped.

Reading hostile bytes: Pillow opens only JPEG (and MPO), PNG, WebP and TIFF, and only their
headers and metadata are read, never pixels. A PNG whose eXIf chunk comes after the image
data would make Pillow decode every pixel to find it, so that chunk is found by walking
the chunk list here instead. A header claiming more than twice Image.MAX_IMAGE_PIXELS is
refused by Pillow (DecompressionBombError); any other error from Pillow's parsers is caught
and reported as a reason, never raised. Images come from fetch_image (public addresses
only, a byte cap) and are never embedded in a report: findings carry their URL as text.
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NewType
from urllib.parse import urljoin, urlsplit

from PIL import ExifTags, Image, UnidentifiedImageError
from PIL.TiffImagePlugin import IFDRational
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scanner.http import Http
from scanner.models import Kind, LookedUp, Observation, Profile, RemovalStep, SourceRef
from scanner.pagefetch import IMAGE_MAX_BYTES, Refusal, Resolver, fetch_image
from scanner.text import printable

MAX_IMAGES = 5  # photos checked per page
READABLE_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")  # JPEG covers MPO (phones' multi-picture)
UNREADABLE_TYPES = frozenset({"image/heic", "image/heif"})  # Pillow has no decoder for these
MAX_ALTITUDE = 50_000.0  # metres; anything higher is not a photo taken on or near the ground
MAX_TEXT = 64  # characters kept of a camera make or model
MAX_URL = 200  # characters of a URL shown in notes and evidence
MAX_LD_NODES = 2_000  # JSON values of a page's JSON-LD looked at for images
# Hosts that serve the photos people upload, where a page's own photo often lives: fetching
# from them tells no one but the platform that already hosts the page or photo. Their
# subdomains count too (0.gravatar.com, farm1.staticflickr.com).
PHOTO_HOSTS = frozenset(
    {
        "i.imgur.com",  # Imgur
        "pbs.twimg.com",  # X / Twitter
        "avatars.githubusercontent.com",  # GitHub avatars
        "gravatar.com",  # Gravatar (www., secure., 0. …)
        "staticflickr.com",  # Flickr (live., farmN.)
        "i.redd.it",  # Reddit uploads
        "preview.redd.it",
        "upload.wikimedia.org",  # Wikimedia Commons
        "lh3.googleusercontent.com",  # Google profile and Blogger photos
        "cdninstagram.com",  # Instagram
        "fbcdn.net",  # Facebook
        "media.licdn.com",  # LinkedIn
    }
)
# Hosts whose every subdomain is a different person's site (so jane.github.io's page does
# not make joe.github.io "its own site").
_SHARED = """
    github.io gitlab.io blogspot.com wordpress.com tumblr.com substack.com neocities.org
    netlify.app vercel.app pages.dev herokuapp.com carrd.co notion.site medium.com wixsite.com
"""
SHARED_SUFFIXES = frozenset(_SHARED.split())
# Second-level labels under a country code that are not a site's own ("example.co.uk").
SECOND_LEVELS = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gob"})
OFF_SITE = "not on the page's own site nor a known photo host (it may be a tracker)"
ImageUrl = NewType("ImageUrl", str)  # a photo's address as page markup names it (page_images)

_MAKE = ExifTags.Base.Make
_MODEL = ExifTags.Base.Model
_TAKEN = ExifTags.Base.DateTimeOriginal
_OFFSET = ExifTags.Base.OffsetTimeOriginal
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXIF_TIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_UTC_OFFSET = re.compile(r"[+-](\d{2}):(\d{2})")

STRIP_METADATA = RemovalStep(
    action="Remove the photo, or upload a copy without its metadata",
    how=(
        "Delete it, or replace it with a copy whose EXIF data (location, time, camera) is "
        "removed: many photo apps offer this when sharing or exporting, and a screenshot "
        "carries none. Copies someone already saved keep the original data."
    ),
)
CAMERA_LOCATION_OFF = RemovalStep(
    action="Turn off location tagging in your phone's camera",
    how=(
        "On an iPhone: Settings > Privacy & Security > Location Services > Camera > Never. "
        "On Android: open the Camera app's settings and turn off 'Save location' "
        "('Location tags' on Samsung phones)."
    ),
)


@dataclass(frozen=True)
class PhotoFacts:
    """What an image's metadata says. Empty fields: the image does not say."""

    format: str  # Pillow's name for it: "JPEG", "MPO", "PNG", "WEBP", "TIFF"
    width: int
    height: int
    gps: tuple[float, float] | None = None  # (latitude, longitude), decimal degrees
    altitude: float | None = None  # metres above sea level (negative: below)
    taken: str | None = None  # camera clock, ISO 8601: "2024-05-03T14:22:10[+02:00]"
    make: str = ""
    model: str = ""
    problem: str = ""  # metadata was there but unusable: "GPS latitude reference 'X' …"

    @property
    def camera(self) -> str:
        """ "Make Model", without repeating the make when the model already starts with it."""
        if self.make and self.model.casefold().startswith(self.make.casefold()):
            return self.model
        return " ".join(part for part in (self.make, self.model) if part)


def read_photo(data: bytes) -> PhotoFacts | None:
    """The metadata of an image, or None when the bytes are not a readable image."""
    facts = inspect_photo(data)
    return facts if isinstance(facts, PhotoFacts) else None


def inspect_photo(data: bytes) -> PhotoFacts | str:
    """The metadata of an image, or why the bytes could not be read as one."""
    if not data:
        return "empty file"
    try:
        # Pillow warns about corrupt EXIF and about large images (no pixels are decoded here).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=READABLE_FORMATS) as image:
                kind = image.format or "unknown"
                width, height = image.size
                try:
                    return _facts(kind, width, height, _exif(image, data))
                except Exception as exc:  # hostile EXIF: Pillow's parser raises many kinds
                    problem = f"its EXIF data could not be read ({type(exc).__name__})"
                    return PhotoFacts(kind, width, height, problem=problem)
    except Image.DecompressionBombError:
        return "its dimensions are too large to be a photo (a decompression bomb?)"
    except UnidentifiedImageError:
        return "not a JPEG, PNG, WebP or TIFF image"
    except Exception as exc:  # hostile bytes: a truncated header, a bad marker, a bad IFD
        return f"the image is damaged ({type(exc).__name__})"


def _exif(image: Image.Image, data: bytes) -> Image.Exif:
    if image.format != "PNG":
        return image.getexif()  # JPEG, WebP: the metadata block; TIFF: its first IFD
    # PngImageFile.getexif decodes every pixel when no eXIf chunk came before the image
    # data; the base method only looks at what was read with the header.
    exif = Image.Image.getexif(image)
    if not len(exif) and (raw := _png_chunk(data, b"eXIf")) is not None:
        exif = Image.Exif()
        exif.load(raw)
    return exif


def _png_chunk(data: bytes, kind: bytes) -> bytes | None:
    """The data of the first chunk of this type in a PNG file (walking lengths only)."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        start = pos + 8
        end = start + length
        if end + 4 > len(data):
            return None
        chunk = data[pos + 4 : start]
        if chunk == kind:
            return data[start:end]
        if chunk == b"IEND":
            return None
        pos = end + 4  # past the CRC
    return None


def _facts(kind: str, width: int, height: int, exif: Image.Exif) -> PhotoFacts:
    if not len(exif):
        return PhotoFacts(kind, width, height)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps, problem = _position(gps_ifd)
    return PhotoFacts(
        kind,
        width,
        height,
        gps=gps,
        altitude=_altitude(gps_ifd) if gps else None,
        taken=_taken(details.get(_TAKEN), details.get(_OFFSET)),
        make=_text(exif.get(_MAKE)),
        model=_text(exif.get(_MODEL)),
        problem=problem,
    )


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    """An EXIF ASCII value as printable text ("" for anything that is not text)."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return ""
    text = printable(value.replace("\x00", " ").strip())
    return " ".join(text.split())[:limit]


def _number(value: Any) -> float | None:
    """A finite number from an EXIF rational or number (None for 0 denominators, NaN…)."""
    if isinstance(value, IFDRational):
        if value.denominator == 0:
            return None
        number = float(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def _coordinate(value: Any, ref: Any, refs: str, limit: float) -> float | str:
    """Degrees, minutes, seconds and a hemisphere letter -> signed decimal degrees, or
    what is wrong with them."""
    if value is None:
        return "is missing"
    parts = value if isinstance(value, tuple) else (value,)
    if not 1 <= len(parts) <= 3:
        return "is not degrees, minutes and seconds"
    numbers = [_number(part) for part in parts]
    if any(number is None for number in numbers):
        return "has a zero denominator or a value that is not a number"
    degrees, minutes, seconds = ([n for n in numbers if n is not None] + [0.0, 0.0])[:3]
    # 60 itself is let through: writers that round 59.9996 seconds up do write it
    if min(degrees, minutes, seconds) < 0 or minutes > 60 or seconds > 60:
        return "is out of range"
    total = degrees + minutes / 60 + seconds / 3600
    if total > limit:
        return "is out of range"
    letter = _text(ref, 8).upper()
    if not letter:
        return f"has no {refs[0]}/{refs[1]} reference"
    if letter not in (refs[0], refs[1]):
        return f"reference {letter!r} is not {refs[0]} or {refs[1]}"
    return -total if letter == refs[1] else total


def _position(gps: Mapping[int, Any]) -> tuple[tuple[float, float] | None, str]:
    """(latitude, longitude) from a GPS IFD, or None and why the tag was unusable."""
    lat_tag, lon_tag = ExifTags.GPS.GPSLatitude, ExifTags.GPS.GPSLongitude
    if lat_tag not in gps and lon_tag not in gps:
        return None, ""  # no GPS tag, or one with only a time or an altitude
    lat = _coordinate(gps.get(lat_tag), gps.get(ExifTags.GPS.GPSLatitudeRef), "NS", 90.0)
    lon = _coordinate(gps.get(lon_tag), gps.get(ExifTags.GPS.GPSLongitudeRef), "EW", 180.0)
    if isinstance(lat, str):
        return None, f"its GPS tag could not be read: the latitude {lat}"
    if isinstance(lon, str):
        return None, f"its GPS tag could not be read: the longitude {lon}"
    lat, lon = round(lat, 5) + 0.0, round(lon, 5) + 0.0  # + 0.0: no "-0.00000"
    if lat == 0 and lon == 0:
        return None, "its GPS tag says 0, 0 (the camera had no position)"
    return (lat, lon), ""


def _altitude(gps: Mapping[int, Any]) -> float | None:
    height = _number(gps.get(ExifTags.GPS.GPSAltitude))
    if height is None or not 0 <= height <= MAX_ALTITUDE:
        return None
    ref = gps.get(ExifTags.GPS.GPSAltitudeRef)
    below = ref in (1, b"\x01")
    return -height if below else height


def _taken(value: Any, offset: Any) -> str | None:
    """DateTimeOriginal ("2024:05:03 14:22:10") as ISO 8601, with OffsetTimeOriginal."""
    match = _EXIF_TIME.fullmatch(_text(value))
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(group) for group in match.groups())
        when = datetime(year, month, day, hour, minute, second)  # the camera clock: no zone
    except ValueError:  # "0000:00:00 00:00:00", a 31st of February
        return None
    if when.year < 1900:
        return None
    zone = _UTC_OFFSET.fullmatch(_text(offset))
    suffix = ""
    if zone is not None and int(zone[1]) <= 14 and int(zone[2]) < 60:
        suffix = zone[0]
    return when.isoformat() + suffix


def _shown(url: str) -> str:
    text = printable(url)
    return text if len(text) <= MAX_URL else text[: MAX_URL - 1] + "…"


def photo_observations(
    url: str,
    facts: PhotoFacts,
    *,
    page_url: str,
    profile: Profile,
    source_name: str,
    looked_up: tuple[LookedUp, ...] = (),  # what was looked up to find the page
    confidence: float,
) -> list[Observation]:
    """What one photo's metadata shows, as observations seen on `page_url`.

    `confidence` is the caller's: how sure it is that the page (and so the photo) is the
    subject's. `profile` is not used yet: nearness to the subject's places needs their
    coordinates, and a Location has none.
    """
    confidence = min(1.0, max(0.0, confidence))
    source = SourceRef(source_name, page_url or url, looked_up)
    shown = _shown(url)
    when = f", taken {facts.taken} (camera clock)" if facts.taken else ""
    out: list[Observation] = []
    if facts.gps is not None:
        lat, lon = (round(part, 5) + 0.0 for part in facts.gps)  # + 0.0: no "-0.00000"
        out.append(
            Observation(
                kind=Kind.LOCATION,
                value=f"{lat:.5f}, {lon:.5f}",
                source=source,
                evidence=f"EXIF GPS tag in the photo at {shown}{when}",
                confidence=confidence,
                reason="GPS position embedded in the photo: this photo shows where it was taken",
                removal=(STRIP_METADATA, CAMERA_LOCATION_OFF),
            )
        )
    if facts.taken:
        camera = f" (camera: {facts.camera})" if facts.camera else ""
        out.append(
            Observation(
                kind=Kind.OTHER,
                value=f"photo taken {facts.taken}{camera}",
                source=source,
                evidence=f"EXIF data in the photo at {shown}",
                confidence=confidence,
                reason="the photo still carries its camera data: when it was taken, and with what",
                removal=(STRIP_METADATA,),
            )
        )
    return out


def page_images(html: str, base: str, *, same_site: bool = False) -> list[ImageUrl]:
    """Absolute http(s) addresses of a page's photos, from its markup only: og:image and
    twitter:image first, then JSON-LD `image`, then <img src>, in page order; never a
    beacon (an <img> 1 or 2 pixels wide or high: a tracker's pixel), never an address the
    page only writes in its text. Each is on the page's own site (image_allowed) or a
    known photo host; `same_site`: only on the page's own host."""
    tree = LexborHTMLParser(html)
    raw = [
        str(node.attributes.get("content") or "")
        for node in tree.css('meta[property="og:image"], meta[name="twitter:image"]')
    ]
    raw += _json_ld_images(tree)
    raw += [str(n.attributes.get("src") or "") for n in tree.css("img[src]") if not _beacon(n)]
    host = _host(base)
    found: list[ImageUrl] = []
    for value in raw:
        url = ImageUrl(urljoin(base, value.strip()))
        if urlsplit(url).scheme not in ("http", "https") or url in found:
            continue
        if same_site and _host(url) != host:
            continue
        if image_allowed(url, base):
            found.append(url)
    return found


def _json_ld_images(tree: LexborHTMLParser) -> list[str]:
    """The `image` values of a page's JSON-LD (a URL, a list, an ImageObject's url or
    contentUrl), at any depth; at most MAX_LD_NODES JSON values looked at."""
    found: list[str] = []
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "null")
        except (ValueError, RecursionError):
            continue
        found += _images_in(data)
    return found


def _images_in(data: Any) -> list[str]:
    found: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, data)]  # (under an "image" key, value)
    seen = 0
    while stack and seen < MAX_LD_NODES:
        image, item = stack.pop()
        seen += 1
        if isinstance(item, str) and image:
            found.append(item)
        elif isinstance(item, list):
            stack.extend((image, value) for value in reversed(item))
        elif isinstance(item, dict):
            for key, value in reversed(list(item.items())):
                inner = key == "image" or (image and key in ("url", "contentUrl"))
                stack.append((inner, value))
    return found


def site_of(host: str) -> str:
    """The registrable part of a host name, without a public-suffix list: its last two
    labels, or three under a country's second level ("example.co.uk") or a shared host
    whose every subdomain is someone else's site (SHARED_SUFFIXES: "jdoe.github.io")."""
    name = host.lower().rstrip(".").removeprefix("www.")
    labels = name.split(".")
    if len(labels) <= 2 or name.replace(".", "").isdigit() or ":" in name:
        return name
    last_two = ".".join(labels[-2:])
    country_level = len(labels[-1]) == 2 and labels[-2] in SECOND_LEVELS
    if last_two in SHARED_SUFFIXES or country_level:
        return ".".join(labels[-3:])
    return last_two


def image_allowed(url: str, page_url: str) -> bool:
    """Whether a photo the page's markup names may be fetched: on the page's own site
    (site_of) or on a known photo host (PHOTO_HOSTS, or a subdomain of one). Any other host
    may be a tracker, which fetching would tell that the page was read."""
    host = _host(url)
    page_host = _host(page_url)
    if host and page_host and site_of(host) == site_of(page_host):
        return True
    labels = host.split(".")
    return any(".".join(labels[i:]) in PHOTO_HOSTS for i in range(len(labels) - 1))


def _beacon(node: LexborNode) -> bool:
    for size in (node.attributes.get("width"), node.attributes.get("height")):
        text = str(size or "").strip().removesuffix("px")
        if text.isdigit() and int(text) <= 2:
            return True
    return False


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".").removeprefix("www.")


def _absolute_http(url: str) -> bool:
    scheme, sep, rest = url.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https") and bool(rest.strip("/"))


async def photo_findings(
    http: Http,
    image_urls: Iterable[ImageUrl],
    *,
    page_url: str,
    profile: Profile,
    source_name: str,
    looked_up: tuple[LookedUp, ...] = (),  # what was looked up to find the page
    confidence: float,
    max_images: int = MAX_IMAGES,
    max_bytes: int = IMAGE_MAX_BYTES,
    resolve: Resolver | None = None,
) -> tuple[list[Observation], list[str]]:
    """Fetch up to `max_images` photos one after another, read their metadata.

    Returns the observations and notes for the run ("photo at … refused: …"). The URLs are
    those page_images read from the page's markup (ImageUrl: never one the page only writes
    in its text). Only absolute http(s) URLs on the page's own site or a known photo host
    (image_allowed) are fetched, each once; inline data: images are skipped. Nothing raises.
    `resolve` replaces pagefetch's choice of resolver (by default: the system's only where
    this computer connects to the photo's host itself; none through a proxy or a stand-in
    transport).
    """
    notes: list[str] = []
    wanted: list[str] = []
    inline = 0
    for raw in image_urls:
        url = raw.strip()
        if url[:5].lower() == "data:":
            inline += 1
        elif not _absolute_http(url):
            notes.append(f"photo {_shown(url)!r} skipped: not an absolute http(s) URL")
        elif not image_allowed(url, page_url):
            notes.append(f"photo at {_shown(url)} skipped: {OFF_SITE}")
        elif url not in wanted:
            wanted.append(url)
    if inline:
        notes.append(f"{inline} inline (data:) image(s) skipped")
    if len(wanted) > max_images:
        notes.append(f"{len(wanted) - max_images} more photo(s) not checked (limit {max_images})")
        wanted = wanted[: max(0, max_images)]
    observations: list[Observation] = []
    for url in wanted:
        shown = _shown(url)
        outcome = await fetch_image(http, url, max_bytes=max_bytes, resolve=resolve)
        if isinstance(outcome, Refusal):
            notes.append(f"photo at {shown} refused: {printable(outcome.reason)}")
            continue
        facts = inspect_photo(outcome.content)
        if isinstance(facts, str):
            if outcome.media_type in UNREADABLE_TYPES:
                facts = f"{outcome.media_type} photos cannot be read here; check it yourself"
            notes.append(f"photo at {shown} could not be read: {facts}")
            continue
        if facts.problem:
            notes.append(f"photo at {shown}: {facts.problem}")
        observations += photo_observations(
            url,
            facts,
            page_url=page_url,
            profile=profile,
            source_name=source_name,
            looked_up=looked_up,
            confidence=confidence,
        )
    return observations, notes
