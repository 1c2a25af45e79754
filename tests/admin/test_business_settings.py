"""Business settings: validated as a whole, stored only when every field is right, audited with what changed."""

from __future__ import annotations

import json

import pytest

from portal_app.admin import audit, business_settings
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.support.admin import audit_entries

# Every app the portal knows: the product's three, and any app registered since.
APPS = ", ".join(business.app_choices())
OWNER = audit.Actor("owner@studio.example", None)
GOOD_FORM = {
    "name": "  Sunrise Yoga ",
    "logo_url": "https://cdn.example/logo.png",
    "brand_color": "#AA00ff",
    "support_email": "Help@Sunrise.example",
    "allow_duplicate_contacts": "on",
    "enabled_apps.courses": "on",
    "enabled_apps.affiliates": "on",
    "apps_for_everyone.courses": "on",
    "required_profile_fields.full_name": "on",
    "required_profile_fields.time_zone": "on",
    "default_landing_app": "courses",
    "time_zone": " Europe/London ",
}


def stored() -> dict:
    with db.read_session() as session:
        return business.settings_of(session.get(Business, BUSINESS_ID))


def test_the_form_becomes_settings(database, frozen_clock):
    changed = business_settings.change_settings(OWNER, business_settings.settings_from_form(GOOD_FORM))
    assert stored() == {
        "name": "Sunrise Yoga",
        "logo_url": "https://cdn.example/logo.png",
        "brand_color": "#aa00ff",
        "support_email": "help@sunrise.example",
        "allow_duplicate_contacts": True,
        "magic_links_enabled": False,
        "enabled_apps": ["courses", "affiliates"],
        "apps_for_everyone": ["courses"],
        "required_profile_fields": ["full_name", "time_zone"],
        "default_landing_app": "courses",
        "time_zone": "Europe/London",
    }
    assert set(changed) == set(business.SETTING_KEYS)
    [entry] = audit_entries()
    assert (entry.actor, entry.action, entry.target, entry.at) == (
        OWNER.label,
        "settings_changed",
        "business",
        frozen_clock.current,
    )
    detail = json.loads(entry.detail)
    assert detail["name"] == {"from": "Test Business", "to": "Sunrise Yoga"}
    assert detail["enabled_apps"]["to"] == ["courses", "affiliates"]


def test_saving_the_same_values_records_nothing(database, frozen_clock):
    values = business_settings.current_settings()
    assert business_settings.change_settings(OWNER, values) == {}
    assert audit_entries() == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("name", "   ", "Enter the business name."),
        ("name", "x" * 201, "Use at most 200 characters for the name."),
        ("name", "Evil\u202eCorp", "The name contains invisible control characters. Please type it again."),
        ("name", None, "Enter the business name."),
        ("logo_url", "javascript:alert(1)", None),
        ("logo_url", "data:image/png;base64,AAAA", None),
        ("logo_url", "//evil.example/logo.png", None),
        ("logo_url", "https://exa mple.com/logo.png", None),
        ("logo_url", "ftp://example.com/logo.png", None),
        ("logo_url", "https://" + "a" * 500, "Use at most 500 characters for the address."),
        ("brand_color", "red", "Enter a colour as # and six hexadecimal digits, like #3e63dd."),
        ("brand_color", "#12345", None),
        ("brand_color", "#1234567", None),
        ("brand_color", "#12345g", None),
        ("brand_color", "123456", None),
        ("support_email", "not an email", None),
        ("support_email", 42, None),
        ("allow_duplicate_contacts", "on", "Choose on or off."),
        ("magic_links_enabled", None, "Choose on or off."),
        ("enabled_apps", ["billing"], f"Unknown choice 'billing'. Choose from {APPS}."),
        ("enabled_apps", "courses", None),
        ("enabled_apps", [{"$ne": 1}], None),
        ("apps_for_everyone", ["x" * 1000], None),
        ("required_profile_fields", ["password_hash"], None),
        ("default_landing_app", "billing", f"Choose home or one of {APPS}."),
        ("default_landing_app", "communities", "Communities is not enabled: choose home or an enabled app."),
        ("time_zone", "Mars/Olympus", "Choose a time zone from the list, like Europe/London or America/New_York."),
        ("time_zone", "../../etc/passwd", "Choose a time zone from the list, like Europe/London or America/New_York."),
        ("time_zone", 3, "Choose a time zone from the list, like Europe/London or America/New_York."),
        ("nope", "x", "There is no setting called 'nope'."),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_is_stored(database, frozen_clock, key, value, message):
    business_settings.change_settings(OWNER, {"enabled_apps": ["courses"]})
    before = stored()
    with pytest.raises(FormErrors) as refused:
        business_settings.change_settings(OWNER, {"name": "Changed Name", key: value})
    assert list(refused.value.errors) == [key]
    if message is not None:
        assert refused.value.errors[key] == message
    text = refused.value.errors[key]
    assert text[0].isupper() and text.endswith(".") and len(text) < 200
    assert stored() == before
    assert len(audit_entries()) == 1


def test_every_bad_field_gets_its_own_message(database, frozen_clock):
    form = {**GOOD_FORM, "name": "", "brand_color": "blue", "support_email": "nope", "default_landing_app": "x"}
    with pytest.raises(FormErrors) as refused:
        business_settings.change_settings(OWNER, business_settings.settings_from_form(form))
    assert set(refused.value.errors) == {"name", "brand_color", "support_email", "default_landing_app"}


def test_accepted_logo_addresses(database, frozen_clock):
    for url in ("", "https://cdn.example/a/logo.svg?v=2", "http://localhost:3000/logo.png", "/logo.png"):
        business_settings.change_settings(OWNER, {"logo_url": url})
        assert stored()["logo_url"] == url


@pytest.mark.parametrize("form", [None, "name=x", [], {"name": ["x"]}, {"enabled_apps.courses": "yes please"}])
def test_odd_forms_are_read_as_text_or_unchecked(form):
    values = business_settings.settings_from_form(form)
    assert set(values) == set(business.SETTING_KEYS)
    assert values["enabled_apps"] == [] and values["allow_duplicate_contacts"] is False


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("allow_duplicate_contacts", "ON", True),
        ("magic_links_enabled", "off", False),
        ("magic_links_enabled", "maybe", "maybe"),
        ("enabled_apps", "courses, affiliates", ["courses", "affiliates"]),
        ("enabled_apps", "none", []),
        ("name", "Sunrise Yoga", "Sunrise Yoga"),
    ],
)
def test_command_line_text_is_parsed(key, text, value):
    assert business.parse_setting_text(key, text) == value


def test_set_allow_duplicate_contacts_still_works(database):
    business.set_allow_duplicate_contacts(True)
    assert business.get_business().allow_duplicate_contacts is True
