"""The one rule for text people type: no character they cannot see, or that changes how the text around it shows.

Refused: control characters (Cc; a newline only where the field is multi-line), format characters
(Cf) other than the zero-width non-joiner and joiner that Persian, Indic scripts and emoji sequences
need (so every bidi embedding, override and isolate, and the zero-width space, are refused), lone
surrogates (Cs) and line and paragraph separators (Zl, Zp). Every field of every feature and app
uses it; passwords are the exception (any character is accepted there, see accounts/validation.py).
"""

from __future__ import annotations

import unicodedata

# Needed by scripts and emoji: zero-width non-joiner, zero-width joiner.
_NEEDED_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def is_invisible(char: str, *, allow_newlines: bool = False) -> bool:
    """Whether one character falls under the rule above."""
    if char == "\n" and allow_newlines:
        return False
    return unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _NEEDED_FORMAT_CHARACTERS


def has_invisible_characters(text: str, *, allow_newlines: bool = False) -> bool:
    """Whether any character of the text falls under the rule above."""
    return any(is_invisible(char, allow_newlines=allow_newlines) for char in text)


_ON_OFF = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


def on_off(text: str) -> object:
    """A yes/no typed on the command line (on/off, true/false, yes/no, 1/0) as a bool; other text as it was,
    for the setting's own check to refuse with its message."""
    return _ON_OFF.get(text.strip().lower(), text)
