"""Tokens are 256 random bits and stored hashed; codes are 6 digits and stored as keyed HMACs."""

import re

from portal_app.kernel import tokens


def test_tokens_are_long_random_and_url_safe():
    made = {tokens.new_token() for _ in range(100)}
    assert len(made) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in made)


def test_token_hash_is_sha256_hex():
    assert re.fullmatch(r"[0-9a-f]{64}", tokens.hash_token("x"))
    assert tokens.hash_presented_token("x") == tokens.hash_token("x")


def test_presented_tokens_that_cannot_be_ours_have_no_hash():
    for raw in [None, "", 42, ["x"], "x" * 129, "tok\ud800en", "tökén"]:
        assert tokens.hash_presented_token(raw) is None


def test_codes_are_six_digits():
    assert all(re.fullmatch(r"[0-9]{6}", tokens.new_code()) for _ in range(200))


def test_code_hmac_binds_purpose_email_and_secret(settings_env):
    reference = tokens.code_hmac("signup", "ada@example.com", "123456")
    assert re.fullmatch(r"[0-9a-f]{64}", reference)
    assert reference != tokens.code_hmac("login", "ada@example.com", "123456")
    assert reference != tokens.code_hmac("signup", "bob@example.com", "123456")
    assert reference != tokens.code_hmac("signup", "ada@example.com", "123457")
    # The separator cannot be forged by moving characters between fields.
    assert tokens.code_hmac("a", "b,c", "1") != tokens.code_hmac("a,b", "c", "1")
    settings_env(PORTAL_SECRET_KEY="another-secret")
    assert reference != tokens.code_hmac("signup", "ada@example.com", "123456")
