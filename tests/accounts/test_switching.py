"""The account switcher: only within the session's peer scope, a new session each time, the old one ended."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal_app.accounts import choices, lookup, sessions, switching
from portal_app.accounts.login import password_login
from portal_app.apps import grants
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui.session_state import _principal_and_peers
from tests.support.accounts import IP, accounts_for, sign_up
from tests.support.shared_email import EMAIL, choice_token, make_accounts, redeem, session_token, signed_in

SHARED = "shared-password-77"


def switch(token: str, account_id: object) -> str:
    """Switch and trade the ticket for the new session cookie, as the browser would."""
    grant = redeem(switching.switch_account(sessions.current_session(token), account_id, user_agent="pytest", ip=IP))
    assert grant.next_path == "/"
    return grant.value


def switchable(token: str) -> list[int]:
    return [account.id for account in switching.switchable_accounts(sessions.current_session(token))]


def refused(token: str, account_id: object) -> str:
    with pytest.raises(FieldError) as caught:
        switching.switch_account(sessions.current_session(token), account_id, user_agent="pytest", ip=IP)
    assert caught.value.field == "account"
    return caught.value.message


def test_a_proven_mailbox_switches_to_every_peer_and_back(database, frozen_clock):
    first, second = make_accounts(frozen_clock, ["first-password-11", "second-password-22"])
    # A third signup on the email (duplicates on): its code proved the mailbox.
    third_token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    third = signed_in(third_token)
    assert switchable(third_token) == [first.id, second.id]
    first_token = switch(third_token, first.id)
    assert signed_in(first_token) == first.id
    assert lookup.account_view(signed_in(first_token)).full_name == "Account 1"
    assert switchable(first_token) == [second.id, third]
    second_token = switch(first_token, second.id)
    back_token = switch(second_token, third)
    assert signed_in(back_token) == third
    info = sessions.current_session(back_token)
    assert (info.peer_scope, info.auth_method) == (choices.EMAIL_SCOPE, "switch:signup")


def test_the_old_session_is_ended_by_a_switch(database, frozen_clock):
    first, second = make_accounts(frozen_clock, [SHARED, "second-password-22"])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    new_token = switch(token, first.id)
    assert signed_in(token) is None and new_token != token
    assert switching.switchable_accounts(sessions.current_session(token)) == []
    with pytest.raises(PermissionError):
        switching.switch_account(sessions.current_session(token), second.id, user_agent="pytest", ip=IP)


def test_a_password_scope_switches_only_between_the_matches(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, ["first-password-11", SHARED, SHARED])
    chooser = choice_token(password_login(email=EMAIL, password=SHARED, ip=IP))
    token = session_token(choices.choose_account(chooser, second.id, remember=False))
    assert switchable(token) == [third.id]
    assert refused(token, first.id) == "Choose one of the accounts listed."
    third_token = switch(token, third.id)
    assert switchable(third_token) == [second.id]
    assert refused(third_token, first.id) == "Choose one of the accounts listed."
    assert signed_in(switch(third_token, second.id)) == second.id


def test_a_single_match_has_nobody_to_switch_to(database, frozen_clock):
    first, second = make_accounts(frozen_clock, ["first-password-11", "second-password-22"])
    token = session_token(password_login(email=EMAIL, password="first-password-11", ip=IP))
    assert switchable(token) == []
    assert refused(token, second.id) == "Choose one of the accounts listed."
    assert signed_in(token) == first.id  # a refused switch leaves the session as it was


def test_an_account_with_another_email_is_never_reachable(database, frozen_clock):
    [stranger] = make_accounts(frozen_clock, [SHARED], email="eve@example.com")
    first, second = make_accounts(frozen_clock, [SHARED, SHARED])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    assert stranger.id not in switchable(token)
    assert refused(token, stranger.id) == "Choose one of the accounts listed."


@pytest.mark.parametrize("target", ["1", None, True, 1.0, [1], {"id": 1}, -1, 10**30])
def test_bad_targets_are_refused(database, frozen_clock, target):
    make_accounts(frozen_clock, [SHARED, SHARED])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    assert refused(token, target) == "Choose one of the accounts listed."
    assert signed_in(token) is not None


def test_the_current_account_is_not_a_target(database, frozen_clock):
    make_accounts(frozen_clock, [SHARED])
    token = session_token(sign_up(EMAIL, full_name="Account 2", password="second-password-22"))
    assert refused(token, signed_in(token)) == "Choose one of the accounts listed."


@pytest.mark.parametrize("token", [None, "", "unknown-token", 42, "x" * 1_000_000])
def test_without_a_session_nothing_is_listed_or_switched(database, frozen_clock, token):
    [first] = make_accounts(frozen_clock, [SHARED])
    assert switching.switchable_accounts(sessions.current_session(token)) == []
    with pytest.raises(PermissionError):
        switching.switch_account(sessions.current_session(token), first.id, user_agent="pytest", ip=IP)


def test_one_session_switched_twice_at_once_starts_one_session(database, frozen_clock):
    first, second = make_accounts(frozen_clock, [SHARED, SHARED])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    barrier = threading.Barrier(6)

    def attempt(account_id: int):
        barrier.wait()
        try:
            return switching.switch_account(sessions.current_session(token), account_id, user_agent="pytest", ip=IP)
        except PermissionError as error:
            return error

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, [first.id, second.id] * 3))
    assert len([result for result in results if isinstance(result, str)]) == 1


def test_a_switch_counts_as_using_the_account(database, frozen_clock):
    first, second = make_accounts(frozen_clock, [SHARED, SHARED])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    frozen_clock.advance(hours=3)
    first_token = switch(token, first.id)
    assert accounts_for(EMAIL)[0].last_login_at == frozen_clock.current
    [second_summary, third_summary] = switching.switchable_accounts(sessions.current_session(first_token))
    assert second_summary.last_used_at == second.last_login_at


def test_switching_keeps_the_sign_ins_absolute_end(database, frozen_clock):
    """Switching back and forth cannot stretch a session past 30 days from the real sign-in."""
    first, second = make_accounts(frozen_clock, [SHARED, "second-password-22"])
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    ends = sessions.current_session(token).expires_at
    for target in (first.id, second.id, first.id, second.id, first.id):
        frozen_clock.advance(days=5)  # used every few days, so never idle for 7
        token = switch(token, target)
    assert sessions.current_session(token).expires_at == ends  # day 25, not day 55
    frozen_clock.advance(days=4, hours=23)
    assert signed_in(token) == first.id
    frozen_clock.advance(hours=1, seconds=1)
    assert signed_in(token) is None


def test_the_account_menu_names_only_the_apps_the_business_has_switched_on(database, frozen_clock):
    """What a page load's top bar lists for each other account: its granted apps that are switched on (an
    app switched off is in no switcher), from the business settings the page load's principal holds."""
    first, second = make_accounts(frozen_clock, [SHARED, SHARED])
    with db.write_session() as session:
        grants.grant_app(session, account_id=second.id, app_key="courses")
        grants.grant_app(session, account_id=second.id, app_key="notes")
        session.get(Business, BUSINESS_ID).enabled_apps = ["courses", "communities"]
    token = session_token(sign_up(EMAIL, full_name="Account 3", password="third-password-33"))
    principal, peers = _principal_and_peers(token)
    assert principal is not None
    assert {peer.id: peer.app_titles for peer in peers} == {first.id: (), second.id: ("Membership Courses",)}
    with db.write_session() as session:
        session.get(Business, BUSINESS_ID).enabled_apps = ["courses", "notes"]
    _, peers = _principal_and_peers(token)
    assert {peer.id: peer.app_titles for peer in peers} == {
        first.id: (),
        second.id: ("Membership Courses", "Notes"),
    }
