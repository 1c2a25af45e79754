"""The key under which a client address is rate limited.

An IPv4 address is one subscriber. An IPv6 subscriber usually gets a whole /64 (often a /56 or /48)
and picks addresses in it at will, so counting single IPv6 addresses would give each attacker 2^64
fresh keys: IPv6 is counted per /64.
"""

from __future__ import annotations

import ipaddress

MAX_KEY_LENGTH = 64


def rate_key_for_ip(ip: object) -> str:
    """ "203.0.113.7" as is, "2001:db8:1:2:aaaa::1" as "2001:db8:1:2::/64", an IPv4 address mapped into IPv6
    ("::ffff:203.0.113.7") as the IPv4 address; a zone ("fe80::1%eth0") is dropped. Anything that is not an
    address is returned stripped and bounded, so it still counts as one key."""
    if not isinstance(ip, str):
        return ""
    text = ip.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text[:MAX_KEY_LENGTH]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
