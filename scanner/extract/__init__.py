"""Extraction of personal details from text and HTML.

    extract_text(text, region="US", subject_names=()) -> list[Extracted]
    extract_html(html, region="US", subject_names=()) -> list[Extracted]  # offsets refer
                                                                           # to html_to_text
    html_to_text(html) -> str

Kinds: emails, phones, URLs and @handles; street addresses (addresses: addresses_us,
addresses_labelled) and city/state/postcode locations (places); dates of birth and ages
(personal), employers and schools (work); real names where a cue makes them reliable
(names, with name_words, name_blocks) and relatives (relatives). Each kind has its own
module, with the shared false-positive predicates in filters and the cue helpers in base.
Cues come from how people write and from common page labels and profile field names,
never from the phrasing of a labelled data set. `subject_names` are the subject's own
names, never reported as relatives. Every regex is linear-time: input is hostile.
"""

from scanner.extract.base import Extracted
from scanner.extract.extractor import extract_html, extract_text
from scanner.extract.html import html_to_text

__all__ = ["Extracted", "extract_html", "extract_text", "html_to_text"]
