"""Sign-in limits hold across worker processes: separate processes, each with its own engine, try the same limit
on one PostgreSQL database or one SQLite file at the worst moment, and what gets through never exceeds it.

The worst moment is made, not hoped for: the limit is one attempt short of full, and the test holds the rate
events' table (PostgreSQL: `LOCK TABLE ... IN SHARE MODE`, which lets reads through and stops writes; SQLite:
the write lock) until every process has started its attempt. Each process's transaction has then read the
count it decides on, if it reads before it locks; once the table is let go they all finish.
"""

from __future__ import annotations

import multiprocessing
import time

from sqlalchemy import text

from portal_app.accounts import code_login, signup
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import INCORRECT, password_login
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.support.accounts import IP, PASSWORD, sign_up

PROCESSES = 4
ADA = "ada@example.com"
LIMIT = 5
WRONG = "not-the-password-at-all"


def _wrong_password(_number: int) -> str:
    try:
        password_login(email=ADA, password=WRONG, ip=IP)
    except LoginFailed as refused:
        return "checked" if refused.message == INCORRECT else "refused"
    return "signed in"


def _login_code(_number: int) -> str:
    try:
        code_login.request_login_code(email=ADA, ip=IP)
    except FieldError:
        return "refused"
    return "sent"


def _signup(number: int) -> str:
    try:
        signup.start_signup(full_name="Many Signups", email=f"new{number}@example.com", password=PASSWORD, ip=IP)
    except FormErrors:
        return "refused"
    return "sent"


ATTEMPTS = {"wrong_password": _wrong_password, "login_code": _login_code, "signup": _signup}


def _worker(what: str, number: int, ready, results) -> None:
    """One worker process: its own settings and engine, from the environment it inherited."""
    try:
        ready.wait(timeout=60)
        results.put(ATTEMPTS[what](number))
    except BaseException as error:  # reported to the test, which would otherwise see only a missing result
        results.put(f"error: {type(error).__name__}: {error}")


def _waiting_processes(connection) -> int:
    """Connections to this database waiting for a lock (row, table or advisory), read afresh each time."""
    waiting = connection.execute(
        text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    ).scalar()
    connection.rollback()  # pg_stat_activity stays the same for the rest of a transaction
    return waiting


def at_once(what: str, numbers: range) -> list[str]:
    """One attempt per process, all started while the rate events cannot be written; their outcomes."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(len(numbers) + 1), context.Queue()
    workers = [context.Process(target=_worker, args=(what, number, ready, results)) for number in numbers]
    for worker in workers:
        worker.start()
    engine = db.get_engine()
    postgresql = engine.dialect.name == "postgresql"
    holder = (engine if postgresql else engine.execution_options(sqlite_begin="IMMEDIATE")).connect()
    with holder:
        with holder.begin():
            if postgresql:
                holder.execute(text("LOCK TABLE rateevent IN SHARE MODE"))
            ready.wait(timeout=60)
            if postgresql:
                with engine.connect() as watcher:
                    deadline = time.monotonic() + 60
                    while _waiting_processes(watcher) < len(numbers):
                        assert time.monotonic() < deadline, "the processes never reached the rate events"
                        time.sleep(0.05)
            else:
                time.sleep(1)  # they queue on SQLite's 5 s busy timeout meanwhile
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    return outcomes


def emails_with(template: str) -> int:
    with db.read_session() as session:
        return len(session.exec(OutboxEmail.__table__.select().where(OutboxEmail.template == template)).all())


def test_wrong_passwords_from_several_processes_stop_at_the_limit(shared_database, settings_env):
    settings_env(PORTAL_LOGIN_FAILURES_PER_EMAIL=str(LIMIT), PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="1000")
    sign_up(ADA)
    assert [_wrong_password(0) for _ in range(LIMIT - 1)] == ["checked"] * (LIMIT - 1)

    outcomes = at_once("wrong_password", range(PROCESSES))
    assert "signed in" not in outcomes and outcomes.count("checked") >= 1, outcomes
    assert outcomes.count("checked") <= 1, f"{LIMIT - 1 + outcomes.count('checked')} passwords tried; limit {LIMIT}"


def test_login_codes_from_several_processes_stop_at_the_limit(shared_database, settings_env):
    settings_env(
        PORTAL_CODE_RESEND_SECONDS="0",
        PORTAL_CODE_SENDS_PER_HOUR=str(LIMIT),
        PORTAL_CODE_SENDS_PER_HOUR_PER_EMAIL="1000",
        PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000",
    )
    sign_up(ADA)  # its signup code is the first code sent to the address from this network
    assert [_login_code(0) for _ in range(LIMIT - 2)] == ["sent"] * (LIMIT - 2)

    outcomes = at_once("login_code", range(PROCESSES))
    assert outcomes.count("sent") >= 1, outcomes
    emailed = 1 + emails_with(code_login.LOGIN_TEMPLATE)
    assert emailed == LIMIT - 1 + outcomes.count("sent")
    assert emailed <= LIMIT, f"{emailed} login codes were emailed to one address; the limit is {LIMIT}"


def test_signups_from_one_network_in_several_processes_stop_at_the_limit(shared_database, settings_env):
    settings_env(PORTAL_CODE_SENDS_PER_IP_PER_MINUTE=str(LIMIT))
    assert [_signup(number) for number in range(LIMIT - 1)] == ["sent"] * (LIMIT - 1)

    outcomes = at_once("signup", range(LIMIT, LIMIT + PROCESSES))
    assert outcomes.count("sent") == 1, outcomes
    assert emails_with("signup_code") == LIMIT
