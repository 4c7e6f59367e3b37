"""Extraction of personal details from text and HTML.

    extract_text(text, region="US", subject_names=()) -> list[Extracted]
    extract_html(html, region="US", subject_names=()) -> list[Extracted]  # offsets refer
                                                                           # to html_to_text
    html_to_text(html) -> str

Kinds: emails, phones, URLs and @handles; street addresses and city/state/postcode
locations (addresses); dates of birth, ages, employers and schools (personal); relatives
and real names where a cue makes them reliable (names). Each kind has its own module, with
the shared false-positive predicates in filters. `subject_names` are the subject's own
names, never reported as relatives. Every regex is linear-time: input is hostile.
"""

from scanner.extract.base import Extracted
from scanner.extract.extractor import extract_html, extract_text
from scanner.extract.html import html_to_text

__all__ = ["Extracted", "extract_html", "extract_text", "html_to_text"]
