"""Who may open which child app: enabled for the business x granted (or given to everyone) x profile complete."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from portal_app.accounts.models import Account
from portal_app.accounts.sessions import create_session
from portal_app.apps import access, grants, registry
from portal_app.apps.models import AppGrant
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.profile.models import Profile
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY
from tests.apps.support import Profiles, add_account, grant, set_business, stub_profiles
from tests.support.database import QueryCounter

PRODUCT = ["courses", "communities", "affiliates"]


@pytest.fixture
def profiles(monkeypatch) -> Profiles:
    return stub_profiles(monkeypatch)


@pytest.mark.parametrize(
    ("enabled", "granted", "everyone", "complete"), list(itertools.product([True, False], repeat=4))
)
def test_an_app_opens_only_when_enabled_granted_and_the_profile_is_complete(
    database, profiles, enabled, granted, everyone, complete
):
    account = add_account()
    set_business(
        enabled_apps=["courses"] if enabled else ["communities"], apps_for_everyone=["courses"] if everyone else []
    )
    if granted:
        grant(account, "courses")
    if not complete:
        profiles.mark_incomplete(account)

    decision = access.can_open(account, "courses")

    if not enabled:
        assert decision == access.AccessDecision(False, access.NOT_ENABLED)
    elif not (granted or everyone):
        assert decision == access.AccessDecision(False, access.NOT_GRANTED)
    elif not complete:
        assert decision == access.AccessDecision(False, access.PROFILE_INCOMPLETE)
    else:
        assert decision == access.AccessDecision(True, role="member")
    assert (access.accessible_apps(account) != []) is decision.allowed


def test_one_principal_answers_for_every_app_with_one_profile_check(database, profiles):
    account = add_account()
    set_business(enabled_apps=["courses"])
    grant(account, "courses", "communities", "affiliates")
    principal = access.principal_for_account(account)
    assert profiles.asked == [account]
    decisions = {app.key: decision.reason for app, decision in access.app_access(principal)}
    assert decisions["courses"] is None and decisions["communities"] == access.NOT_ENABLED
    assert access.decide(principal, "courses").allowed
    assert profiles.asked == [account], "deciding for a principal reads nothing again"


def test_accessible_apps_are_in_switcher_order_and_only_the_open_ones(database, profiles):
    account = add_account()
    set_business(enabled_apps=["affiliates", "courses", "notes"], apps_for_everyone=["notes"])
    grant(account, "affiliates", "communities", "courses")
    assert [app.key for app in access.accessible_apps(account)] == ["courses", "affiliates", "notes"]
    profiles.mark_incomplete(account)
    assert access.accessible_apps(account) == []


def test_another_accounts_grant_opens_nothing(database, profiles):
    ada, grace = add_account(), add_account("grace@example.com", "Grace Hopper")
    grant(grace, *PRODUCT)
    assert access.accessible_apps(ada) == []
    assert access.can_open(ada, "courses").reason == access.NOT_GRANTED


@pytest.mark.parametrize(
    "key", ["nope", "", "COURSES", "home", "portal", None, 3, ["courses"], {"key": "courses"}, "courses\x00"]
)
def test_an_unknown_app_is_never_open(database, profiles, key):
    account = add_account()
    grant(account, *PRODUCT)
    assert access.can_open(account, key) == access.AccessDecision(False, access.NOT_ENABLED)


def test_without_a_business_row_no_app_is_open(database, profiles):
    from portal_app.business.models import BUSINESS_ID, Business

    account = add_account()
    grant(account, *PRODUCT)
    with db.write_session() as session:
        session.delete(session.get(Business, BUSINESS_ID))
    assert access.can_open(account, "courses").reason == access.NOT_ENABLED


def test_a_grant_is_recorded_once_on_the_timeline(database, frozen_clock):
    account = add_account()
    with db.write_session() as session:
        assert grants.grant_app(session, account_id=account, app_key="courses") is True
        assert grants.grant_app(session, account_id=account, app_key="courses") is False
    [entry] = activity.timeline(account).items
    assert (entry.app_key, entry.kind, entry.label, entry.summary) == (
        PORTAL_APP_KEY,
        "app_granted",
        "App access granted",
        "Membership Courses",
    )
    assert entry.occurred_at == frozen_clock.current


def test_revoking_removes_the_grant_and_says_so_on_the_timeline(database, frozen_clock, profiles):
    account = add_account()
    set_business(enabled_apps=PRODUCT)
    grant(account, "courses", "affiliates")
    frozen_clock.advance(minutes=1)
    with db.write_session() as session:
        assert grants.revoke_app(session, account_id=account, app_key="courses") is True
        assert grants.revoke_app(session, account_id=account, app_key="courses") is False
        assert grants.revoke_app(session, account_id=account, app_key="communities") is False
    assert access.can_open(account, "courses").reason == access.NOT_GRANTED
    assert access.can_open(account, "affiliates").allowed
    newest = activity.timeline(account).items[0]
    assert (newest.kind, newest.label, newest.summary) == ("app_revoked", "App access removed", "Membership Courses")
    with db.read_session() as session:
        assert [grant.app_key for grant in session.exec(select(AppGrant))] == ["affiliates"]


def test_revoking_leaves_an_app_the_business_gives_everyone(database, profiles):
    account = add_account()
    set_business(enabled_apps=PRODUCT, apps_for_everyone=["courses"])
    grant(account, "courses")
    with db.write_session() as session:
        grants.revoke_app(session, account_id=account, app_key="courses")
    assert access.can_open(account, "courses").allowed


def test_a_grant_or_revoke_of_an_unknown_app_is_refused_and_changes_nothing(database):
    account = add_account()
    for change in (grants.grant_app, grants.revoke_app):
        with (
            pytest.raises(
                ValueError, match="unknown app 'games'; choose from: courses, communities, affiliates, notes"
            ),
            db.write_session() as session,
        ):
            change(session, account_id=account, app_key="games")
    assert activity.timeline(account).items == ()


def test_app_titles_and_choices_come_from_the_registry(database):
    account = add_account()
    grant(account, "notes", "affiliates", "courses")
    with db.read_session() as session:
        assert grants.app_titles(session, account) == ["Membership Courses", "Affiliate Manager", "Notes"]
    assert registry.app_choices() == {
        "courses": "Membership Courses",
        "communities": "Communities",
        "affiliates": "Affiliate Manager",
        "notes": "Notes",
    }


def test_with_the_real_profile_service_a_missing_phone_keeps_apps_closed(database, frozen_clock):
    """No stub: the profile package decides, from the business's required fields and the Profile row."""
    from portal_app.profile.models import Profile

    account = add_account()
    grant(account, "courses")
    assert access.can_open(account, "courses") == access.AccessDecision(False, access.PROFILE_INCOMPLETE)
    with db.write_session() as session:
        session.add(Profile(account_id=account, phone="+442079460958", updated_at=frozen_clock.current))
    assert access.can_open(account, "courses").allowed
    set_business(required_profile_fields=["full_name", "email", "phone", "time_zone"])
    assert access.can_open(account, "courses").reason == access.PROFILE_INCOMPLETE


