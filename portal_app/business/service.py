"""Reading and creating the business row that every page and email shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlmodel import Session

from portal_app.accounts.validation import normalize_email
from portal_app.apps import registry
from portal_app.business.models import BUSINESS_ID, DEFAULT_REQUIRED_PROFILE_FIELDS, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.text import has_invisible_characters, on_off

DEFAULT_NAME = "Client Portal"


@dataclass(frozen=True)
class BusinessView:
    name: str
    allow_duplicate_contacts: bool = False
    magic_links_enabled: bool = True
    support_email: str = ""
    logo_url: str = ""
    brand_color: str = "#3e63dd"
    # Without a business row: the apps that declare themselves on by default.
    enabled_apps: tuple[str, ...] = field(default_factory=lambda: tuple(registry.default_enabled_keys()))
    apps_for_everyone: tuple[str, ...] = ()
    required_profile_fields: tuple[str, ...] = tuple(DEFAULT_REQUIRED_PROFILE_FIELDS)
    default_landing_app: str = "home"
    time_zone: str = "UTC"


def view_of(row: Business | None) -> BusinessView:
    """The settings of a business row as every page and service reads them (defaults without a row)."""
    if row is None:
        return BusinessView(name=DEFAULT_NAME)
    return BusinessView(
        name=row.name,
        allow_duplicate_contacts=row.allow_duplicate_contacts,
        magic_links_enabled=row.magic_links_enabled,
        support_email=row.support_email,
        logo_url=row.logo_url,
        brand_color=row.brand_color,
        enabled_apps=tuple(row.enabled_apps or ()),
        apps_for_everyone=tuple(row.apps_for_everyone or ()),
        required_profile_fields=tuple(row.required_profile_fields or ()),
        default_landing_app=row.default_landing_app,
        time_zone=row.time_zone,
    )


def get_business() -> BusinessView:
    """The business settings every page and service reads (defaults when the row does not exist yet)."""
    with db.read_session() as session:
        return view_of(session.get(Business, BUSINESS_ID))


def ensure_business(name: str) -> bool:
    """Create the business row with default settings if there is none; True when it was created."""
    with db.write_session() as session:
        if session.get(Business, BUSINESS_ID) is not None:
            return False
        session.add(Business(id=BUSINESS_ID, name=name, enabled_apps=registry.default_enabled_keys()))
        return True


def set_allow_duplicate_contacts(allowed: bool) -> None:
    """Switch duplicates on or off directly (test set-up); people change settings through the audited paths."""
    with db.write_session() as session:
        update_settings(session, {"allow_duplicate_contacts": allowed})


# --- Changing the settings (the admin page and `portal settings`) ---------------------------------

PROFILE_FIELDS: dict[str, str] = {
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "time_zone": "Time zone",
    "language": "Language",
}
HOME = "home"
MAX_NAME_LENGTH = 200
MAX_LOGO_URL_LENGTH = 500
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

# Every setting the owner may change, in the order pages and the command line show them.
SETTING_KEYS = (
    "name",
    "logo_url",
    "brand_color",
    "support_email",
    "allow_duplicate_contacts",
    "magic_links_enabled",
    "enabled_apps",
    "apps_for_everyone",
    "required_profile_fields",
    "default_landing_app",
    "time_zone",
)


def _clean_name(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise FieldError("name", "Enter the business name.")
    if len(text) > MAX_NAME_LENGTH:
        raise FieldError("name", f"Use at most {MAX_NAME_LENGTH} characters for the name.")
    if has_invisible_characters(text):
        raise FieldError("name", "The name contains invisible control characters. Please type it again.")
    return text


def _clean_logo_url(raw: object) -> str:
    """Empty, an https:// (or http://) address, or a path on this site: never javascript: or data:."""
    if not isinstance(raw, str):
        raise FieldError("logo_url", "Enter a web address, or leave the field empty.")
    text = raw.strip()
    if not text:
        return ""
    problem = "Enter a web address that starts with https://, or a path on this site like /logo.png."
    if len(text) > MAX_LOGO_URL_LENGTH:
        raise FieldError("logo_url", f"Use at most {MAX_LOGO_URL_LENGTH} characters for the address.")
    if not _URL_CHARACTERS.fullmatch(text):
        raise FieldError("logo_url", problem)
    parts = urlsplit(text)
    is_web = parts.scheme in ("https", "http") and bool(parts.netloc)
    is_local_path = not parts.scheme and not parts.netloc and text.startswith("/") and not text.startswith("//")
    if not (is_web or is_local_path):
        raise FieldError("logo_url", problem)
    return text


