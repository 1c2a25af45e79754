"""Turn the profile form's untrusted input into clean values, or a FieldError next to the field."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from portal_app.accounts.validation import clean_full_name
from portal_app.kernel.clock import time_zones
from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters
from portal_app.profile.choices import LANGUAGES, countries

MAX_PHONE_INPUT = 40
MAX_ADDRESS_LINE = 200
MAX_CITY = 100
MAX_POSTAL_CODE = 20
_POSTAL_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z \-]*")
CHECKED = "on"


def clean_text(field: str, raw: object, *, label: str, max_length: int) -> str:
    """Trimmed free text (any script or emoji) of at most max_length characters; "" when left empty."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise FieldError(field, f"Enter the {label} as text.")
    text = raw.strip()
    if len(text) > max_length:
        raise FieldError(field, f"Use at most {max_length} characters for the {label}.")
    if has_invisible_characters(text):
        raise FieldError(field, f"The {label} contains invisible control characters. Please type it again.")
    return text


def clean_name(raw: object) -> str:
    """The signup's name rule (kernel/text.py's rule for invisible characters included)."""
    return clean_full_name(raw)


def clean_country(raw: object) -> str:
    """An ISO 3166-1 alpha-2 code from the list the form offers, or ""."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, str) and len(raw) == 2 and raw.upper() in countries():
        return raw.upper()
    raise FieldError("country", "Choose a country from the list.")


def clean_phone(raw: object, *, region: str | None) -> str:
    """The number in E.164 ("+442079460958"), or "" when left empty.

    `region` (a country code) lets people type a national number ("020 7946 0958"); without one
    the number needs its country code.
    """
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise FieldError("phone", "Enter your phone number as text.")
    text = raw.strip()
    if not text:
        return ""
    if len(text) > MAX_PHONE_INPUT or has_invisible_characters(text):
        raise FieldError("phone", "Enter a phone number, like +44 20 7946 0958.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if region is None and not text.startswith(("+", "00")):
                raise FieldError(
                    "phone", "Start with your country code, like +44 20 7946 0958, or choose your country below."
                ) from None
            raise FieldError("phone", "That country code does not exist. Check the digits after the +.") from None
        raise FieldError("phone", "Enter a phone number, like +44 20 7946 0958.") from None
    if number.extension:
        raise FieldError("phone", "Leave out the extension: enter the number only.")
    if not phonenumbers.is_valid_number(number):
        where = countries().get(phonenumbers.region_code_for_country_code(number.country_code), "")
        suffix = f" for {where}" if where else ""
        raise FieldError("phone", f"This is not a valid phone number{suffix}. Check the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_time_zone(raw: object) -> str:
    """An IANA time zone name ("Europe/London"), or ""."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return ""
        if len(text) <= 64 and text in time_zones():
            return text
    raise FieldError("time_zone", "Choose a time zone from the list, like Europe/London.")


def clean_language(raw: object) -> str:
    """A BCP 47 tag from the languages the form offers, or ""."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, str) and raw in LANGUAGES:
        return raw
    raise FieldError("language", "Choose a language from the list.")


@dataclass(frozen=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.line1 or self.line2 or self.city or self.postal_code or self.country)

    @property
    def is_complete(self) -> bool:
        """Street, city and country: postal codes do not exist everywhere."""
        return bool(self.line1 and self.city and self.country)

    @property
    def country_name(self) -> str:
        return countries().get(self.country, "")


def clean_postal_code(raw: object) -> str:
    text = clean_text("postal_code", raw, label="postal code", max_length=MAX_POSTAL_CODE)
    if text and not _POSTAL_CODE.fullmatch(text):
        raise FieldError("postal_code", "Use only letters, digits, spaces and hyphens in the postal code.")
    return text.upper()


def check_address(address: Address) -> dict[str, str]:
    """An address is left empty or has at least its street, city and country: the errors that say what is missing."""
    if address.is_empty or address.is_complete:
        return {}
    errors = {}
    if not address.line1:
        errors["address_line1"] = "Enter the street and number too, or clear the address."
    if not address.city:
        errors["city"] = "Enter the city too, or clear the address."
    if not address.country:
        errors["country"] = "Choose the country too, or clear the address."
    return errors


def clean_notification_choice(field: str, raw: object) -> bool:
    """A checkbox: "on" when ticked, absent (None) or "" when not."""
    if raw is None or raw == "" or raw is False:
        return False
    if raw == CHECKED or raw is True:
        return True
    raise FieldError(field, "Tick or untick the box.")
