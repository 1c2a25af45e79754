"""Server-side sessions: hashed tokens, idle and absolute timeouts, logout and sign-out-everywhere."""

from datetime import timedelta

from sqlmodel import select

from portal_app.accounts import sessions
from portal_app.accounts.models import Account, UserSession
from portal_app.kernel import db, tokens


def make_account(clock_now) -> int:
    with db.write_session() as session:
        account = Account(email="ada@example.com", full_name="Ada", created_at=clock_now)
        session.add(account)
        session.flush()
        return account.id


def start(account_id: int, **extra) -> str:
    with db.write_session() as session:
        return sessions.create_session(
            session,
            account_id=account_id,
            auth_method="password",
            user_agent=extra.get("user_agent", "pytest"),
            ip=extra.get("ip", "203.0.113.5"),
        )


def stored_sessions() -> list[UserSession]:
    with db.read_session() as session:
        return list(session.exec(select(UserSession)))


def test_only_the_hash_of_the_token_is_stored(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    token = start(account_id, user_agent="x" * 2000, ip="2001:db8::1")
    [row] = stored_sessions()
    assert row.token_hash == tokens.hash_token(token) and token not in row.model_dump_json()
    assert (row.created_at, row.last_seen_at) == (frozen_clock.current, frozen_clock.current)
    assert row.expires_at == frozen_clock.current + timedelta(days=30)
    assert len(row.user_agent) == 512 and row.ip == "2001:db8::1"
    assert sessions.account_for_token(token) == account_id


def test_every_login_gets_a_new_token(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    assert start(account_id) != start(account_id)


def test_unknown_or_malformed_tokens_are_refused(database, frozen_clock):
    for raw in [None, "", "unknown-token", 42, {"token": "x"}, "x" * 10_000]:
        assert sessions.account_for_token(raw) is None


def test_idle_timeout_is_seven_days(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    token = start(account_id)
    frozen_clock.advance(days=6, hours=23)
    assert sessions.account_for_token(token) == account_id  # activity resets the idle clock
    frozen_clock.advance(days=6, hours=23)
    assert sessions.account_for_token(token) == account_id
    frozen_clock.advance(days=7)
    assert sessions.account_for_token(token) is None
    assert stored_sessions() == []


def test_absolute_lifetime_is_thirty_days_even_when_active(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    token = start(account_id)
    for _ in range(4):
        frozen_clock.advance(days=6)
        assert sessions.account_for_token(token) == account_id
    frozen_clock.advance(days=5, hours=23, minutes=59)
    assert sessions.account_for_token(token) == account_id
    frozen_clock.advance(minutes=1)
    assert sessions.account_for_token(token) is None
    assert stored_sessions() == []


def test_last_seen_is_written_at_most_once_a_minute(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    token = start(account_id)
    started = frozen_clock.current
    frozen_clock.advance(seconds=59)
    sessions.account_for_token(token)
    assert stored_sessions()[0].last_seen_at == started
    frozen_clock.advance(seconds=1)
    sessions.account_for_token(token)
    assert stored_sessions()[0].last_seen_at == frozen_clock.current


def test_a_token_is_refused_after_logout(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    token = start(account_id)
    other = start(account_id)
    sessions.end_session(token)
    assert sessions.account_for_token(token) is None
    assert sessions.account_for_token(other) == account_id
    sessions.end_session(token)  # a second logout is harmless
    sessions.end_session(None)


def test_sign_out_everywhere_can_keep_the_current_browser(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    current, second, third = start(account_id), start(account_id), start(account_id)
    assert sessions.end_all_sessions(account_id, except_token=current) == 2
    assert [sessions.account_for_token(t) for t in (current, second, third)] == [account_id, None, None]
    assert sessions.end_all_sessions(account_id) == 1
    assert sessions.account_for_token(current) is None