def _clean_colour(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not _COLOUR.fullmatch(text):
        raise FieldError("brand_color", "Enter a colour as # and six hexadecimal digits, like #3e63dd.")
    return text.lower()


def _clean_support_email(raw: object) -> str:
    if isinstance(raw, str) and not raw.strip():
        return ""
    try:
        return normalize_email(raw)
    except FieldError:
        raise FieldError(
            "support_email", "Enter a valid email address, like help@example.com, or leave the field empty."
        ) from None


def _clean_flag(key: str):
    def clean(raw: object) -> bool:
        if not isinstance(raw, bool):
            raise FieldError(key, "Choose on or off.")
        return raw

    return clean


def _clean_choices(key: str, choices_of: Callable[[], dict[str, str]]):
    """A list of keys out of `choices_of()`, in its order, each once."""

    def clean(raw: object) -> list[str]:
        choices = choices_of()
        if not isinstance(raw, (list, tuple)):
            raise FieldError(key, f"Choose from {', '.join(choices)}.")
        for item in raw:
            if not isinstance(item, str) or item not in choices:
                shown = repr(item[:40]) if isinstance(item, str) else "that"
                raise FieldError(key, f"Unknown choice {shown}. Choose from {', '.join(choices)}.")
        return [choice for choice in choices if choice in raw]

    return clean


def app_choices() -> dict[str, str]:
    """key -> title of every app the portal knows (read when needed: apps register at start-up)."""
    return registry.app_choices()


def _clean_landing_app(raw: object) -> str:
    choices = app_choices()
    if not isinstance(raw, str) or (raw != HOME and raw not in choices):
        raise FieldError("default_landing_app", f"Choose {HOME} or one of {', '.join(choices)}.")
    return raw


def _clean_time_zone(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if text not in clock.time_zones():
        raise FieldError("time_zone", "Choose a time zone from the list, like Europe/London or America/New_York.")
    return text


_CLEANERS = {
    "name": _clean_name,
    "logo_url": _clean_logo_url,
    "brand_color": _clean_colour,
    "support_email": _clean_support_email,
    "allow_duplicate_contacts": _clean_flag("allow_duplicate_contacts"),
    "magic_links_enabled": _clean_flag("magic_links_enabled"),
    "enabled_apps": _clean_choices("enabled_apps", app_choices),
    "apps_for_everyone": _clean_choices("apps_for_everyone", app_choices),
    "required_profile_fields": _clean_choices("required_profile_fields", lambda: PROFILE_FIELDS),
    "default_landing_app": _clean_landing_app,
    "time_zone": _clean_time_zone,
}


def settings_of(business: Business) -> dict[str, object]:
    """Every changeable setting of the business row, by key."""
    return {key: getattr(business, key) for key in SETTING_KEYS}


def _check_together(values: dict[str, object]) -> dict[str, str]:
    landing = values["default_landing_app"]
    if landing != HOME and landing not in values["enabled_apps"]:
        title = app_choices().get(landing, landing)
        return {"default_landing_app": f"{title} is not enabled: choose home or an enabled app."}
    return {}


def update_settings(session: Session, changes: dict[str, object]) -> dict[str, tuple[object, object]]:
    """Validate and apply some settings inside the caller's transaction; returns {key: (old, new)} of what changed.

    Raises FormErrors with a message per refused setting (and changes nothing), or LookupError
    when the business row does not exist.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    for key, raw in changes.items():
        cleaner = _CLEANERS.get(key)
        if cleaner is None:
            errors[key] = f"There is no setting called {key[:40]!r}."
            continue
        try:
            cleaned[key] = cleaner(raw)
        except FieldError as error:
            errors[key] = error.message
    if errors:
        raise FormErrors(errors)
    business = session.get(Business, BUSINESS_ID)
    if business is None:
        raise LookupError("no business row: run the portal once or seed the demo first")
    before = settings_of(business)
    errors = _check_together({**before, **cleaned})
    if errors:
        raise FormErrors(errors)
    changed = {key: (before[key], value) for key, value in cleaned.items() if before[key] != value}
    for key, (_, value) in changed.items():
        setattr(business, key, value)
    session.add(business)
    return changed


def parse_setting_text(key: str, text: str) -> object:
    """A setting typed on the command line, as update_settings takes it: on/off, comma lists, text."""
    if key in ("allow_duplicate_contacts", "magic_links_enabled"):
        return on_off(text)
    if key in ("enabled_apps", "apps_for_everyone", "required_profile_fields"):
        if text.strip().lower() in ("", "none"):
            return []
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


def format_setting(value: object) -> str:
    """A setting as the command line shows it (and parse_setting_text reads it back)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ",".join(value) if value else "none"
    return str(value) if value != "" else '""'
