"""An invited account is attributed when its person arrives (their first sign-in, by code or magic link)
carrying a referral cookie; later sign-ins and invitations accepted without the cookie attribute nothing."""

from __future__ import annotations

from portal_app.accounts import code_login, invitations
from portal_app.apps import hooks
from tests.apps.affiliates.test_attribution import ann, link_cookie, referrals  # noqa: F401  (fixture)
from tests.support.accounts import IP, latest_code
from tests.support.browser import TEST_BROWSER


def first_sign_in(email: str, cookies: dict[str, str]) -> None:
    code_login.request_login_code(device=TEST_BROWSER, email=email, ip=IP)
    code_login.login_with_code(device=TEST_BROWSER, email=email, code=latest_code(email), origin=hooks.AccountOrigin(ip=IP, cookies=cookies))


def test_an_invitation_accepted_through_a_referral_link_is_attributed(ann, frozen_clock):  # noqa: F811
    invitations.invite(email="new@example.com", full_name="New Customer", app_keys=["courses"])
    first_sign_in("new@example.com", link_cookie(ann))
    [referral] = referrals()
    assert (referral.customer_email, referral.source) == ("new@example.com", "signup")
    # A later sign-in is not an arrival: nothing more is recorded.
    frozen_clock.advance(minutes=5)
    first_sign_in("new@example.com", link_cookie(ann))
    assert len(referrals()) == 1


def test_an_invitation_accepted_without_the_cookie_is_not_attributed(ann, frozen_clock):  # noqa: F811
    invitations.invite(email="plain@example.com", full_name="Plain Customer", app_keys=["courses"])
    first_sign_in("plain@example.com", {"portal_session": "x"})
    assert referrals() == []
