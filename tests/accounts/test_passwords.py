"""argon2id hashing: parameters from settings, rehash detection, equal work for unknown emails, and the
bounded pool every hash and check of the process runs on."""

import asyncio
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import VerifyMismatchError

from portal_app.accounts import password_change, passwords, sessions, signup
from portal_app.accounts.login import password_login
from portal_app.kernel.settings import SettingsError, get_settings
from tests.support.accounts import IP, PASSWORD, accounts_for, sign_up
from tests.support.shared_email import session_token


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


# --- the bounded hashing pool ------------------------------------------------------------------


class ArgonCalls:
    """Counts argon2's hash and verify calls around the real ones: how many, how many at once, on which
    threads; with `gate`, each call waits for the gate before argon2 works (a burst held in place)."""

    def __init__(self, monkeypatch, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.lock = threading.Lock()
        self.hashes = self.started = self.finished = self.running = self.most_at_once = 0
        self.thread_names: set[str] = set()
        monkeypatch.setattr(PasswordHasher, "hash", self._around(PasswordHasher.hash, counts_as_hash=True))
        monkeypatch.setattr(PasswordHasher, "verify", self._around(PasswordHasher.verify, counts_as_hash=False))

    def _around(self, real, *, counts_as_hash: bool):
        def call(hasher, *args, **kwargs):
            with self.lock:
                self.started += 1
                self.hashes += counts_as_hash
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
                self.thread_names.add(threading.current_thread().name)
            try:
                if self.gate is not None:
                    self.gate.wait()
                return real(hasher, *args, **kwargs)
            finally:
                with self.lock:
                    self.running -= 1
                    self.finished += 1

        return call


def wait_until(condition, seconds: float) -> bool:
    """Poll until the condition holds; False if it still does not after `seconds` (a hang guard only)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_burst_of_hashing_runs_at_most_the_configured_number_at_once(settings_env, monkeypatch):
    settings_env(PORTAL_PASSWORD_HASHING_THREADS="2")
    known = passwords.hash_password("plum-velvet-orbit-42")
    passwords.burn_equal_work("warm up")  # the dummy hash is made once per parameters
    gate = threading.Event()
    calls = ArgonCalls(monkeypatch, gate)
    work = [lambda n=n: passwords.hash_password(f"passphrase number {n}") for n in range(6)]
    work += [lambda: passwords.verify_password(known, "plum-velvet-orbit-42")] * 3
    work += [lambda: passwords.burn_equal_work("anything at all")] * 3
    with ThreadPoolExecutor(max_workers=len(work)) as callers:
        futures = [callers.submit(call) for call in work]
        try:
            assert wait_until(lambda: calls.started >= 2, 30)
            # Give every caller the chance to start argon2 too; with the pool, only two ever do.
            wait_until(lambda: calls.started >= len(work), 1)
            started_while_held = calls.started
        finally:
            gate.set()
        results = [future.result(timeout=60) for future in futures]
    assert started_while_held == 2
    assert all(result.startswith("$argon2id$") for result in results[:6])
    assert results[6:9] == [True] * 3
    assert calls.most_at_once == 2
    assert calls.thread_names and all(name.startswith("password-hashing") for name in calls.thread_names)


def test_the_pool_size_is_a_setting_with_one_thread_per_cpu_by_default(settings_env):
    assert get_settings().password_hashing_threads == len(os.sched_getaffinity(0))
    settings_env(PORTAL_PASSWORD_HASHING_THREADS="0")
    with pytest.raises(SettingsError, match="PORTAL_PASSWORD_HASHING_THREADS must be a whole number of at least 1"):
        get_settings()


async def test_hashing_from_the_event_loop_holds_no_thread_while_it_queues(settings_env, monkeypatch):
    settings_env(PORTAL_PASSWORD_HASHING_THREADS="1")
    gate = threading.Event()
    calls = ArgonCalls(monkeypatch, gate)
    waiting = [asyncio.create_task(passwords.hash_password_async(f"passphrase number {n}")) for n in range(40)]
    try:
        # 40 hashes queued behind a held one, and a thread for something else is still free at once.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "other work"), 30) == "other work"
        assert calls.started == 1
    finally:
        gate.set()
    hashes = await asyncio.wait_for(asyncio.gather(*waiting), 60)
    assert len(set(hashes)) == 40 and calls.most_at_once == 1


def test_signups_logins_and_password_changes_share_the_one_pool(database, settings_env, monkeypatch):
    settings_env(PORTAL_PASSWORD_HASHING_THREADS="2")
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        sign_up(email)
    changing = [
        sessions.current_session(session_token(password_login(email=email, password=PASSWORD, ip=IP)))
        for email in ("ann@example.com", "bob@example.com")
    ]
    gate = threading.Event()
    calls = ArgonCalls(monkeypatch, gate)
    work = [
        lambda n=n: password_login(email="cy@example.com", password=PASSWORD, ip=f"198.51.100.{n}") for n in range(3)
    ]
    work += [
        lambda info=info: password_change.set_password(
            info, new_password="marble-lantern-heron-58", current_password=PASSWORD
        )
        for info in changing
    ]
    work += [
        lambda n=n: signup.start_signup(
            full_name="New Person", email=f"new{n}@example.com", password=PASSWORD, ip=f"192.0.2.{n}"
        )
        for n in range(3)
    ]
    with ThreadPoolExecutor(max_workers=len(work)) as callers:
        futures = [callers.submit(call) for call in work]
        try:
            assert wait_until(lambda: calls.started >= 2, 30)
            wait_until(lambda: calls.started >= len(work), 1)
            started_while_held = calls.started
        finally:
            gate.set()
        results = [future.result(timeout=60) for future in futures]
    assert started_while_held == 2 and calls.most_at_once == 2
    # Everyone got through: three sign-ins, two changed passwords, three pending signups.
    assert all(isinstance(ticket, str) for ticket in results[:3] + results[5:])
    assert results[3:5] == [None, None]
    for email in ("ann@example.com", "bob@example.com"):
        [account] = accounts_for(email)
        assert passwords.verify_password(account.password_hash, "marble-lantern-heron-58")


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="thread priorities are a Linux feature here")
def test_hashes_run_at_a_lower_cpu_priority_than_the_event_loop(settings_env):
    """While logins run flat out, argon2 takes only the CPU the rest of the portal leaves (the lane threads
    argon2 starts inherit the hashing thread's priority): benchmarks/password_logins.py shows the effect."""
    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    in_pool = passwords._pool().submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    assert in_pool == min(19, caller + passwords.HASHING_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == caller  # the caller's own is untouched
    assert passwords.verify_password(passwords.hash_password(PASSWORD), PASSWORD)


def test_a_server_allowed_fewer_cpus_than_the_machine_has_hashes_on_that_many_threads():
    """Under a taskset or a container's cpuset the process may use one CPU of several: two hashes at once
    would share it and both finish later, so the pool follows the CPUs the process may use."""
    pinned = f"import os; os.sched_setaffinity(0, {{{min(os.sched_getaffinity(0))}}}); " + (
        "from portal_app.kernel.settings import get_settings; print(get_settings().password_hashing_threads)"
    )
    done = subprocess.run([sys.executable, "-c", pinned], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "1"
