"""Turn untrusted form input into clean values, or a FieldError that says what to fix."""

from __future__ import annotations

import functools
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters

MAX_EMAIL_LENGTH = 320
MAX_NAME_LENGTH = 100
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_NEXT_PATH_LENGTH = 512
MAX_IP_LENGTH = 64
COMMON_PASSWORD_COUNT = 10_000

_CODE = re.compile(r"[0-9]{6}")


def _has_lone_surrogates(text: str) -> bool:
    return any(unicodedata.category(char) == "Cs" for char in text)


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT])


def normalize_email(raw: object) -> str:
    """The address as stored and compared: trimmed, normalised by email-validator, lower-cased."""
    if not isinstance(raw, str) or not raw.strip():
        raise FieldError("email", "Enter your email address.")
    text = raw.strip()
    if len(text) > MAX_EMAIL_LENGTH:
        raise FieldError("email", f"An email address can't be longer than {MAX_EMAIL_LENGTH} characters.")
    if has_invisible_characters(text):
        raise FieldError("email", "Enter a valid email address, like name@example.com.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise FieldError("email", str(error)) from None
    return result.normalized.lower()


def clean_full_name(raw: object) -> str:
    """A name to greet someone by: any script or emoji, but nothing that hides or reorders text."""
    if not isinstance(raw, str):
        raise FieldError("full_name", "Enter your full name.")
    text = raw.strip()
    if not text:
        raise FieldError("full_name", "Enter your full name.")
    if len(text) > MAX_NAME_LENGTH:
        raise FieldError("full_name", f"Use at most {MAX_NAME_LENGTH} characters for your name.")
    if has_invisible_characters(text):
        raise FieldError("full_name", "Your name contains invisible control characters. Please type it again.")
    return text


def check_new_password(password: object, email: str | None) -> None:
    """Refuse passwords that are easy to guess; length and blocklist only, no composition rules."""
    if not isinstance(password, str) or not password:
        raise FieldError("password", "Enter a password.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise FieldError("password", f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    if "\x00" in password or _has_lone_surrogates(password):
        raise FieldError("password", "Your password contains a character that can't be used. Please type it again.")
    lowered = password.lower()
    if lowered in _common_passwords():
        raise FieldError("password", "This password is too common. Choose something less predictable.")
    local_part = email.rsplit("@", 1)[0].lower() if email else ""
    if len(local_part) >= 3 and local_part in lowered:
        raise FieldError("password", "Your password must not contain your email address.")


def clean_code(raw: object) -> str:
    """The 6 digits of an emailed code, forgiving the spaces people paste along with it."""
    if isinstance(raw, str) and len(raw) <= 64:
        digits = "".join(raw.split())
        if _CODE.fullmatch(digits):
            return digits
    raise FieldError("code", "Enter the 6-digit code from the email.")


def safe_next_path(raw: object) -> str:
    """A redirect target on this site only (no open redirect); anything else becomes "/"."""
    if (
        not isinstance(raw, str)
        or len(raw) > MAX_NEXT_PATH_LENGTH
        or not raw.startswith("/")
        or raw.startswith("//")
        or "\\" in raw
        or has_invisible_characters(raw)
    ):
        return "/"
    return raw
