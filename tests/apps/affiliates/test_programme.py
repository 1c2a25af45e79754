"""Who is in the programme and on what terms: affiliates and their codes, the default campaign, and the
staff's campaign management with its checks and audit entries."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.apps.affiliates import programme
from portal_app.apps.affiliates.models import Affiliate, Campaign
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FormErrors
from portal_app.timeline import service as activity
from tests.apps.support import add_account

OWNER = Actor("owner@example.com", 1)
CODE = re.compile(r"[23456789abcdefghjkmnpqrstuvwxyz]{8}")


@pytest.fixture
def owner(database, frozen_clock) -> Actor:
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    return OWNER


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [entry for entry in entries if action is None or entry.action == action]


def campaigns() -> list[Campaign]:
    with db.read_session() as session:
        return list(session.exec(select(Campaign).order_by(Campaign.id)))


def affiliates() -> list[Affiliate]:
    with db.read_session() as session:
        return list(session.exec(select(Affiliate).order_by(Affiliate.id)))


def make_affiliate(account_id: int) -> Affiliate:
    with db.write_session() as session:
        return programme.ensure_affiliate(session, account_id)


def refused(call) -> dict[str, str]:
    with pytest.raises(FormErrors) as error:
        call()
    return error.value.errors


# --- affiliates and codes --------------------------------------------------------------------------------------


def test_an_account_joins_once_with_a_readable_random_code(database, frozen_clock):
    ada = add_account()
    first = make_affiliate(ada)
    again = make_affiliate(ada)
    assert first.id == again.id and first.code == again.code
    assert CODE.fullmatch(first.code)
    assert len(affiliates()) == 1
    kinds = [item.kind for item in activity.timeline(ada, app_key="affiliates").items]
    assert kinds == ["affiliate_joined"]


def test_codes_differ_between_affiliates(database):
    codes = {make_affiliate(add_account(f"person{n}@example.com")).code for n in range(20)}
    assert len(codes) == 20


def test_a_code_already_taken_is_drawn_again(database, monkeypatch):
    taken = make_affiliate(add_account()).code
    draws = iter([taken, taken, "k7m2xq9p"])
    monkeypatch.setattr(programme, "new_code", lambda: next(draws))
    assert make_affiliate(add_account("grace@example.com")).code == "k7m2xq9p"


@pytest.mark.parametrize("account_id", [0, -1, 2**63, "1", 1.0, True, None, 999])
def test_only_an_existing_account_joins(database, account_id):
    with pytest.raises(LookupError), db.write_session() as session:
        programme.ensure_affiliate(session, account_id)
    assert affiliates() == []


def test_codes_are_found_whatever_their_case(database):
    affiliate = make_affiliate(add_account())
    with db.read_session() as session:
        assert programme.affiliate_by_code(session, affiliate.code).id == affiliate.id
        assert programme.affiliate_by_code(session, f" {affiliate.code.upper()} ").id == affiliate.id


@pytest.mark.parametrize(
    "code", ["", "k7m2xq9", "k7m2xq9pp", "k7m2xq0p", "k7m2-q9p", "k7m2xq9p' OR 1=1 --", "ｋ7m2xq9p", None, 12345678]
)
def test_anything_not_shaped_like_a_code_names_nobody(database, code):
    make_affiliate(add_account())
    with db.read_session() as session:
        assert programme.affiliate_by_code(session, code) is None
        assert programme.affiliate_by_code(session, "k7m2xq9p") is None


def test_two_transactions_making_one_account_an_affiliate_make_one_row(shared_database):
    ada = add_account()
    barrier, codes, errors = threading.Barrier(4), [], []

    def join():
        barrier.wait()
        try:
            codes.append(make_affiliate(ada).code)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=join) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(set(codes)) == 1
    assert len(affiliates()) == 1
    assert [item.kind for item in activity.timeline(ada, app_key="affiliates").items] == ["affiliate_joined"]


# --- the default campaign --------------------------------------------------------------------------------------


def test_the_standard_campaign_is_made_once_when_none_is_default(database, frozen_clock):
    with db.write_session() as session:
        standard = programme.default_campaign(session)
    with db.write_session() as session:
        again = programme.default_campaign(session)
    assert again.id == standard.id
    assert (standard.slug, standard.name, standard.kind, standard.percent_bp) == (
        "standard",
        "Standard",
        "percent",
        2000,
    )
    assert (standard.cookie_days, standard.approval_days, standard.recurring_months) == (30, 30, None)
    assert standard.is_default and not standard.archived
    assert len(campaigns()) == 1


def test_the_default_campaign_is_whichever_staff_chose(owner):
    slug = programme.create_campaign(owner, name="Partners", percent="30")
    programme.set_default(owner, slug)
    with db.write_session() as session:
        assert programme.default_campaign(session).slug == "partners"
    assert [c.slug for c in campaigns()] == ["partners"]


def test_a_standard_address_already_taken_gets_a_suffix(owner):
    programme.create_campaign(owner, name="Standard", percent="10")
    with db.write_session() as session:
        made = programme.default_campaign(session)
    assert made.slug == "standard-2" and made.is_default


def test_concurrent_sales_with_no_campaign_make_one_default(shared_database):
    barrier, made = threading.Barrier(4), []

    def default():
        barrier.wait()
        with db.write_session() as session:
            made.append(programme.default_campaign(session).id)

    threads = [threading.Thread(target=default) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(made) == 4 and len(set(made)) == 1
    assert len(campaigns()) == 1


# --- staff: creating and changing campaigns -----------------------------------------------------------------------


def test_a_percent_campaign_keeps_basis_points(owner):
    slug = programme.create_campaign(owner, name="Summer push", percent="12.5", recurring_months="6")
    [campaign] = programme.list_campaigns()
    assert slug == "summer-push"
    assert (campaign.kind, campaign.percent_bp, campaign.flat_amount, campaign.recurring_months) == (
        "percent",
        1250,
        0,
        6,
    )
    assert campaign.terms == "12.5% of each sale, for 6 months after the referral"


@pytest.mark.parametrize(
    ("text", "basis_points"), [("20", 2000), ("12.5", 1250), ("12.34", 1234), ("0.01", 1), ("100", 10000), ("7 %", 700)]
)
def test_percent_text_becomes_basis_points(owner, text, basis_points):
    programme.create_campaign(owner, name="Any", percent=text)
    assert programme.list_campaigns()[0].percent_bp == basis_points


def test_a_flat_campaign_keeps_its_amount_in_minor_units(owner):
    programme.create_campaign(
        owner, name="Per sale", kind="flat", flat_amount="5", currency="eur", recurring_months="0", approval_days="0"
    )
    [campaign] = programme.list_campaigns()
    assert (campaign.kind, campaign.flat_amount, campaign.currency, campaign.percent_bp) == ("flat", 500, "EUR", 0)
    assert (campaign.recurring_months, campaign.approval_days) == (0, 0)
    assert campaign.terms == "€5.00 per sale, on the customer's first sale"


def test_every_refused_field_is_named_at_once_and_nothing_is_stored(owner):
    errors = refused(
        lambda: programme.create_campaign(
            owner,
            name=" ",
            slug="Bad Slug",
            kind="percent",
            percent="120",
            currency="ZZZ",
            recurring_months="-1",
            cookie_days="0",
            approval_days="366",
        )
    )
    assert set(errors) == {"name", "slug", "percent", "currency", "recurring_months", "cookie_days", "approval_days"}
    assert campaigns() == [] and audit_entries() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "bonus"}, "kind"),
        ({"kind": ["percent"]}, "kind"),
        ({"percent": "0"}, "percent"),
        ({"percent": "12.345"}, "percent"),
        ({"percent": "1e2"}, "percent"),
        ({"percent": "-5"}, "percent"),
        ({"percent": ""}, "percent"),
        ({"kind": "flat", "flat_amount": "0"}, "flat_amount"),
        ({"kind": "flat", "flat_amount": "5.555"}, "flat_amount"),
        ({"kind": "flat", "flat_amount": "-5"}, "flat_amount"),
        ({"kind": "flat", "flat_amount": "5.5", "currency": "JPY"}, "flat_amount"),
        ({"recurring_months": "121"}, "recurring_months"),
        ({"recurring_months": "1.5"}, "recurring_months"),
        ({"cookie_days": "366"}, "cookie_days"),
        ({"cookie_days": ""}, "cookie_days"),
        ({"approval_days": "-1"}, "approval_days"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Bad\u202ename"}, "name"),
        ({"slug": "-leading"}, "slug"),
        ({"slug": "x" * 61}, "slug"),
        ({"slug": "ünï"}, "slug"),
    ],
)
def test_each_bad_value_is_refused_on_its_field(owner, fields, field):
    values = {"name": "Campaign", "percent": "20", **fields}
    assert field in refused(lambda: programme.create_campaign(owner, **values))
    assert campaigns() == []


def test_a_slug_given_must_be_free_and_a_made_one_gets_a_suffix(owner):
    assert programme.create_campaign(owner, name="Spring", percent="10") == "spring"
    assert programme.create_campaign(owner, name="Spring", percent="10") == "spring-2"
    assert "slug" in refused(lambda: programme.create_campaign(owner, name="Other", slug="spring", percent="10"))
    assert programme.create_campaign(owner, name="!!!", percent="10") == "campaign"


def test_creating_is_audited_with_the_terms(owner):
    programme.create_campaign(owner, name="Spring", percent="15")
    [entry] = audit_entries()
    assert (entry.action, entry.target, entry.actor, entry.staff_id) == (
        "affiliates.campaign_created",
        "spring",
        OWNER.label,
        1,
    )
    assert json.loads(entry.detail) == {
        "name": "Spring",
        "terms": "15% of each sale, for as long as the customer buys",
    }


def test_updating_changes_the_terms_keeps_the_address_and_audits_what_changed(owner):
    programme.create_campaign(owner, name="Spring", percent="15")
    programme.update_campaign(owner, "spring", name="Spring sale", kind="flat", flat_amount="3.50", cookie_days="60")
    [campaign] = programme.list_campaigns()
    assert (campaign.slug, campaign.name, campaign.kind, campaign.flat_amount, campaign.percent_bp) == (
        "spring",
        "Spring sale",
        "flat",
        350,
        0,
    )
    assert campaign.cookie_days == 60
    entry = audit_entries("affiliates.campaign_updated")[0]
    assert json.loads(entry.detail) == {
        "name": {"from": "Spring", "to": "Spring sale"},
        "kind": {"from": "percent", "to": "flat"},
        "percent_bp": {"from": 1500, "to": 0},
        "flat_amount": {"from": 0, "to": 350},
        "cookie_days": {"from": 30, "to": 60},
    }


def test_an_update_with_a_bad_field_changes_nothing(owner):
    programme.create_campaign(owner, name="Spring", percent="15")
    assert "percent" in refused(lambda: programme.update_campaign(owner, "spring", name="Spring", kind="percent"))
    assert programme.list_campaigns()[0].percent_bp == 1500
    assert len(audit_entries()) == 1


@pytest.mark.parametrize("slug", ["nope", "", "../x", None, 1, "SPRING"])
def test_unknown_campaigns_are_not_found(owner, slug):
    programme.create_campaign(owner, name="Spring", percent="15")
    with pytest.raises(LookupError):
        programme.update_campaign(owner, slug, name="X", kind="percent", percent="5")
    with pytest.raises(LookupError):
        programme.set_default(owner, slug)
    with pytest.raises(LookupError):
        programme.archive(owner, slug)


def test_one_campaign_is_default_and_switching_is_audited(owner):
    with db.write_session() as session:
        programme.default_campaign(session)
    programme.create_campaign(owner, name="Partners", percent="30")
    programme.set_default(owner, "partners")
    views = programme.list_campaigns()
    assert [(v.slug, v.is_default) for v in views] == [("partners", True), ("standard", False)]
    [entry] = audit_entries("affiliates.campaign_made_default")
    assert entry.target == "partners" and json.loads(entry.detail) == {"previous": "standard"}


def test_archiving_keeps_the_default_and_lists_archived_campaigns_last(owner):
    with db.write_session() as session:
        programme.default_campaign(session)
    programme.create_campaign(owner, name="Autumn", percent="5")
    programme.create_campaign(owner, name="Black Friday", percent="25")
    assert "slug" in refused(lambda: programme.archive(owner, "standard"))
    programme.archive(owner, "autumn")
    assert "slug" in refused(lambda: programme.set_default(owner, "autumn"))
    assert [(v.slug, v.archived) for v in programme.list_campaigns()] == [
        ("standard", False),
        ("black-friday", False),
        ("autumn", True),
    ]
    assert [e.action for e in audit_entries()][-1] == "affiliates.campaign_archived"
