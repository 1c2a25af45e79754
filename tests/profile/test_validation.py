"""The profile form's field rules: phones in E.164 from many countries, time zones, languages, addresses, hostile input."""

import pytest

from portal_app.kernel.errors import FieldError
from portal_app.profile import choices
from portal_app.profile.validation import (
    Address,
    check_address,
    clean_country,
    clean_language,
    clean_name,
    clean_notification_choice,
    clean_phone,
    clean_postal_code,
    clean_text,
    clean_time_zone,
)

ONE_MB = 1024 * 1024
WRONG_TYPES = [123, 1.5, True, ["+442079460958"], {"$ne": ""}, b"+442079460958"]


def refused(check, *args, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as caught:
        check(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0044 20 7946 0958", "GB", "+442079460958"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+1 415-555-2671", "FR", "+14155552671"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("+33 1 23 45 67 89", None, "+33123456789"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("+55 11 91234-5678", None, "+5511912345678"),
        ("98765 43210", "IN", "+919876543210"),
        ("050-234-5678", "IL", "+972502345678"),
        ("+61 2 9876 5432", None, "+61298765432"),
        ("  +44 (0)20 7946 0958  ", None, "+442079460958"),
        ("+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨", None, "+442079460958"),
    ],
)
def test_phones_from_many_countries_are_stored_in_e164(typed, region, stored):
    assert clean_phone(typed, region=region) == stored


def test_an_empty_phone_is_no_phone():
    assert clean_phone("", region=None) == ""
    assert clean_phone("   ", region="GB") == ""
    assert clean_phone(None, region=None) == ""


@pytest.mark.parametrize(
    ("typed", "region", "message"),
    [
        ("020 7946 0958", None, "Start with your country code, like +44 20 7946 0958, or choose your country below."),
        ("12", None, "Start with your country code, like +44 20 7946 0958, or choose your country below."),
        ("+999 123 456", None, "That country code does not exist. Check the digits after the +."),
        ("+44 20 7946", None, "This is not a valid phone number for United Kingdom. Check the digits."),
        ("+1 555 0100", None, "This is not a valid phone number for United States. Check the digits."),
        ("(415) 555-267", "US", "This is not a valid phone number for United States. Check the digits."),
        ("call me maybe", "GB", "Enter a phone number, like +44 20 7946 0958."),
        ("+44 20 7946 0958 ext. 12", None, "Leave out the extension: enter the number only."),
        ("+44 20 7946 0958" + "9" * 30, None, "Enter a phone number, like +44 20 7946 0958."),
        ("+44 20\x00 7946 0958", None, "Enter a phone number, like +44 20 7946 0958."),
        ("+44 20 7946 0958\n", None, None),
        ("\u202e+44 20 7946 0958", None, "Enter a phone number, like +44 20 7946 0958."),
        ("+" + "1" * ONE_MB, None, "Enter a phone number, like +44 20 7946 0958."),
        ("📞", "GB", "Enter a phone number, like +44 20 7946 0958."),
    ],
)
def test_invalid_phones_say_what_is_wrong(typed, region, message):
    if message is None:  # a trailing newline is whitespace: trimmed like the rest
        assert clean_phone(typed, region=region) == "+442079460958"
        return
    error = refused(clean_phone, typed, region=region)
    assert (error.field, error.message) == ("phone", message)


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_a_phone_that_is_not_text_is_refused(value):
    assert refused(clean_phone, value, region="GB").field == "phone"


def test_country_codes_come_from_the_list():
    assert clean_country("GB") == "GB"
    assert clean_country("de") == "DE"
    assert clean_country("") == "" and clean_country(None) == ""
    for bad in ["ZZ", "GBR", "United Kingdom", "G", "x" * ONE_MB, "\x00B", *WRONG_TYPES]:
        assert refused(clean_country, bad).message == "Choose a country from the list."


def test_the_country_list_names_every_region_phonenumbers_checks():
    names = choices.countries()
    assert len(names) > 240
    assert names["GB"] == "United Kingdom" and names["XK"] == "Kosovo"
    assert all(name and name != code for code, name in names.items())
    ordered = list(names.values())
    assert ordered.index("Åland Islands") < ordered.index("Albania")


def test_time_zones_are_checked_against_every_iana_name():
    assert clean_time_zone("Europe/London") == "Europe/London"
    assert clean_time_zone(" America/Argentina/Buenos_Aires ") == "America/Argentina/Buenos_Aires"
    assert clean_time_zone("UTC") == "UTC"
    assert clean_time_zone("") == "" and clean_time_zone(None) == ""
    for bad in [
        "Europe/Londn",
        "europe/london",
        "GMT+25",
        "../../etc/passwd",
        "Europe/London\x00",
        "x" * ONE_MB,
        *WRONG_TYPES,
    ]:
        error = refused(clean_time_zone, bad)
        assert (error.field, error.message) == ("time_zone", "Choose a time zone from the list, like Europe/London.")


def test_every_suggested_time_zone_is_accepted_and_the_common_ones_come_first():
    suggestions = choices.time_zone_suggestions()
    assert suggestions[0] == "UTC" and "Europe/London" in suggestions[:5]
    assert len(set(suggestions)) == len(suggestions)
    assert all(clean_time_zone(zone) == zone for zone in suggestions)


def test_languages_are_bcp47_tags_from_the_short_list():
    for tag in ["en", "es", "fr", "de", "pt", "it", "nl", "ar", "he"]:
        assert clean_language(tag) == tag
    assert clean_language("") == "" and clean_language(None) == ""
    for bad in ["EN", "en-GB", "English", "xx", "x" * ONE_MB, *WRONG_TYPES]:
        assert refused(clean_language, bad).message == "Choose a language from the list."


@pytest.mark.parametrize(
    "text",
    ["221B Baker Street", "Straße des 17. Juni 135", "شارع الملك فهد", "רחוב הרצל 1", "東京都千代田区", "Casa 🏠 Azul"],
)
def test_address_lines_take_any_script_and_emoji(text):
    assert clean_text("address_line1", f"  {text} ", label="street address", max_length=200) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 201, "Use at most 200 characters for the street address."),
        ("x" * ONE_MB, "Use at most 200 characters for the street address."),
        ("1 Main\x00 Street", "The street address contains invisible control characters. Please type it again."),
        ("1 Main\x1b[31m Street", "The street address contains invisible control characters. Please type it again."),
        ("1 Main\u202e Street", "The street address contains invisible control characters. Please type it again."),
        ("1 Main\u2028Street", "The street address contains invisible control characters. Please type it again."),
        ("\ud800", "The street address contains invisible control characters. Please type it again."),
        (42, "Enter the street address as text."),
        (["1 Main Street"], "Enter the street address as text."),
    ],
)
def test_address_lines_refuse_what_cannot_be_an_address(value, message):
    error = refused(clean_text, "address_line1", value, label="street address", max_length=200)
    assert (error.field, error.message) == ("address_line1", message)


