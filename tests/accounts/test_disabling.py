"""A disabled account is signed out at once and cannot sign in again until re-enabled."""

from portal_app.accounts import disabling, login, sessions, tickets
from portal_app.kernel import db
from tests.support.accounts import IP, PASSWORD, accounts_for, sign_up
from tests.support.browser import redeem_bound


def test_disabling_signs_out_and_blocks_every_new_sign_in(database, frozen_clock):
    sign_up("ada@example.com")
    account_id = accounts_for("ada@example.com")[0].id
    grant = redeem_bound(login.password_login(email="ada@example.com", password=PASSWORD, ip=IP))
    assert sessions.account_for_token(grant.value) == account_id

    with db.write_session() as session:
        assert disabling.set_disabled(session, account_id, disabled=True) is True
    assert sessions.account_for_token(grant.value) is None

    ticket = login.password_login(email="ada@example.com", password=PASSWORD, ip=IP)
    try:
        redeem_bound(ticket)
        raise AssertionError("a disabled account got a session")
    except tickets.AccountDisabled:
        pass

    with db.write_session() as session:
        assert disabling.set_disabled(session, account_id, disabled=False) is True
    grant = redeem_bound(login.password_login(email="ada@example.com", password=PASSWORD, ip=IP))
    assert sessions.account_for_token(grant.value) == account_id


def test_a_session_of_an_account_disabled_meanwhile_is_refused(database, frozen_clock):
    sign_up("ada@example.com")
    account_id = accounts_for("ada@example.com")[0].id
    grant = redeem_bound(login.password_login(email="ada@example.com", password=PASSWORD, ip=IP))
    with db.write_session() as session:
        from portal_app.accounts.models import Account

        account = session.get(Account, account_id)
        account.disabled_at = frozen_clock.current  # as if disabled by another path, sessions left behind
        session.add(account)
    assert sessions.account_for_token(grant.value) is None


def test_a_disabled_account_on_a_shared_email_is_neither_offered_nor_entered(database, frozen_clock):
    from portal_app.accounts import choices, switching
    from portal_app.accounts.login import password_login
    from tests.support.shared_email import EMAIL, make_accounts, session_token

    first, second, third = make_accounts(frozen_clock, ["shared-password-77"] * 3)
    with db.write_session() as session:
        disabling.set_disabled(session, second.id, disabled=True)
    # The chooser lists only the enabled accounts ...
    ticket = password_login(email=EMAIL, password="shared-password-77", ip=IP)
    grant = redeem_bound(ticket)
    assert grant.name == tickets.CHOICE_COOKIE
    assert [a.id for a in choices.choice_view(grant.value).accounts] == [first.id, third.id]
    # ... and a signed-in peer cannot switch to the disabled one.
    token = session_token(choices.choose_account(grant.value, first.id, remember=False))
    assert [a.id for a in switching.switchable_accounts(sessions.current_session(token))] == [third.id]
    with db.write_session() as session:
        disabling.set_disabled(session, third.id, disabled=True)
    # With one enabled account left, a sign-in goes straight into it.
    grant = redeem_bound(password_login(email=EMAIL, password="shared-password-77", ip=IP))
    assert grant.name == tickets.SESSION_COOKIE and sessions.account_for_token(grant.value) == first.id
