"""Money as people type and read it: text to integer minor units, currency codes, and amounts for people.

Amounts are always whole minor units (cents) in an int, with an ISO 4217 code beside them. Decimal is
used only to read what someone typed; no float is ever involved. Babel (CLDR) knows each currency's
symbol and how many decimals it has (JPY none, USD two, BHD three).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision, list_currencies

from portal_app.kernel.errors import FieldError

DEFAULT_CURRENCY = "USD"
# The largest amount the app takes, in minor units: 1,000,000,000,000 (ten billion dollars). A sale,
# a flat commission or a payout above it is a typo or an attack, never business.
MAX_AMOUNT = 10**12
MAX_AMOUNT_TEXT = 32
LOCALE = "en"

# 1234, 1234.5, 1,234.56: digits with optional thousands separators in groups of three.
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4})(?:\.(?P<fraction>[0-9]*))?")
_CODE = re.compile(r"[A-Z]{3}")
# Codes CLDR lists that are not money anyone is paid in: precious metals, test and "no currency" codes.
_NOT_MONEY = frozenset({"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XTS", "XUA", "XXX"})


@functools.cache
def currencies() -> frozenset[str]:
    """Every ISO 4217 code the app accepts (CLDR's list, without metals and test codes)."""
    return frozenset(code for code in list_currencies() if _CODE.fullmatch(code)) - _NOT_MONEY


def decimals(currency: str) -> int:
    """How many digits follow the decimal point in this currency (2 for USD, 0 for JPY, 3 for BHD)."""
    return get_currency_precision(currency)


def check_currency(value: object, field: str = "currency") -> str:
    """A currency code, upper-cased ("usd" -> "USD"); FieldError unless it is one the app knows."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if not _CODE.fullmatch(text) or text not in currencies():
        raise FieldError(field, "Enter a currency as its three-letter code, like USD, EUR or GBP.")
    return text


def parse_amount(text: object, field: str, currency: str = DEFAULT_CURRENCY) -> int:
    """What someone typed ("12.34", "1,200", "5") as minor units of `currency` (1234, 120000, 500).

    Refused with FieldError(field): anything but plain digits (no sign, exponent or other script's
    digits), zero, more decimals than the currency has, and amounts above MAX_AMOUNT.
    """
    code = check_currency(currency)
    places = decimals(code)
    example = "12" if places == 0 else "12." + "3456"[:places]
    cleaned = text.strip() if isinstance(text, str) else ""
    if cleaned.startswith("-"):
        raise FieldError(field, "Enter an amount above zero; negative amounts are not accepted.")
    match = _AMOUNT.fullmatch(cleaned) if 0 < len(cleaned) <= MAX_AMOUNT_TEXT else None
    if match is None:
        raise FieldError(field, f"Enter an amount in {code} with digits only, like {example}.")
    fraction = match["fraction"] or ""
    if len(fraction.rstrip("0")) > places:
        raise FieldError(field, _too_many_decimals(code, places))
    minor = int(Decimal(match["whole"].replace(",", "") + "." + (fraction or "0")).scaleb(places))
    if minor <= 0:
        raise FieldError(field, "Enter an amount above zero.")
    if minor > MAX_AMOUNT:
        raise FieldError(field, f"That amount is too large: at most {format_money(MAX_AMOUNT, code)}.")
    return minor


def _too_many_decimals(code: str, places: int) -> str:
    if places == 0:
        return f"{code} has no smaller unit: enter a whole amount."
    return f"{code} has {places} decimal place{'s' if places > 1 else ''}: enter at most {places} after the point."


def format_money(amount: int, currency: str) -> str:
    """An amount in minor units for people: format_money(1234, "USD") -> "$12.34", (-500, "EUR") -> "-€5.00",
    (1234, "JPY") -> "¥1,234"."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("amounts are whole minor units (int)")
    code = check_currency(currency)
    return format_currency(Decimal(amount).scaleb(-decimals(code)), code, locale=LOCALE)
