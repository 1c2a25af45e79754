"""Faults: the server killed with SIGKILL in the middle of a signup, a verification and a password change,
at the worst moment (inside the transaction, after its first writes). A child process runs the real service
against the test's database file and stops inside the transaction; the test kills it there, then checks
nothing is half-done and the person can simply go on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from portal_app.accounts import password_change, passwords, sessions, signup
from portal_app.accounts.models import Account, EmailCode, PendingSignup
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR
from tests.support.accounts import PASSWORD, begin_signup, latest_code, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"


def killed_inside(tmp_path: Path, database: str, patch: str, call: str) -> None:
    """Run `call` in a child process where `patch` makes the transaction stop (after touching a marker file);
    SIGKILL it there."""
    marker = tmp_path / "inside"
    script = "\n".join(
        [
            "import pathlib, time",
            patch,
            "def stop_here(*args, **kwargs):",
            f"    pathlib.Path({str(marker)!r}).touch()",
            "    time.sleep(600)",
            call,
        ]
    )
    env = {**os.environ, "REFLEX_DB_URL": database, "PYTHONPATH": str(PROJECT_DIR)}
    child = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=PROJECT_DIR)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the child ended before reaching the transaction"
            assert time.monotonic() < deadline, "the child never reached the transaction"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()


def rows(model, *where) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).where(*where)))


def test_killed_mid_signup_leaves_no_half_signup(database, tmp_path, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    killed_inside(
        tmp_path,
        database,
        "import portal_app.email.outbox as outbox",
        "from portal_app.accounts import signup\n"
        "outbox.enqueue = stop_here\n"
        f"signup.start_signup(full_name='Ada', email={EMAIL!r}, password={PASSWORD!r}, ip='203.0.113.5')",
    )
    assert rows(PendingSignup) == [] and rows(EmailCode) == [] and rows(OutboxEmail) == []
    redeem_bound(signup.verify_signup(begin_signup(EMAIL), latest_code(EMAIL)))
    assert len(rows(Account, Account.email == EMAIL)) == 1


def test_killed_mid_verification_creates_no_account_and_a_new_code_finishes_it(database, tmp_path, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    flow = begin_signup(EMAIL)
    code = latest_code(EMAIL)
    killed_inside(
        tmp_path,
        database,
        "import portal_app.apps.hooks as hooks",
        f"from portal_app.accounts import signup\nhooks.fire = stop_here\nsignup.verify_signup({flow!r}, {code!r})",
    )
    assert rows(Account) == [] and len(rows(PendingSignup)) == 1
    signup.resend_signup_code(flow, ip="203.0.113.5")
    redeem_bound(signup.verify_signup(flow, latest_code(EMAIL)))
    assert len(rows(Account, Account.email == EMAIL)) == 1


def test_killed_mid_password_change_keeps_the_old_password_and_the_sessions(database, tmp_path):
    ticket = sign_up(EMAIL)
    token = redeem_bound(ticket).value
    other = redeem_bound(
        __import__("portal_app.accounts.login", fromlist=["x"]).password_login(
            email=EMAIL, password=PASSWORD, ip="203.0.113.5"
        )
    ).value
    [before] = rows(Account)
    killed_inside(
        tmp_path,
        database,
        "import portal_app.accounts.password_change as password_change",
        "from portal_app.accounts import sessions\n"
        "password_change._notify = stop_here\n"
        f"password_change.set_password(sessions.current_session({token!r}), new_password='a-new-harbor-pass-9', "
        f"current_password={PASSWORD!r})",
    )
    [after] = rows(Account)
    assert after.password_hash == before.password_hash
    assert passwords.verify_password(after.password_hash, PASSWORD)
    assert sessions.current_session(other) is not None and sessions.current_session(token) is not None
    password_change.set_password(
        sessions.current_session(token), new_password="a-new-harbor-pass-9", current_password=PASSWORD
    )
