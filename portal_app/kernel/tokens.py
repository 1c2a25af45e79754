"""Random secrets (session tokens, tickets, codes) and the only forms in which they are stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from portal_app.kernel.settings import get_settings

MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """256 random bits, URL-safe: for cookies and tickets."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token: enough to find it, useless to whoever reads the table."""
    return hashlib.sha256(token.encode()).hexdigest()


def presented_token(raw: object) -> str | None:
    """A token a browser sent back (cookie, ticket, link), or None when it cannot be one of ours.

    The one guard for every place a token arrives: a string of 1-128 ASCII characters.
    """
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_TOKEN_LENGTH or not raw.isascii():
        return None
    return raw


def hash_presented_token(raw: object) -> str | None:
    """The hash to look up a token a browser sent back, or None when it cannot be one of ours."""
    token = presented_token(raw)
    return hash_token(token) if token is not None else None


def new_code() -> str:
    """A 6-digit code for an email, uniformly random."""
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hmac(purpose: str, email: str, code: str) -> str:
    """What the database keeps of a code: keyed by the server secret, bound to its purpose and email."""
    message = json.dumps([purpose, email, code], ensure_ascii=True).encode()
    return hmac.new(get_settings().secret_key, message, hashlib.sha256).hexdigest()
