"""Money as people type and read it: minor units from text, currency codes, amounts shown with Babel."""

from __future__ import annotations

import pytest

from portal_app.apps.affiliates.money import MAX_AMOUNT, check_currency, currencies, format_money, parse_amount
from portal_app.kernel.errors import FieldError


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.34", "USD", 1234),
        ("12", "USD", 1200),
        ("12.3", "USD", 1230),
        ("12.", "USD", 1200),
        ("0.01", "USD", 1),
        ("  7.10 ", "USD", 710),
        ("1,234.56", "USD", 123456),
        ("12.340", "USD", 1234),
        ("1500", "JPY", 1500),
        ("1,500", "JPY", 1500),
        ("1.234", "BHD", 1234),
        ("10000000000", "USD", MAX_AMOUNT),
    ],
)
def test_amounts_people_type_become_minor_units(text, currency, minor):
    assert parse_amount(text, "amount", currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "says"),
    [
        ("-5", "USD", "negative"),
        ("-0.01", "USD", "negative"),
        ("0", "USD", "above zero"),
        ("0.00", "USD", "above zero"),
        ("12.345", "USD", "2 decimal places"),
        ("0.001", "USD", "2 decimal places"),
        ("1.5", "JPY", "no smaller unit"),
        ("1.2345", "BHD", "3 decimal places"),
        ("10000000000.01", "USD", "too large"),
        ("99999999999999999999", "USD", "digits only"),
        ("1e3", "USD", "digits only"),
        ("NaN", "USD", "digits only"),
        ("Infinity", "USD", "digits only"),
        ("+5", "USD", "digits only"),
        ("$5", "USD", "digits only"),
        ("5 USD", "USD", "digits only"),
        ("1,23", "USD", "digits only"),
        ("12,34", "USD", "digits only"),
        ("1.2.3", "USD", "digits only"),
        (".5", "USD", "digits only"),
        ("١٢", "USD", "digits only"),
        ("１２", "USD", "digits only"),
        ("", "USD", "digits only"),
        ("   ", "USD", "digits only"),
        ("1" * 40, "USD", "digits only"),
    ],
)
def test_refused_amounts_say_why(text, currency, says):
    with pytest.raises(FieldError) as refused:
        parse_amount(text, "flat_amount", currency)
    assert refused.value.field == "flat_amount"
    assert says in refused.value.message


@pytest.mark.parametrize("value", [12, 12.5, None, b"12", ["12"], True])
def test_only_text_is_an_amount_to_parse(value):
    with pytest.raises(FieldError):
        parse_amount(value, "amount")


def test_an_amount_in_an_unknown_currency_is_refused_on_the_currency():
    with pytest.raises(FieldError) as refused:
        parse_amount("12", "amount", "ZZZ")
    assert refused.value.field == "currency"


@pytest.mark.parametrize(("value", "code"), [("USD", "USD"), ("eur", "EUR"), (" gbp ", "GBP"), ("JPY", "JPY")])
def test_currency_codes_are_upper_cased(value, code):
    assert check_currency(value, "currency") == code


@pytest.mark.parametrize("value", ["", "US", "USDD", "ZZZ", "XAU", "XXX", "XTS", "U$D", "ＵＳＤ", None, 840])
def test_unknown_currencies_and_non_money_codes_are_refused(value):
    with pytest.raises(FieldError) as refused:
        check_currency(value, "payout_currency")
    assert refused.value.field == "payout_currency"
    assert "three-letter code" in refused.value.message


def test_the_currency_list_is_the_iso_codes():
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "BHD"} <= currencies()
    assert all(len(code) == 3 and code.isupper() for code in currencies())


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (1234, "USD", "$12.34"),
        (5, "USD", "$0.05"),
        (0, "USD", "$0.00"),
        (-500, "EUR", "-€5.00"),
        (123456789, "GBP", "£1,234,567.89"),
        (1234, "JPY", "¥1,234"),
        (1234, "BHD", "BHD1.234"),
        (MAX_AMOUNT, "USD", "$10,000,000,000.00"),
    ],
)
def test_amounts_are_shown_with_the_currency_symbol_and_decimals(amount, currency, text):
    assert format_money(amount, currency) == text


@pytest.mark.parametrize("amount", [12.34, "1234", None, True])
def test_only_whole_minor_units_are_formatted(amount):
    with pytest.raises(TypeError):
        format_money(amount, "USD")


def test_what_is_shown_parses_back():
    for minor in (1, 99, 100, 123456, MAX_AMOUNT):
        shown = format_money(minor, "USD").removeprefix("$")
        assert parse_amount(shown, "amount", "USD") == minor
