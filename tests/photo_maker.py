"""Make small test images with EXIF metadata, deterministically (fictional data only).

    data = geotagged_jpeg()                     # the demo photo: a GPS tag and a camera time
    data = make_image(gps=(40.71234, -74.00567), taken="2024:05:03 14:22:10")
    data = make_image(gps_tags={1: "X", 2: dms(40.5), ...})   # any GPS tags, as written

Write the demo photo to a file (for a demo world):

    .venv/bin/python -m tests.photo_maker demo_world/photos/garden.jpg

The demo position is a public square in the centre of Springfield, Illinois (the sample
subject's city), not anyone's home. Images are 64x48 flat colour: no faces, no places.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

DEMO_POSITION = (39.80133, -89.64855)
DEMO_TAKEN = "2024:05:03 14:22:10"
DEMO_MAKE = "ExampleCam"
DEMO_MODEL = "ExampleCam EC-1"
SIZE = (64, 48)
COLOUR = (96, 128, 160)


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Unsigned decimal degrees as EXIF degrees, minutes, seconds (seconds to 1/1000)."""
    total = round(abs(value) * 3_600_000)  # in thousandths of a second of arc
    degrees, rest = divmod(total, 3_600_000)
    minutes, milliseconds = divmod(rest, 60_000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(milliseconds, 1000)


def gps_tags(lat: float, lon: float, altitude: float | None = None) -> dict[int, Any]:
    """The GPS IFD of a position: hemisphere letters and degrees, minutes, seconds."""
    tags: dict[int, Any] = {
        ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        ExifTags.GPS.GPSLatitude: dms(lat),
        ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        ExifTags.GPS.GPSLongitude: dms(lon),
    }
    if altitude is not None:
        tags[ExifTags.GPS.GPSAltitudeRef] = b"\x01" if altitude < 0 else b"\x00"
        tags[ExifTags.GPS.GPSAltitude] = IFDRational(round(abs(altitude) * 10), 10)
    return tags


def exif_block(
    *,
    gps: tuple[float, float] | None = None,
    altitude: float | None = None,
    gps_ifd: Mapping[int, Any] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    make: str | None = None,
    model: str | None = None,
) -> bytes:
    """EXIF bytes ("Exif\\0\\0" + TIFF) with the given tags; `gps_ifd` is written as given."""
    exif = Image.Exif()
    if make is not None:
        exif[ExifTags.Base.Make] = make
    if model is not None:
        exif[ExifTags.Base.Model] = model
    if taken is not None or offset is not None:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        if taken is not None:
            details[ExifTags.Base.DateTimeOriginal] = taken
        if offset is not None:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
    tags = dict(gps_ifd) if gps_ifd is not None else {}
    if gps is not None:
        tags.update(gps_tags(*gps, altitude=altitude))
    if tags:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(tags)
    return exif.tobytes()


def make_image(
    image_format: str = "JPEG",
    *,
    exif: bytes | None = None,
    **tags: Any,
) -> bytes:
    """A small flat-colour image; EXIF from `exif` (raw) or from exif_block(**tags)."""
    block = exif if exif is not None else (exif_block(**tags) if tags else b"")
    buffer = io.BytesIO()
    options: dict[str, Any] = {"exif": block} if block else {}
    Image.new("RGB", SIZE, COLOUR).save(buffer, image_format, **options)
    return buffer.getvalue()


def geotagged_jpeg(position: tuple[float, float] = DEMO_POSITION, taken: str = DEMO_TAKEN) -> bytes:
    """The demo photo: a GPS position, an altitude, a camera time and a camera."""
    return make_image(
        gps=position,
        altitude=182.0,
        taken=taken,
        offset="-05:00",
        make=DEMO_MAKE,
        model=DEMO_MODEL,
    )


def raw_gps_exif(entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """EXIF bytes whose GPS IFD holds exactly these (tag, TIFF type, count, data) entries.

    For what Pillow will not write: signed rationals, wrong types. Big-endian; values of
    more than 4 bytes go after the IFD.
    """
    gps_at = 8 + 2 + 12 + 4  # header, then IFD0 with one entry (the GPS pointer)
    data_at = gps_at + 2 + 12 * len(entries) + 4
    ifd0 = (1).to_bytes(2, "big") + _entry(ExifTags.IFD.GPSInfo, 4, 1, gps_at.to_bytes(4, "big"))
    gps = len(entries).to_bytes(2, "big")
    extra = b""
    for tag, kind, count, value in sorted(entries):
        if len(value) <= 4:
            gps += _entry(tag, kind, count, value.ljust(4, b"\x00"))
        else:
            gps += _entry(tag, kind, count, (data_at + len(extra)).to_bytes(4, "big"))
            extra += value
    return (
        b"Exif\x00\x00MM\x00*" + (8).to_bytes(4, "big") + ifd0 + b"\0" * 4 + gps + b"\0" * 4 + extra
    )


def _entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
    return tag.to_bytes(2, "big") + kind.to_bytes(2, "big") + count.to_bytes(4, "big") + value


def rationals(*pairs: tuple[int, int], signed: bool = False) -> bytes:
    """TIFF RATIONAL (or SRATIONAL) values, big-endian."""
    return b"".join(
        n.to_bytes(4, "big", signed=signed) + d.to_bytes(4, "big", signed=signed) for n, d in pairs
    )


def bomb_jpeg(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small JPEG whose header claims width x height pixels (nothing that big is sent)."""
    data = bytearray(make_image())
    for marker in (b"\xff\xc0", b"\xff\xc2"):  # baseline or progressive frame header
        at = data.find(marker)
        if at != -1:
            # marker, length (2), precision (1), then height (2) and width (2)
            data[at + 5 : at + 7] = height.to_bytes(2, "big")
            data[at + 7 : at + 9] = width.to_bytes(2, "big")
            return bytes(data)
    raise AssertionError("no frame header in the JPEG")


def png_exif_after_image(**tags: Any) -> bytes:
    """A PNG whose eXIf chunk comes after the image data (allowed, and rarer)."""
    data = make_image("PNG", **tags)
    chunks: list[bytes] = []
    exif_chunk = b""
    pos = 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk = data[pos : pos + 12 + length]
        if chunk[4:8] == b"eXIf":
            exif_chunk = chunk
        else:
            chunks.append(chunk)
        pos += 12 + length
    assert exif_chunk, "Pillow wrote no eXIf chunk"
    return data[:8] + b"".join(chunks[:-1]) + exif_chunk + chunks[-1]  # before IEND


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.photo_maker OUTPUT.jpg", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_bytes(geotagged_jpeg())
    print(f"wrote {path} (GPS {DEMO_POSITION[0]}, {DEMO_POSITION[1]}; taken {DEMO_TAKEN})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