def test_a_sign_in_lands_on_the_default_app_only_when_it_can_be_opened(database, frozen_clock):
    """The business's default landing app applies to plain "/" sign-ins the account may open now."""
    from portal_app.apps import access
    from portal_app.business.models import BUSINESS_ID, Business

    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.default_landing_app = "courses"
        business.required_profile_fields = ["full_name", "email"]
        session.add(business)
        account = Account(email="lee@example.com", full_name="Lee", created_at=frozen_clock.current)
        session.add(account)
        session.flush()
        account_id = account.id
    assert access.landing_path(account_id, "/") == "/"  # not granted yet
    with db.write_session() as session:
        grants.grant_app(session, account_id=account_id, app_key="courses")
    assert access.landing_path(account_id, "/") == "/apps/courses"
    assert access.landing_path(account_id, "/security") == "/security"


# --- the principal of a session cookie --------------------------------------------------------------------------


def signed_in(account_id: int) -> str:
    with db.write_session() as session:
        return create_session(session, account_id=account_id, auth_method="password", user_agent="test", ip="")


def test_a_sessions_principal_holds_its_business_grants_and_profile_read_in_two_statements(shared_database):
    account = add_account()
    set_business(enabled_apps=PRODUCT, required_profile_fields=["phone", "time_zone"])
    grant(account, "courses", "affiliates")
    token = signed_in(account)
    with QueryCounter() as without_profile:
        principal = access.principal_for_token(token)
    # No profile row yet: every required field is missing.
    assert principal.missing_profile_fields == ("Phone", "Time zone")
    with db.write_session() as session:
        session.add(Profile(account_id=account, phone="+442079460958", updated_at=clock.now()))
    with QueryCounter() as with_profile:
        principal = access.principal_for_token(token)
    assert (principal.account_id, principal.full_name, principal.email) == (account, "Ada Lovelace", "ada@example.com")
    assert list(principal.business.enabled_apps) == PRODUCT
    assert set(principal.grants) == {"courses", "affiliates"}
    assert principal.missing_profile_fields == ("Time zone",)
    assert principal.session is not None and principal.session.account_id == account
    # The session with its account, the business and the profile in one statement; the grants in another.
    assert without_profile.count == with_profile.count == 2


def test_a_session_without_a_business_row_opens_no_app(shared_database):
    account = add_account()
    grant(account, "courses")
    token = signed_in(account)
    with db.write_session() as session:
        session.delete(session.get(Business, BUSINESS_ID))
    principal = access.principal_for_token(token)
    assert principal is not None and principal.business.enabled_apps == ()
    assert access.accessible_apps(principal) == []


def test_no_principal_for_an_unknown_token_or_a_disabled_account(database):
    account = add_account()
    token = signed_in(account)
    assert access.principal_for_token("not-a-token") is None
    assert access.principal_for_token(None) is None
    with db.write_session() as session:
        session.get(Account, account).disabled_at = clock.now()
    assert access.principal_for_token(token) is None
