"""argon2id hashing: parameters from settings, rehash detection, and equal work for unknown emails."""

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import VerifyMismatchError

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


class VerifySpy:
    """Wraps PasswordHasher.verify: records each call's hasher, hash, password and how argon2 answered."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[tuple[PasswordHasher, str, str, type[BaseException] | bool]] = []
        real_verify = PasswordHasher.verify

        def verify(hasher, encoded, password):
            try:
                outcome = real_verify(hasher, encoded, password)
            except Exception as error:
                self.calls.append((hasher, encoded, password, type(error)))
                raise
            self.calls.append((hasher, encoded, password, outcome))
            return outcome

        monkeypatch.setattr(PasswordHasher, "verify", verify)


def test_burn_equal_work_runs_a_real_verification(settings_env, monkeypatch):
    spy = VerifySpy(monkeypatch)
    passwords.burn_equal_work("anything at all")

    [(hasher, burned_hash, password, outcome)] = spy.calls
    assert password == "anything at all"
    # argon2 computed the hash of the password and compared it: a mismatch, not a refused input.
    assert outcome is VerifyMismatchError
    # Against a real argon2id hash made with today's parameters, by the hasher real accounts use.
    parameters = extract_parameters(burned_hash)
    assert (parameters.type, parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        Type.ID,
        1,
        1024,
        1,
    )
    real_hash = passwords.hash_password("anything at all")
    assert extract_parameters(real_hash) == parameters and not hasher.check_needs_rehash(real_hash)


def test_burn_equal_work_follows_changed_parameters(settings_env, monkeypatch):
    spy = VerifySpy(monkeypatch)
    settings_env(PORTAL_ARGON2_TIME_COST="2", PORTAL_ARGON2_MEMORY_KIB="2048")
    passwords.burn_equal_work("anything at all")
    [(_, burned_hash, _, outcome)] = spy.calls
    assert outcome is VerifyMismatchError
    parameters = extract_parameters(burned_hash)
    assert (parameters.time_cost, parameters.memory_cost) == (2, 2048)


def test_burn_equal_work_stops_where_a_known_account_stops_on_an_unencodable_password(settings_env, monkeypatch):
    spy = VerifySpy(monkeypatch)
    known = passwords.hash_password("plum-velvet-orbit-42")
    assert passwords.verify_password(known, "\ud800") is False
    passwords.burn_equal_work("\ud800")
    # Both reach argon2's verify with a real hash and are refused there alike, before any hashing.
    [(_, known_hash, _, known_outcome), (_, burned_hash, _, burned_outcome)] = spy.calls
    assert known_hash == known and burned_hash.startswith("$argon2id$") and burned_hash != known
    assert known_outcome is burned_outcome is UnicodeEncodeError


def test_an_account_without_a_password_matches_nothing(settings_env):
    assert passwords.verify_password(None, "anything at all") is False
    assert passwords.verify_password(passwords.hash_password("a fine passphrase"), None) is False