def test_postal_codes():
    assert clean_postal_code(" sw1a 1aa ") == "SW1A 1AA"
    assert clean_postal_code("10115") == "10115"
    assert clean_postal_code("") == ""
    assert (
        refused(clean_postal_code, "SW1A/1AA").message
        == "Use only letters, digits, spaces and hyphens in the postal code."
    )
    assert refused(clean_postal_code, "1" * 21).message == "Use at most 20 characters for the postal code."


def test_an_address_is_empty_or_has_street_city_and_country():
    assert check_address(Address()) == {}
    assert check_address(Address(line1="1 Main St", city="Springfield", country="US")) == {}
    assert Address(line1="1 Main St", city="Springfield", country="US").is_complete
    assert Address(line1="1 Main St", city="Springfield", country="US").country_name == "United States"
    assert check_address(Address(postal_code="12345")) == {
        "address_line1": "Enter the street and number too, or clear the address.",
        "city": "Enter the city too, or clear the address.",
        "country": "Choose the country too, or clear the address.",
    }
    assert set(check_address(Address(line1="1 Main St", country="US"))) == {"city"}


def test_notification_checkboxes():
    assert clean_notification_choice("email_notifications", "on") is True
    assert clean_notification_choice("email_notifications", None) is False
    assert clean_notification_choice("email_notifications", "") is False
    for bad in ["yes", "off", 1, 0, [], {}, "on" * ONE_MB]:
        error = refused(clean_notification_choice, "email_notifications", bad)
        assert (error.field, error.message) == ("email_notifications", "Tick or untick the box.")


@pytest.mark.parametrize("name", ["Ada\u2028Lovelace", "Ada\u2029Lovelace", "Ada\x00", "\u202eAda", "A" * 101, "", 42])
def test_names_keep_to_one_visible_line(name):
    assert refused(clean_name, name).field == "full_name"


def test_names_in_any_script():
    assert clean_name("  محمد 🚀 עדה  ") == "محمد 🚀 עדה"
