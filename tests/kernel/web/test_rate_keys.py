"""Client addresses as rate-limit keys: IPv4 per address, IPv6 per /64 (what one subscriber holds)."""

from __future__ import annotations

import pytest

from portal_app.kernel.web.rate_keys import rate_key_for_ip


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002:0000:0000:0000:0009", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("::1", "::/64"),
    ],
)
def test_each_address_maps_to_its_network(ip, key):
    assert rate_key_for_ip(ip) == key


def test_every_address_of_one_ipv6_subscriber_shares_one_key():
    """An attacker rotating through their /64 gets no fresh allowance."""
    keys = {rate_key_for_ip(f"2001:db8:aa:bb:{i:x}:{i * 7:x}::{i:x}") for i in range(1, 500)}
    assert keys == {"2001:db8:aa:bb::/64"}


def test_neighbouring_networks_and_ipv4_addresses_stay_apart():
    assert rate_key_for_ip("2001:db8:aa:bb::1") != rate_key_for_ip("2001:db8:aa:bc::1")
    assert rate_key_for_ip("203.0.113.7") != rate_key_for_ip("203.0.113.8")


@pytest.mark.parametrize("junk", ["", "unknown", "not an ip", "x" * 10_000, "1.2.3.4.5", "2001:db8::g"])
def test_anything_else_is_one_bounded_key(junk):
    key = rate_key_for_ip(junk)
    assert key == junk.strip()[:64] and len(key) <= 64


@pytest.mark.parametrize("junk", [None, 7, b"203.0.113.7", ["203.0.113.7"]])
def test_non_strings_are_the_empty_key(junk):
    assert rate_key_for_ip(junk) == ""
