"""Several accounts on one email: password login offers only the matches, the chooser, remembering the choice."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.accounts import choices, sessions, signup
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import password_login
from portal_app.accounts.models import AccountChoice, AccountPreference
from portal_app.apps import grants
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, begin_signup, latest_code, sign_up
from tests.support.browser import redeem_bound
from tests.support.shared_email import (
    EMAIL,
    allow_duplicates,
    choice_token,
    make_accounts,
    redeem,
    session_token,
    signed_in,
)

SHARED = "shared-password-77"


def login(password: str, next_path: str = "/") -> str:
    return password_login(email=EMAIL, password=password, ip=IP, next_path=next_path)


def listed(token: str) -> list[int]:
    return [account.id for account in choices.choice_view(token).accounts]


def refused(token: str, account_id: object) -> str:
    with pytest.raises(FieldError) as caught:
        choices.choose_account(token, account_id, remember=False)
    assert caught.value.field == "account"
    return caught.value.message


def test_no_matching_password_fails_like_any_other_login(database, frozen_clock):
    make_accounts(frozen_clock, ["first-password-11", "second-password-22", "third-password-33"])
    with pytest.raises(LoginFailed) as caught:
        login("fourth-password-44")
    assert caught.value.message == "Email or password is incorrect."


def test_exactly_one_match_goes_straight_in_and_may_switch_nowhere(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, ["first-password-11", SHARED, "third-password-33"])
    token = session_token(login(SHARED))
    info = sessions.current_session(token)
    assert (info.account_id, info.auth_method) == (second.id, "password")
    assert choices.ids_of_scope(info.peer_scope) == {second.id}


@pytest.mark.parametrize(
    "passwords, matching",
    [(["first-password-11", SHARED, SHARED], [1, 2]), ([SHARED, SHARED, SHARED], [0, 1, 2])],
)
def test_several_matches_open_the_chooser_with_only_the_matches(database, frozen_clock, passwords, matching):
    accounts = make_accounts(frozen_clock, passwords)
    ticket = login(SHARED, next_path="/apps/courses")
    with db.read_session() as session:
        assert session.exec(select(AccountChoice)).one().peer_scope == choices.scope_of_ids(
            [accounts[index].id for index in matching]
        )
    token = choice_token(ticket)
    assert listed(token) == [accounts[index].id for index in matching]
    chosen = accounts[matching[-1]]
    grant = redeem(choices.choose_account(token, chosen.id, remember=False))
    info = sessions.current_session(grant.value)
    assert (info.account_id, info.auth_method, grant.next_path) == (chosen.id, "password", "/apps/courses")
    assert choices.ids_of_scope(info.peer_scope) == {accounts[index].id for index in matching}


def test_the_chooser_names_only_the_apps_the_business_has_switched_on(database, frozen_clock):
    """An app the business switched off is in nobody's switcher, so the chooser does not name it either;
    switched on again, it is back."""
    first, _ = make_accounts(frozen_clock, [SHARED] * 2)
    with db.write_session() as session:
        grants.grant_app(session, account_id=first.id, app_key="courses")
        grants.grant_app(session, account_id=first.id, app_key="notes")
        business = session.get(Business, BUSINESS_ID)
        business.enabled_apps = ["courses", "communities"]
    apps = {account.id: account.app_titles for account in choices.choice_view(choice_token(login(SHARED))).accounts}
    assert apps[first.id] == ("Membership Courses",)
    with db.write_session() as session:
        session.get(Business, BUSINESS_ID).enabled_apps = ["courses", "communities", "notes"]
    apps = {account.id: account.app_titles for account in choices.choice_view(choice_token(login(SHARED))).accounts}
    assert apps[first.id] == ("Membership Courses", "Notes")


def test_the_chooser_shows_name_creation_apps_and_last_use(database, frozen_clock):
    signed_up_at = frozen_clock.current
    first, second, third = make_accounts(frozen_clock, [SHARED] * 3)
    with db.write_session() as session:
        grants.grant_app(session, account_id=first.id, app_key="affiliates")
        grants.grant_app(session, account_id=first.id, app_key="courses")
        grants.grant_app(session, account_id=third.id, app_key="communities")
    frozen_clock.advance(hours=1)
    token = choice_token(login(SHARED))
    view = choices.choice_view(token)
    assert view.email == EMAIL and view.expires_at == frozen_clock.current + timedelta(minutes=10)
    assert view.accounts == (
        choices.AccountSummary(
            id=first.id,
            full_name="Account 1",
            created_at=signed_up_at,
            app_titles=("Membership Courses", "Affiliate Manager"),
            last_used_at=signed_up_at,
        ),
        choices.AccountSummary(
            id=second.id,
            full_name="Account 2",
            created_at=signed_up_at + timedelta(minutes=2),
            app_titles=(),
            last_used_at=signed_up_at + timedelta(minutes=2),
        ),
        choices.AccountSummary(
            id=third.id,
            full_name="Account 3",
            created_at=signed_up_at + timedelta(minutes=4),
            app_titles=("Communities",),
            last_used_at=signed_up_at + timedelta(minutes=4),
        ),
    )
    frozen_clock.advance(minutes=1)
    choices.choose_account(token, second.id, remember=False)
    assert [account.last_used_at for account in choices.choice_view(choice_token(login(SHARED))).accounts] == [
        signed_up_at,
        frozen_clock.current,
        signed_up_at + timedelta(minutes=4),
    ]


def test_a_remembered_choice_is_entered_directly_by_the_next_proven_sign_in(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, [SHARED] * 3)
    choices.choose_account(choice_token(login(SHARED)), second.id, remember=True)
    assert signed_in(session_token(login(SHARED))) == second.id
    # A signup code on the email (duplicates off) proves the mailbox: straight to the remembered account too.
    allow_duplicates(False)
    frozen_clock.advance(minutes=2)
    grant = redeem(sign_up(EMAIL, full_name="Someone new"))
    assert signed_in(grant.value) == second.id
    assert sessions.current_session(grant.value).auth_method == "code"


def test_the_remembered_account_is_used_only_when_the_sign_in_may_enter_it(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, ["first-password-11", SHARED, SHARED])
    with db.write_session() as session:
        session.add(AccountPreference(email=EMAIL, account_id=first.id, updated_at=frozen_clock.current))
    assert listed(choice_token(login(SHARED))) == [second.id, third.id]


def test_remembering_another_account_replaces_the_choice_and_unticking_forgets_it(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, ["first-password-11", SHARED, SHARED])
    choices.choose_account(choice_token(login(SHARED)), second.id, remember=True)
    with db.write_session() as session:
        session.get(AccountPreference, EMAIL).account_id = first.id  # as if remembered from a code login
    choices.choose_account(choice_token(login(SHARED)), third.id, remember=True)
    assert signed_in(session_token(login(SHARED))) == third.id
    with db.write_session() as session:
        session.get(AccountPreference, EMAIL).account_id = first.id
    choices.choose_account(choice_token(login(SHARED)), second.id, remember=False)
    with db.read_session() as session:
        assert session.get(AccountPreference, EMAIL) is None
    assert len(listed(choice_token(login(SHARED)))) == 2


def test_only_a_listed_account_can_be_chosen(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, ["first-password-11", SHARED, SHARED])
    [stranger] = make_accounts(frozen_clock, [SHARED], email="eve@example.com")
    token = choice_token(login(SHARED))
    for account_id in [first.id, stranger.id, str(second.id), None, True, float(second.id), [second.id], -1, 10**30]:
        assert refused(token, account_id) == "Choose one of the accounts listed."
    # Refusals do not use the choice up.
    assert signed_in(session_token(choices.choose_account(token, third.id, remember=False))) == third.id


def test_a_choice_is_used_once(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, [SHARED] * 3)
    token = choice_token(login(SHARED))
    choices.choose_account(token, first.id, remember=False)
    assert choices.choice_view(token) is None
    assert refused(token, second.id) == "This sign-in has expired. Please log in again."


def test_a_choice_lasts_ten_minutes(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, [SHARED] * 3)
    token = choice_token(login(SHARED))
    frozen_clock.advance(minutes=9, seconds=59)
    assert choices.choice_view(token) is not None
    frozen_clock.advance(seconds=1)
    assert choices.choice_view(token) is None
    assert refused(token, first.id) == "This sign-in has expired. Please log in again."


@pytest.mark.parametrize("token", [None, "", 42, "unknown-token", "x" * 1_000_000, {"token": "x"}])
def test_garbage_choice_tokens_show_and_choose_nothing(database, frozen_clock, token):
    first, second = make_accounts(frozen_clock, [SHARED] * 2)
    choice_token(login(SHARED))
    assert choices.choice_view(token) is None
    assert refused(token, first.id) == "This sign-in has expired. Please log in again."


def test_the_choice_ticket_alone_chooses_nothing(database, frozen_clock):
    first, second = make_accounts(frozen_clock, [SHARED] * 2)
    ticket = login(SHARED)
    assert choices.choice_view(ticket) is None  # only the cookie the ticket becomes opens the chooser
    choice_token(ticket)
    assert redeem_bound(ticket, user_agent="", ip="") is None


def test_choosing_twice_at_once_starts_one_session(database, frozen_clock):
    first, second, third = make_accounts(frozen_clock, [SHARED] * 3)
    token = choice_token(login(SHARED))
    barrier = threading.Barrier(6)

    def choose(account_id: int):
        barrier.wait()
        try:
            return choices.choose_account(token, account_id, remember=True)
        except FieldError as error:
            return error

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(choose, [first.id, second.id, third.id] * 2))
    assert len([result for result in results if isinstance(result, str)]) == 1


def test_a_signup_code_on_a_shared_email_lists_every_account(database, frozen_clock):
    first, second = make_accounts(frozen_clock, ["first-password-11", "second-password-22"])
    allow_duplicates(False)
    flow = begin_signup(EMAIL, full_name="Someone new", password="third-password-33")
    token = choice_token(signup.verify_signup(flow, latest_code(EMAIL)))
    assert listed(token) == [first.id, second.id]
    info = sessions.current_session(session_token(choices.choose_account(token, first.id, remember=False)))
    assert (info.account_id, info.auth_method, info.peer_scope) == (first.id, "code", choices.EMAIL_SCOPE)
