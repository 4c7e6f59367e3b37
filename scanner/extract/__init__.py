"""Extraction of personal details (emails, phones, URLs, @handles) from text and HTML.

    extract_text(text, region="US") -> list[Extracted]
    extract_html(html, region="US") -> list[Extracted]   # offsets refer to html_to_text(html)
    html_to_text(html) -> str

Each kind has its own module (emails, phones, urls, html), with the false-positive
predicates in filters. Every regex is linear-time: input is hostile.
"""

from scanner.extract.base import Extracted
from scanner.extract.extractor import extract_html, extract_text
from scanner.extract.html import html_to_text

__all__ = ["Extracted", "extract_html", "extract_text", "html_to_text"]
