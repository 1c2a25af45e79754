"""A signup through a referral link becomes the affiliate's referral (the account_created hook); one without the
cookie, with a forged or expired one, or an affiliate's own, does not; an email already referred keeps its affiliate."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from portal_app.accounts import signup
from portal_app.apps import hooks
from portal_app.apps.affiliates import attribution
from portal_app.apps.affiliates.models import Affiliate, Referral
from portal_app.kernel import clock, db
from portal_app.timeline.models import Activity
from tests.apps.affiliates.test_links import (
    COOKIE,
    add_campaign,
    client,
    cookie_of,
    default_campaign_id,
    make_affiliate,
)
from tests.apps.support import set_business
from tests.support.accounts import IP, accounts_for, begin_signup, latest_code


def sign_up_with(email: str, cookies: dict[str, str] | None) -> int:
    """A whole signup through the real service, from a browser carrying `cookies`; returns the new account's id."""
    flow = begin_signup(email)
    signup.verify_signup(flow, latest_code(email.lower()), origin=hooks.AccountOrigin(ip=IP, cookies=cookies or {}))
    return accounts_for(email.lower())[-1].id


def referrals() -> list[Referral]:
    with db.read_session() as session:
        return list(session.exec(select(Referral).order_by(Referral.id)))


def affiliate_account(code: str) -> int:
    with db.read_session() as session:
        return session.exec(select(Affiliate.account_id).where(Affiliate.code == code)).one()


def timeline_kinds(account_id: int) -> list[str]:
    with db.read_session() as session:
        return list(session.exec(select(Activity.kind).where(Activity.account_id == account_id).order_by(Activity.id)))


@pytest.fixture
def ann(database, frozen_clock) -> str:
    return make_affiliate("ann@example.com")


def link_cookie(code: str, path: str = "") -> dict[str, str]:
    """The cookies a browser keeps after following the affiliate's link (and a cookie of the portal's own)."""
    return {COOKIE: cookie_of(client().get(f"/r/{code}{path}")), "portal_session": "not-for-apps"}


def test_a_signup_with_the_link_cookie_becomes_the_affiliates_referral(ann, frozen_clock):
    cookies = link_cookie(ann)
    frozen_clock.advance(days=3)
    account_id = sign_up_with("New.Customer@Example.com", cookies)
    [referral] = referrals()
    assert (referral.account_id, referral.customer_email, referral.source) == (
        account_id,
        "new.customer@example.com",
        "signup",
    )
    assert referral.campaign_id == default_campaign_id() and referral.created_at == frozen_clock.current
    with db.read_session() as session:
        assert session.get(Affiliate, referral.affiliate_id).code == ann
    assert "referral_signed_up" in timeline_kinds(affiliate_account(ann))
    assert "referral_signed_up" not in timeline_kinds(account_id)


def test_a_signup_without_the_cookie_is_nobodys_referral(ann):
    account_id = sign_up_with("walk.in@example.com", None)
    assert accounts_for("walk.in@example.com")[0].id == account_id
    assert referrals() == [] and "referral_signed_up" not in timeline_kinds(affiliate_account(ann))


def test_a_forged_tampered_or_expired_cookie_earns_nothing_and_the_signup_goes_through(ann, frozen_clock):
    bob = make_affiliate("bob@example.com")
    genuine = link_cookie(ann)[COOKIE]
    payload, signature = genuine.rsplit(".", 1)
    for number, forged in enumerate(
        (
            genuine.replace(f".{ann}.", f".{bob}."),
            f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
            payload,
            f"1.{bob}.1.{int(clock.now().timestamp())}.0123456789abcdef.{'A' * 43}",
            "<script>alert(1)</script>",
        )
    ):
        sign_up_with(f"forged{number}@example.com", {COOKIE: forged})
    frozen_clock.advance(days=30, seconds=1)
    sign_up_with("late@example.com", {COOKIE: genuine})
    assert len(accounts_for("late@example.com")) == 1
    assert referrals() == []


def test_an_affiliate_cannot_refer_their_own_account_or_email(ann):
    set_business(allow_duplicate_contacts=True)
    cookies = link_cookie(ann)
    own = affiliate_account(ann)
    with db.write_session() as session:
        attribution.account_created(session, own, hooks.AccountOrigin(cookies=cookies))
    # A second account on the affiliate's own email (duplicates allowed) is still the affiliate.
    second = sign_up_with("ANN@example.com", cookies)
    assert second != own
    assert referrals() == [] and "referral_signed_up" not in timeline_kinds(own)


def test_an_email_already_referred_stays_with_its_first_affiliate(ann):
    bob = make_affiliate("bob@example.com")
    campaign_id = default_campaign_id()
    with db.write_session() as session:
        bob_id = session.exec(select(Affiliate.id).where(Affiliate.code == bob)).one()
        session.add(
            Referral(
                affiliate_id=bob_id,
                campaign_id=campaign_id,
                customer_email="cy@example.com",
                source="sale",
                created_at=clock.now(),
            )
        )
    sign_up_with("cy@example.com", link_cookie(ann))
    [referral] = referrals()
    assert (referral.affiliate_id, referral.source, referral.account_id) == (bob_id, "sale", None)
    assert "referral_signed_up" not in timeline_kinds(affiliate_account(ann))


def test_the_campaign_of_the_link_is_the_referrals(ann):
    spring = add_campaign("spring", cookie_days=7)
    sign_up_with("spring@example.com", link_cookie(ann, "/spring"))
    assert [referral.campaign_id for referral in referrals()] == [spring]


def test_a_failure_in_attribution_never_costs_the_signup(ann, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(attribution, "live_referrer", broken)
    caplog.set_level(logging.ERROR)
    sign_up_with("lucky@example.com", link_cookie(ann))
    assert len(accounts_for("lucky@example.com")) == 1 and referrals() == []
    assert "could not attribute account" in caplog.text
