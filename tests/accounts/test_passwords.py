"""argon2id hashing: parameters from settings, rehash detection, and equal work for unknown emails."""

from argon2 import extract_parameters

from portal_app.accounts import passwords


def test_hash_is_argon2id_with_the_configured_parameters(settings_env):
    stored = passwords.hash_password("plum-velvet-orbit-42")
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (1, 1024, 1)


def test_verify_accepts_the_password_and_nothing_else(settings_env):
    stored = passwords.hash_password("plum-velvet-orbit-42")
    assert passwords.verify_password(stored, "plum-velvet-orbit-42")
    assert not passwords.verify_password(stored, "plum-velvet-orbit-43")
    assert not passwords.verify_password(stored, "")
    assert not passwords.verify_password(stored, "\ud800 lone surrogate")


def test_a_malformed_hash_is_no_match(settings_env):
    assert not passwords.verify_password("not a hash", "plum-velvet-orbit-42")
    assert not passwords.verify_password("$argon2id$v=19$m=1024,t=1,p=1$broken", "plum-velvet-orbit-42")


def test_changed_parameters_ask_for_a_rehash(settings_env):
    stored = passwords.hash_password("plum-velvet-orbit-42")
    assert not passwords.needs_rehash(stored)
    settings_env(PORTAL_ARGON2_TIME_COST="2")
    assert passwords.needs_rehash(stored)
    assert passwords.verify_password(stored, "plum-velvet-orbit-42")


def test_burn_equal_work_runs_a_real_verification(settings_env):
    passwords.burn_equal_work("anything at all")
    passwords.burn_equal_work("\ud800")


def test_an_account_without_a_password_matches_nothing(settings_env):
    assert passwords.verify_password(None, "anything at all") is False
    assert passwords.verify_password(passwords.hash_password("a fine passphrase"), None) is False
