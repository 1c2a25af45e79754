"""What the profile form offers: languages, countries, time zones, and the fields a business may require."""

from __future__ import annotations

import functools
import unicodedata

import phonenumbers
from phonenumbers import geocoder

from portal_app.kernel.clock import time_zones

# The form's labels, also used to say which required details are missing.
FIELD_LABELS: dict[str, str] = {
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "time_zone": "Time zone",
    "language": "Preferred language",
}

# BCP 47 tag -> the language's own name, and its writing direction for the option's `dir`.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
    "ar": "العربية",
    "he": "עברית",
}
RIGHT_TO_LEFT = frozenset({"ar", "he"})

# Time zones most people pick, offered first; every IANA name is accepted.
COMMON_TIME_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Lisbon",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Africa/Cairo",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Jerusalem",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)

# Regions phonenumbers knows but has no English name for.
_NAMES_MISSING_FROM_PHONENUMBERS = {
    "AC": "Ascension Island",
    "BL": "Saint Barthélemy",
    "EH": "Western Sahara",
    "MF": "Saint Martin",
    "TA": "Tristan da Cunha",
    "XK": "Kosovo",
}


def _sort_key(name: str) -> str:
    """Sort "Åland Islands" with the A's."""
    return "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)).casefold()


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name, by name: every region phonenumbers can check numbers for."""
    names = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(example, "en") if example else ""
        names[region] = name or _NAMES_MISSING_FROM_PHONENUMBERS.get(region, region)
    return dict(sorted(names.items(), key=lambda item: _sort_key(item[1])))


@functools.cache
def time_zone_suggestions() -> tuple[str, ...]:
    """The common zones first, then every other one alphabetically (the list the field suggests from)."""
    known = time_zones()
    common = [zone for zone in COMMON_TIME_ZONES if zone in known]
    rest = sorted(zone for zone in known if zone not in set(common) and "/" in zone and not zone.startswith("Etc/"))
    return (*common, *rest)
