"""Checks every app's forms share: an address (slug), a one-line name or title, and text people write.

Each returns the clean value or raises FieldError(field, sentence) for the message beside the field.
An app keeps its own limits and words; these keep the rules the same everywhere: no invisible
control characters, whitespace trimmed, lengths counted after trimming.
"""

from __future__ import annotations

import re
import unicodedata

from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters

SLUG_MAX = 80
_SLUG = re.compile(r"[a-z0-9-]{1,%d}" % SLUG_MAX)


def is_slug(value: object) -> bool:
    """Whether a value is an address segment: 1-80 characters of a-z, 0-9 and '-'."""
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def slug(value: object, field: str) -> str:
    if not is_slug(value):
        raise FieldError(field, f"Use 1-{SLUG_MAX} lower-case letters, digits or hyphens.")
    return value


def one_line(value: object, field: str, *, max_length: int, missing: str, what: str = "text") -> str:
    """A required one-line text (a name, a title): `missing` when empty."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, missing)
    text = value.strip()
    if len(text) > max_length:
        raise FieldError(field, f"Keep the {what} to {max_length:,} characters or fewer.")
    if has_invisible_characters(text):
        raise FieldError(field, f"The {what} contains invisible control characters. Please type it again.")
    return text


def written(value: object, field: str, *, max_length: int, what: str, required: bool = False, missing: str = "") -> str:
    """Text someone wrote over several lines (a description, a post, a comment), tabs allowed."""
    if not isinstance(value, str) or (required and not value.strip()):
        raise FieldError(field, missing or f"Write the {what}.")
    text = value.strip()
    if len(text) > max_length:
        raise FieldError(field, f"Keep the {what} to {max_length:,} characters or fewer.")
    if has_invisible_characters(text.replace("\t", " "), allow_newlines=True):
        raise FieldError(field, f"The {what} contains invisible control characters. Please paste it again.")
    return text


def slug_from(text: object) -> str:
    """An address made from a name or title: "Bread & Butter 101" -> "bread-butter-101" (accents
    dropped); "" when nothing of it is a letter or digit."""
    ascii_text = unicodedata.normalize("NFKD", text if isinstance(text, str) else "").encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.decode("ascii").lower()).strip("-")[:SLUG_MAX].strip("-")
