"""Affiliate Manager's admin pages through the real Reflex event pipeline: the overview, campaigns, affiliates,
commissions, payouts, and sales with the webhook panel.

Every public handler is sent by tabs without a staff session (none, a client's session, a client's session
token in the staff cookie) and must change nothing, show nothing and send the tab to sign in; the flows run
for staff; hostile payloads (forms that are not forms, made-up ids, fake uploads) are refused with a
message and without an exception or a stored change.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from sqlmodel import col, select

from portal_app.admin import staff_sessions
from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.admin.ui.base_state import AdminState
from portal_app.apps.affiliates import admin_views, ledger, programme, webhook
from portal_app.apps.affiliates.models import (
    Affiliate,
    Campaign,
    Commission,
    Payout,
    Referral,
    Refund,
    Sale,
    WebhookSecret,
)
from portal_app.apps.affiliates.ui.admin_affiliates_state import AffiliatesListAdminState as LIST
from portal_app.apps.affiliates.ui.admin_campaigns_state import AffiliatesCampaignsAdminState as CAMPAIGNS
from portal_app.apps.affiliates.ui.admin_commissions_state import AffiliatesCommissionsAdminState as COMMISSIONS
from portal_app.apps.affiliates.ui.admin_overview_state import AffiliatesOverviewAdminState as OVERVIEW
from portal_app.apps.affiliates.ui.admin_payouts_state import AffiliatesPayoutsAdminState as PAYOUTS
from portal_app.apps.affiliates.ui.admin_sales_state import AffiliatesSalesAdminState as SALES
from portal_app.kernel import clock, db
from portal_app.timeline.models import Activity
from tests.apps.courses.test_courses_state import cookie_for
from tests.apps.support import add_account, grant, set_business
from tests.support.admin import STAFF_EMAIL, create_staff, staff_session_token
from tests.support.admin_states import staff_cookie, whole_state_text
from tests.support.hostile_input import NOT_A_FORM, ONE_MB, assert_human_message, assert_nothing_crashed, check_each

BASE = "/admin/apps/affiliates"
PAGES = {
    "overview": BASE,
    "campaigns": f"{BASE}/campaigns",
    "affiliates": f"{BASE}/affiliates",
    "commissions": f"{BASE}/commissions",
    "payouts": f"{BASE}/payouts",
    "sales": f"{BASE}/sales",
}
ADMIN_LOGIN = "/admin/login"
CREATOR = Actor("creator@example.com")
TABLES = (Campaign, Affiliate, Referral, Sale, Commission, Refund, Payout, WebhookSecret, AuditEntry, Activity)
# Text only the admin pages' data holds: none of it may reach a tab without a staff session.
SECRETS = ("Ann Zanzibar", "ann.hidden@example.com", "Quokka deal", "order-yeti")


@dataclasses.dataclass(frozen=True)
class Site:
    ann: Affiliate
    bob: Affiliate
    ready: int  # Ann's pending commission, past its refund window
    waiting: int  # Ann's pending commission, still in its window
    bobs_pending: int  # Bob's, in its window
    bobs_approved: int  # Bob's approved commission (100.00 due)
    secret: str


def make_affiliate(email: str, name: str) -> Affiliate:
    account = add_account(email, name)
    grant(account, "affiliates")
    with db.write_session() as session:
        programme.default_campaign(session)
        found = programme.ensure_affiliate(session, account)
        session.expunge(found)
        return found


def sell(code: str, amount: int, external: str) -> int:
    with db.write_session() as session:
        return ledger.record_sale(
            session,
            idempotency_key=f"key-{external}",
            external_id=external,
            amount=amount,
            currency="USD",
            customer_email=f"{external}@customers.example",
            referral_code=code,
            occurred_at=clock.now(),
            source="webhook",
        ).commission_id


@pytest.fixture
def site(pipeline, frozen_clock, profiles) -> Site:
    set_business(enabled_apps=["affiliates"])
    with db.write_session() as session:
        session.add(StaffAccount(id=99, email=CREATOR.label, name="Creator", password_hash="-", created_at=clock.now()))
    ann = make_affiliate("ann.hidden@example.com", "Ann Zanzibar")
    bob = make_affiliate("bob@example.com", "Bob Babbage")
    programme.create_campaign(CREATOR, name="Quokka deal", kind="flat", flat_amount="5", currency="USD")
    ready = sell(ann.code, 10_000, "order-yeti-1")
    bobs_approved = sell(bob.code, 50_000, "order-0")
    frozen_clock.advance(days=31)
    ledger.approve(CREATOR, [bobs_approved])
    waiting = sell(ann.code, 5_000, "order-2")
    frozen_clock.advance(minutes=1)
    bobs_pending = sell(bob.code, 20_000, "order-3")
    return Site(ann, bob, ready, waiting, bobs_pending, bobs_approved, webhook.current_secret())


@pytest.fixture
def staff(site) -> str:
    create_staff()
    return staff_cookie(staff_session_token())


def snapshot() -> dict[str, list[dict[str, Any]]]:
    with db.read_session() as session:
        return {
            model.__name__: [row.model_dump() for row in session.exec(select(model).order_by(col(model.id)))]
            for model in TABLES
        }


def audit_actions() -> list[tuple[str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.actor, entry.action.removeprefix("affiliates.")) for entry in entries]


def status_of(commission_id: int) -> str:
    with db.read_session() as session:
        return session.get(Commission, commission_id).status


def form(**fields: object) -> dict[str, object]:
    return {"form_data": fields}


def upload_of(data: bytes, name: str = "payouts.csv") -> dict:
    return {"files": [rx.UploadFile(file=io.BytesIO(data), path=Path(name))]}


async def open_tab(pipeline, cookie: str, page: str):
    client = await pipeline.connect(PAGES.get(page, page), cookie=cookie)
    client.clear_updates()
    return client


# --- every handler, and what a page would send it ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Spec:
    state: type
    name: str
    page: str
    payload: Callable[[Site], dict]

    def __str__(self) -> str:
        return f"{self.state.__name__}.{self.name}"


PAYOUT_FORM = {
    "affiliate": "bob@example.com",
    "method": "bank",
    "reference": "R",
    "paid_on": "2026-02-15",
    "currency": "USD",
}
SPECS = (
    Spec(OVERVIEW, "load", "overview", lambda s: {}),
    Spec(CAMPAIGNS, "load", "campaigns", lambda s: {}),
    Spec(CAMPAIGNS, "create_campaign", "campaigns", lambda s: form(name="Hijacked", kind="percent", percent="90")),
    Spec(CAMPAIGNS, "start_edit", "campaigns", lambda s: {"slug": "standard"}),
    Spec(CAMPAIGNS, "cancel_edit", "campaigns", lambda s: {}),
    Spec(
        CAMPAIGNS,
        "save_campaign",
        "campaigns",
        lambda s: form(edit_name="Hijacked", edit_kind="percent", edit_percent="99"),
    ),
    Spec(CAMPAIGNS, "make_default", "campaigns", lambda s: {"slug": "quokka-deal"}),
    Spec(CAMPAIGNS, "archive_campaign", "campaigns", lambda s: {"slug": "quokka-deal"}),
    Spec(LIST, "load", "affiliates", lambda s: {}),
    Spec(LIST, "search_affiliates", "affiliates", lambda s: form(affiliate_query="ann")),
    Spec(LIST, "more_affiliates", "affiliates", lambda s: {}),
    Spec(COMMISSIONS, "load", "commissions", lambda s: {}),
    Spec(COMMISSIONS, "filter_commissions", "commissions", lambda s: form(commission_status="approved")),
    Spec(COMMISSIONS, "older_commissions", "commissions", lambda s: {}),
    Spec(COMMISSIONS, "toggle_commission", "commissions", lambda s: {"commission_id": str(s.ready), "checked": True}),
    Spec(COMMISSIONS, "toggle_all_shown", "commissions", lambda s: {"checked": True}),
    Spec(COMMISSIONS, "approve_selected", "commissions", lambda s: {}),
    Spec(COMMISSIONS, "reject_selected", "commissions", lambda s: form(reject_reason="Hijacked")),
    Spec(COMMISSIONS, "approve_one", "commissions", lambda s: {"commission_id": str(s.ready)}),
    Spec(COMMISSIONS, "reject_one_dialog", "commissions", lambda s: {"commission_id": str(s.ready), "is_open": True}),
    Spec(COMMISSIONS, "reject_one", "commissions", lambda s: form(commission_id=str(s.ready), reason="Hijacked")),
    Spec(PAYOUTS, "load", "payouts", lambda s: {}),
    Spec(PAYOUTS, "older_payouts", "payouts", lambda s: {}),
    Spec(PAYOUTS, "prepare_payout", "payouts", lambda s: {"code": s.bob.code, "currency": "USD"}),
    Spec(PAYOUTS, "record_payout", "payouts", lambda s: form(**PAYOUT_FORM)),
    Spec(PAYOUTS, "import_payouts", "payouts", lambda s: form(csv=f"{s.bob.code},USD,bank,R,2026-02-15")),
    Spec(PAYOUTS, "upload_payouts", "payouts", lambda s: upload_of(f"{s.bob.code},USD,bank,R,2026-02-15".encode())),
    Spec(SALES, "load", "sales", lambda s: {}),
    Spec(
        SALES,
        "record_sale",
        "sales",
        lambda s: form(form_key="sale-manual-" + "0" * 32, amount="10", currency="USD", referral_code=s.ann.code),
    ),
    Spec(
        SALES,
        "record_refund",
        "sales",
        lambda s: form(form_key="refund-manual-" + "0" * 32, refund_external_id="order-2", refund_amount="1"),
    ),
    Spec(SALES, "import_sales", "sales", lambda s: form(sales_csv=f"order-x,5,USD,,{s.ann.code},")),
    Spec(SALES, "upload_sales", "sales", lambda s: upload_of(f"order-x,5,USD,,{s.ann.code},".encode(), "sales.csv")),
    Spec(SALES, "toggle_secret", "sales", lambda s: {}),
    Spec(SALES, "rotate_secret", "sales", lambda s: {}),
    Spec(SALES, "refresh_calls", "sales", lambda s: {}),
)
STATES = (OVERVIEW, CAMPAIGNS, LIST, COMMISSIONS, PAYOUTS, SALES)


@pytest.mark.parametrize("state", STATES, ids=lambda state: state.__name__)
def test_every_handler_has_a_spec_here(state):
    """A new handler must be added to SPECS so the refusal tests send it."""
    assert sorted(spec.name for spec in SPECS if spec.state is state) == sorted(
        name for name in state.event_handlers if name != "setvar"
    )


# --- 1. only staff ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=str)
async def test_a_tab_without_a_staff_session_changes_and_sees_nothing(pipeline, caplog, site, spec):
    client_cookie = cookie_for(site.ann.account_id)
    create_staff()
    ended = staff_session_token()
    staff_sessions.end_session(ended)
    cases = {
        "anonymous": None,
        "client": client_cookie,
        "client-session-in-the-staff-cookie": f"{STAFF_COOKIE}={client_cookie.split('=', 1)[1]}",
        "ended-staff-session": staff_cookie(ended),
        "garbage": f"{STAFF_COOKIE}=garbage",
    }
    before = snapshot()

    async def check(cookie):
        client = await pipeline.connect(PAGES[spec.page], cookie=cookie)
        client.clear_updates()
        await client.send(getattr(spec.state, spec.name), spec.payload(site))
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before, "the database changed"
        text = await whole_state_text(client)
        leaked = [secret for secret in (*SECRETS, site.secret, site.ann.code) if secret in text]
        assert leaked == [], "admin data in the state"
        assert (await client.state(AdminState)).staff_signed_in is False
        assert client.redirects() == [ADMIN_LOGIN]

    await check_each(pipeline, caplog, cases, check)


# --- 2. the overview and the affiliates list ------------------------------------------------------------------


async def test_the_overview_shows_the_programme(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "overview")
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(OVERVIEW)
    assert [(row.currency, row.pending, row.approved, row.paid) for row in state.overview_totals] == [
        ("USD", "$70.00", "$100.00", "$0.00")
    ]
    assert (state.overview_affiliates, state.overview_referrals, state.overview_sales) == (2, 4, 4)
    assert (state.overview_pending, state.overview_approvable, state.overview_campaigns) == (3, 1, 2)
    assert state.overview_default == "Standard: 20% of each sale, for as long as the customer buys"


async def test_the_affiliates_list_searches_and_pages(pipeline, caplog, site, staff, monkeypatch):
    client = await open_tab(pipeline, staff, "affiliates")
    state = await client.state(LIST)
    assert [
        (row.name, row.code, row.referrals, row.pending, row.approved, row.paid) for row in state.affiliate_rows
    ] == [
        ("Bob Babbage", site.bob.code, 2, "$40.00", "$100.00", "None"),
        ("Ann Zanzibar", site.ann.code, 2, "$30.00", "None", "None"),
    ]
    await client.send(LIST.search_affiliates, form(affiliate_query="  ZANZI "))
    state = await client.state(LIST)
    assert ([row.name for row in state.affiliate_rows], state.affiliate_query) == (["Ann Zanzibar"], "ZANZI")
    await client.send(LIST.search_affiliates, form(affiliate_query="100%_"))
    assert (await client.state(LIST)).affiliate_rows == []
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 1)
    await client.send(LIST.search_affiliates, form(affiliate_query=""))
    state = await client.state(LIST)
    assert ([row.name for row in state.affiliate_rows], state.affiliates_more) == (["Bob Babbage"], True)
    await client.send(LIST.more_affiliates, {})
    state = await client.state(LIST)
    assert ([row.name for row in state.affiliate_rows], state.affiliates_more) == (
        ["Bob Babbage", "Ann Zanzibar"],
        False,
    )
    await client.send(LIST.more_affiliates, {})
    assert len((await client.state(LIST)).affiliate_rows) == 2

    async def check(payload):
        await client.send(LIST.search_affiliates, {"form_data": payload})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(LIST)).affiliate_query == ""

    await check_each(pipeline, caplog, NOT_A_FORM, check)


# --- 3. campaigns ---------------------------------------------------------------------------------------------


async def test_campaigns_are_created_edited_made_default_and_archived(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "campaigns")
    state = await client.state(CAMPAIGNS)
    assert [(row.slug, row.is_default, row.referrals, row.terms) for row in state.campaign_rows] == [
        ("standard", True, 4, "20% of each sale, for as long as the customer buys"),
        ("quokka-deal", False, 0, "$5.00 per sale, for as long as the customer buys"),
    ]
    before = snapshot()
    await client.send(
        CAMPAIGNS.create_campaign,
        form(
            name=" ",
            slug="Bad Slug",
            kind="flat",
            percent="",
            flat_amount="0.001",
            currency="USD",
            recurring_months="x",
            cookie_days="0",
            approval_days="999",
        ),
    )
    state = await client.state(CAMPAIGNS)
    assert state.campaigns_notice == "Nothing was created. Correct the fields marked below."
    assert {field: message for field, message in state.create_errors.items() if message} == {
        "name": "Give the campaign a name.",
        "slug": "Use 1-60 lower-case letters, digits or hyphens, starting with a letter or digit.",
        "flat_amount": "USD has 2 decimal places: enter at most 2 after the point.",
        "recurring_months": "Enter how many months sales pay (0 for the first sale only, at most 120), "
        "or leave it empty for every sale.",
        "cookie_days": "Enter how many days a referral link counts, from 1 to 365.",
        "approval_days": "Enter how many days a commission waits before approval (the refund window), from 0 to 365.",
    }
    assert snapshot() == before
    await client.send(
        CAMPAIGNS.create_campaign,
        form(
            name="Launch week",
            slug="",
            kind="percent",
            percent="12.5",
            flat_amount="",
            currency="eur",
            recurring_months="0",
            cookie_days="7",
            approval_days="14",
        ),
    )
    state = await client.state(CAMPAIGNS)
    assert state.campaigns_notice == "Created the campaign at the address launch-week. Its links end in /launch-week."
    assert ("launch-week", "12.5% of each sale, on the customer's first sale") in [
        (row.slug, row.terms) for row in state.campaign_rows
    ]
    await client.send(CAMPAIGNS.start_edit, {"slug": "quokka-deal"})
    state = await client.state(CAMPAIGNS)
    assert (state.edit_slug, state.edit_name) == ("quokka-deal", "Quokka deal")
    assert state.edit_values == {
        "name": "Quokka deal",
        "slug": "quokka-deal",
        "kind": "flat",
        "percent": "",
        "flat_amount": "5.00",
        "currency": "USD",
        "recurring_months": "",
        "cookie_days": "30",
        "approval_days": "30",
    }
    edit = {
        "edit_name": "Quokka deal",
        "edit_kind": "flat",
        "edit_percent": "",
        "edit_flat_amount": "abc",
        "edit_currency": "USD",
        "edit_recurring_months": "",
        "edit_cookie_days": "30",
        "edit_approval_days": "30",
    }
    await client.send(CAMPAIGNS.save_campaign, form(**edit))
    state = await client.state(CAMPAIGNS)
    assert (state.edit_errors["flat_amount"], state.edit_slug) == (
        "Enter an amount in USD with digits only, like 12.34.",
        "quokka-deal",
    )
    await client.send(CAMPAIGNS.save_campaign, form(**{**edit, "edit_flat_amount": "7.50", "edit_cookie_days": "60"}))
    state = await client.state(CAMPAIGNS)
    assert (state.campaigns_notice, state.edit_slug) == (
        "Saved Quokka deal. The new terms apply to sales recorded from now on.",
        "",
    )
    assert ("quokka-deal", "$7.50 per sale, for as long as the customer buys", 60) in [
        (row.slug, row.terms, row.cookie_days) for row in state.campaign_rows
    ]
    await client.send(CAMPAIGNS.save_campaign, form(**edit))
    assert (await client.state(CAMPAIGNS)).campaigns_error == "Choose a campaign to edit first."

    await client.send(CAMPAIGNS.archive_campaign, {"slug": "standard"})
    assert (await client.state(CAMPAIGNS)).campaigns_error == (
        "This is the default campaign: make another one the default first."
    )
    await client.send(CAMPAIGNS.make_default, {"slug": "quokka-deal"})
    state = await client.state(CAMPAIGNS)
    assert state.campaigns_notice == "Quokka deal is the default campaign now: new referrals join it."
    assert [row.slug for row in state.campaign_rows if row.is_default] == ["quokka-deal"]
    await client.send(CAMPAIGNS.archive_campaign, {"slug": "standard"})
    state = await client.state(CAMPAIGNS)
    assert state.campaigns_notice.startswith("Archived Standard:")
    await client.send(CAMPAIGNS.make_default, {"slug": "standard"})
    assert (await client.state(CAMPAIGNS)).campaigns_error == (
        "An archived campaign cannot be the default. Pick a live one."
    )
    assert_nothing_crashed(pipeline, caplog)
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == [
        "campaign_created",
        "campaign_updated",
        "campaign_made_default",
        "campaign_archived",
    ]


BAD_SLUGS = {
    "unknown": "nope",
    "path": "../standard",
    "none": None,
    "int": 7,
    "list": ["standard"],
    "dict": {"$ne": ""},
    "huge": "x" * ONE_MB,
    "upper": "STANDARD",
}


async def test_bad_campaign_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "campaigns")
    before = snapshot()

    async def check(slug):
        for handler in (CAMPAIGNS.make_default, CAMPAIGNS.archive_campaign, CAMPAIGNS.start_edit):
            await client.send(handler, {"slug": slug})
            assert_nothing_crashed(pipeline, caplog)
            state = await client.state(CAMPAIGNS)
            assert state.campaigns_error == "That campaign is not there any more."
            assert state.edit_slug == ""
        assert snapshot() == before

    await check_each(pipeline, caplog, BAD_SLUGS, check)


@pytest.mark.parametrize("name", ["create_campaign", "save_campaign"])
async def test_campaign_forms_that_are_not_forms_are_refused_with_a_message(pipeline, caplog, site, staff, name):
    client = await open_tab(pipeline, staff, "campaigns")
    await client.send(CAMPAIGNS.start_edit, {"slug": "quokka-deal"})
    before = snapshot()

    async def check(payload):
        await client.send(getattr(CAMPAIGNS, name), {"form_data": payload})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(CAMPAIGNS)
        messages = [message for message in (*state.create_errors.values(), *state.edit_errors.values()) if message]
        assert messages
        for message in messages:
            assert_human_message(message)
        assert snapshot() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


# --- 4. commissions -------------------------------------------------------------------------------------------


async def test_ticked_commissions_are_approved_and_the_refused_ones_say_why(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "commissions")
    state = await client.state(COMMISSIONS)
    assert [(row.id, row.amount, row.may_approve) for row in state.commission_rows] == [
        (site.bobs_pending, "$40.00", False),
        (site.waiting, "$10.00", False),
        (site.ready, "$20.00", True),
    ]
    assert state.commission_rows[2].label == f"commission {site.ready} of $20.00"
    assert state.commission_rows[2].note == "Refund window over: ready to approve."
    assert state.commission_rows[1].note == "Refund window ends 17 Mar 2026, 12:00 UTC."

    await client.send(COMMISSIONS.approve_selected, {})
    assert (await client.state(COMMISSIONS)).selection_error == "Tick at least one commission first."
    await client.send(COMMISSIONS.toggle_commission, {"commission_id": str(site.ready), "checked": True})
    await client.send(COMMISSIONS.toggle_commission, {"commission_id": str(site.waiting), "checked": True})
    state = await client.state(COMMISSIONS)
    assert (sorted(state.selected_ids), state.selected_count, state.all_shown_selected) == (
        sorted([str(site.ready), str(site.waiting)]),
        2,
        False,
    )
    await client.send(COMMISSIONS.toggle_commission, {"commission_id": str(site.waiting), "checked": False})
    await client.send(COMMISSIONS.toggle_all_shown, {"checked": True})
    assert (await client.state(COMMISSIONS)).all_shown_selected is True
    await client.send(COMMISSIONS.approve_selected, {})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(COMMISSIONS)
    assert state.commissions_notice == "Approved 1 commission. 2 commissions could not be approved: see why below."
    assert [(row.id, row.why) for row in state.refused_rows] == [
        (site.bobs_pending, "Its refund window ends on 17 March 2026, 12:01 UTC."),
        (site.waiting, "Its refund window ends on 17 March 2026, 12:00 UTC."),
    ]
    assert state.refused_rows[1].label == f"Commission {site.waiting} of $10.00, Ann Zanzibar"
    assert [(row.id, row.refused != "") for row in state.commission_rows] == [
        (site.bobs_pending, True),
        (site.waiting, True),
    ]
    assert state.selected_ids == []
    assert status_of(site.ready) == "approved"


async def test_rejecting_needs_a_reason_and_one_row_can_be_decided_alone(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "commissions")
    await client.send(COMMISSIONS.toggle_all_shown, {"checked": True})
    before = snapshot()
    await client.send(COMMISSIONS.reject_selected, form(reject_reason="   "))
    state = await client.state(COMMISSIONS)
    assert (state.reject_reason_error, state.selected_count) == ("Say why, for the affiliate to read.", 3)
    assert snapshot() == before
    await client.send(COMMISSIONS.toggle_commission, {"commission_id": str(site.ready), "checked": False})
    await client.send(COMMISSIONS.reject_selected, form(reject_reason="Self-referral through a second account"))
    state = await client.state(COMMISSIONS)
    assert state.commissions_notice == "Rejected 2 commissions."
    assert [row.id for row in state.commission_rows] == [site.ready]
    assert status_of(site.waiting) == status_of(site.bobs_pending) == "rejected"

    await client.send(COMMISSIONS.reject_one_dialog, {"commission_id": str(site.ready), "is_open": True})
    assert (await client.state(COMMISSIONS)).reject_one_id == str(site.ready)
    await client.send(COMMISSIONS.reject_one, form(commission_id=str(site.ready), reason=""))
    state = await client.state(COMMISSIONS)
    assert (state.reject_one_error, state.reject_one_id) == ("Say why, for the affiliate to read.", str(site.ready))
    await client.send(COMMISSIONS.reject_one_dialog, {"commission_id": str(site.ready), "is_open": False})
    assert (await client.state(COMMISSIONS)).reject_one_id == ""
    await client.send(COMMISSIONS.approve_one, {"commission_id": str(site.ready)})
    state = await client.state(COMMISSIONS)
    assert (state.commissions_notice, state.commission_rows) == ("Approved 1 commission.", [])

    await client.send(COMMISSIONS.filter_commissions, form(commission_status="approved"))
    state = await client.state(COMMISSIONS)
    assert [row.id for row in state.commission_rows] == [site.bobs_approved, site.ready]
    await client.send(COMMISSIONS.reject_one_dialog, {"commission_id": str(site.bobs_approved), "is_open": True})
    await client.send(COMMISSIONS.reject_one, form(commission_id=str(site.bobs_approved), reason="Chargeback"))
    state = await client.state(COMMISSIONS)
    assert (state.commissions_notice, state.reject_one_id) == ("Rejected 1 commission.", "")
    assert status_of(site.bobs_approved) == "rejected"
    assert_nothing_crashed(pipeline, caplog)
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == [
        "commissions_rejected",
        "commissions_approved",
        "commissions_rejected",
    ]


async def test_a_paid_commission_in_a_list_is_refused_with_why(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "commissions")
    await client.send(COMMISSIONS.filter_commissions, form(commission_status="approved"))
    await client.send(COMMISSIONS.toggle_all_shown, {"checked": True})
    ledger.record_payout(CREATOR, site.bob.id, method="bank", reference="", paid_on="2026-02-15", currency="USD")
    await client.send(COMMISSIONS.reject_selected, form(reject_reason="Too late"))
    state = await client.state(COMMISSIONS)
    assert state.commissions_notice == "Nothing was rejected. 1 commission could not be rejected: see why below."
    assert [(row.id, row.why) for row in state.refused_rows] == [(site.bobs_approved, "It was paid already.")]
    assert status_of(site.bobs_approved) == "paid"


BAD_IDS = {
    "another-state": "approved-one",
    "unknown": "999999",
    "zero": "0",
    "negative": "-1",
    "huge": "9" * 40,
    "int": 5,
    "none": None,
    "list": ["1"],
    "dict": {"$ne": ""},
    "sql": "1 OR 1=1",
    "one-mb": "1" * ONE_MB,
}


async def test_bad_commission_ids_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "commissions")
    before = snapshot()
    cases = {**BAD_IDS, "another-state": str(site.bobs_approved)}

    async def check(value):
        await client.send(COMMISSIONS.toggle_commission, {"commission_id": value, "checked": True})
        await client.send(COMMISSIONS.toggle_all_shown, {"checked": "yes"})
        assert (await client.state(COMMISSIONS)).selected_ids == []
        await client.send(COMMISSIONS.approve_one, {"commission_id": value})
        state = await client.state(COMMISSIONS)
        assert state.commissions_error == "That commission is not on this page any more. The list is up to date now."
        for is_open in (True, "true", 1, None):
            await client.send(COMMISSIONS.reject_one_dialog, {"commission_id": value, "is_open": is_open})
            assert (await client.state(COMMISSIONS)).reject_one_id == ""
        await client.send(COMMISSIONS.reject_one, form(commission_id=value, reason="Because"))
        await client.send(COMMISSIONS.reject_one, {"form_data": value})
        await client.send(COMMISSIONS.filter_commissions, {"form_data": value})
        assert (await client.state(COMMISSIONS)).commission_status == "pending"
        await client.send(COMMISSIONS.reject_selected, {"form_data": value})
        assert (await client.state(COMMISSIONS)).selection_error == "Tick at least one commission first."
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before

    await check_each(pipeline, caplog, cases, check)


async def test_the_commissions_page_opens_on_the_state_in_its_address_and_pages(
    pipeline, caplog, site, staff, monkeypatch
):
    client = await open_tab(pipeline, staff, f"{PAGES['commissions']}?status=approved")
    state = await client.state(COMMISSIONS)
    assert (state.commission_status, [row.id for row in state.commission_rows]) == ("approved", [site.bobs_approved])
    client = await open_tab(pipeline, staff, f"{PAGES['commissions']}?status=<script>")
    assert (await client.state(COMMISSIONS)).commission_status == "pending"
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    await client.send(COMMISSIONS.filter_commissions, form(commission_status="pending"))
    await client.send(COMMISSIONS.toggle_all_shown, {"checked": True})
    state = await client.state(COMMISSIONS)
    assert (len(state.commission_rows), state.commissions_more, state.selected_count) == (2, True, 2)
    await client.send(COMMISSIONS.older_commissions, {})
    state = await client.state(COMMISSIONS)
    assert ([row.id for row in state.commission_rows], state.commissions_more, state.all_shown_selected) == (
        [site.bobs_pending, site.waiting, site.ready],
        False,
        False,
    )
    assert_nothing_crashed(pipeline, caplog)


# --- 5. payouts -------------------------------------------------------------------------------------------------


async def test_a_payout_is_prepared_from_what_is_due_and_recorded(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "payouts")
    state = await client.state(PAYOUTS)
    assert [(row.code, row.currency, row.amount, row.commissions) for row in state.due_rows] == [
        (site.bob.code, "USD", "$100.00", 1)
    ]
    assert state.payout_defaults["paid_on"] == "2026-02-15"
    await client.send(PAYOUTS.prepare_payout, {"code": site.bob.code, "currency": "USD"})
    state = await client.state(PAYOUTS)
    assert state.payout_defaults == {
        "affiliate": site.bob.code,
        "method": "paypal",
        "reference": "",
        "paid_on": "2026-02-15",
        "currency": "USD",
    }
    assert client.scripts()[-1] == "document.getElementById('reference')?.focus()"
    before = snapshot()
    await client.send(PAYOUTS.record_payout, form(**{**PAYOUT_FORM, "affiliate": "zed@example.com"}))
    state = await client.state(PAYOUTS)
    assert (state.payouts_notice, state.payout_errors["affiliate"]) == (
        "Nothing was recorded. Correct the fields marked below.",
        "No affiliate has that referral code or email address.",
    )
    await client.send(PAYOUTS.record_payout, form(**{**PAYOUT_FORM, "method": "cash", "paid_on": "2099-01-01"}))
    state = await client.state(PAYOUTS)
    assert (state.payout_errors["method"], state.payout_errors["paid_on"]) == (
        "Choose how it was paid: paypal or bank.",
        "Enter the date the payout was sent: not in the future, not before 2000.",
    )
    await client.send(PAYOUTS.record_payout, form(**{**PAYOUT_FORM, "affiliate": site.ann.code}))
    assert (await client.state(PAYOUTS)).payout_errors["currency"] == (
        "This affiliate has no approved commissions in USD to pay."
    )
    assert snapshot() == before
    await client.send(PAYOUTS.record_payout, form(**PAYOUT_FORM))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(PAYOUTS)
    assert state.payouts_notice == "Recorded a payout of $100.00 to Bob Babbage: 1 approved commission marked paid."
    assert state.due_rows == []
    assert [(row.name, row.amount, row.method, row.reference) for row in state.payout_rows] == [
        ("Bob Babbage", "$100.00", "Bank transfer", "R")
    ]
    assert status_of(site.bobs_approved) == "paid"
    await client.send(PAYOUTS.prepare_payout, {"code": site.bob.code, "currency": "USD"})
    assert (await client.state(PAYOUTS)).payouts_error == "That payout is not due any more. The list is up to date now."
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == ["payout_recorded"]


async def test_payouts_from_csv_are_all_or_nothing_pasted_or_uploaded(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "payouts")
    ledger.approve(CREATOR, [site.ready])
    before = snapshot()
    bad = f"{site.bob.code},USD,bank,R,2026-02-15\n{site.ann.code},EUR,bank,R,2026-02-15\nzzzzzzzz,USD,cash,R,x\n"
    await client.send(PAYOUTS.import_payouts, form(csv=bad))
    state = await client.state(PAYOUTS)
    assert state.payouts_notice == "Nothing was recorded: the whole file is refused until every line is right."
    assert state.csv_error.split("\n") == [
        "Line 3: Choose how it was paid: paypal or bank. Enter the date the payout was sent, like 2026-01-31.",
    ]
    await client.send(PAYOUTS.import_payouts, form(csv=bad.rsplit("\n", 2)[0]))
    assert (
        await client.state(PAYOUTS)
    ).csv_error == "Line 2: This affiliate has no approved commissions in EUR to pay."
    assert snapshot() == before
    await client.send(PAYOUTS.upload_payouts, upload_of(b"\xff\xfe not text"))
    assert (await client.state(PAYOUTS)).csv_file_error == (
        "That file is not CSV text (UTF-8). Export it from your spreadsheet as CSV, then try again."
    )
    await client.send(PAYOUTS.upload_payouts, upload_of(bad.encode()))
    assert (await client.state(PAYOUTS)).csv_file_error.startswith("Line 3: ")
    assert snapshot() == before
    good = f"\ufeffaffiliate code,currency,method,reference,paid on\n{site.bob.code},USD,bank,B-1,2026-02-15\n"
    await client.send(PAYOUTS.upload_payouts, upload_of(good.encode()))
    state = await client.state(PAYOUTS)
    assert state.payouts_notice == "Recorded 1 payout: $100.00 to Bob Babbage."
    await client.send(PAYOUTS.import_payouts, form(csv=f"{site.ann.code},USD,paypal,A-1,2026-02-15"))
    state = await client.state(PAYOUTS)
    assert state.payouts_notice == "Recorded 1 payout: $20.00 to Ann Zanzibar."
    assert [row.reference for row in state.payout_rows] == ["A-1", "B-1"]
    assert_nothing_crashed(pipeline, caplog)


FAKE_FILES = {
    "none": None,
    "empty-list": [],
    "a-dict": {"filename": "p.csv", "data": "YQ=="},
    "list-of-a-dict": [{"filename": "p.csv", "data": "YQ=="}],
    "two-files": [rx.UploadFile(file=io.BytesIO(b"a"), path=Path("a.csv"))] * 2,
    "a-path": ["/etc/passwd"],
    "one-mb": ["x" * ONE_MB],
    "true": True,
}


async def test_uploads_sent_over_the_socket_are_refused(pipeline, caplog, site, staff):
    payouts = await open_tab(pipeline, staff, "payouts")
    sales = await open_tab(pipeline, staff, "sales")
    before = snapshot()

    async def check(files):
        await payouts.send(PAYOUTS.upload_payouts, {"files": files})
        await sales.send(SALES.upload_sales, {"files": files})
        assert_nothing_crashed(pipeline, caplog)
        assert (await payouts.state(PAYOUTS)).csv_file_error == "Choose one CSV file, then import it."
        assert (await sales.state(SALES)).import_file_error == "Choose one CSV file, then import it."
        assert snapshot() == before

    await check_each(pipeline, caplog, FAKE_FILES, check)


async def test_bad_payout_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "payouts")
    before = snapshot()

    async def check(payload):
        for handler in (PAYOUTS.record_payout, PAYOUTS.import_payouts):
            await client.send(handler, {"form_data": payload})
            assert_nothing_crashed(pipeline, caplog)
            state = await client.state(PAYOUTS)
            messages = [message for message in (*state.payout_errors.values(), state.csv_error) if message]
            assert messages
            for message in messages:
                assert_human_message(message)
        await client.send(PAYOUTS.prepare_payout, {"code": payload, "currency": payload})
        assert (await client.state(PAYOUTS)).payouts_error.startswith("That payout is not due any more.")
        assert snapshot() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


# --- 6. sales and the webhook ------------------------------------------------------------------------------------


async def test_a_sale_sent_twice_from_one_form_is_one_sale(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "sales")
    state = await client.state(SALES)
    key = state.sale_form_key
    assert key.startswith("sale-manual-") and state.today == "2026-02-15"
    sale = {
        "form_key": key,
        "customer_email": "walk-in@example.com",
        "referral_code": site.ann.code,
        "amount": "49.00",
        "currency": "usd",
        "external_id": "",
        "sold_on": "2026-02-15",
    }
    await client.send(SALES.record_sale, form(**sale))
    state = await client.state(SALES)
    assert state.sales_notice == (
        f"Sale recorded: {key}, $49.00. Commission of $9.80 for Ann Zanzibar, pending until its refund window ends."
    )
    assert state.sale_form_key != key
    await client.send(SALES.record_sale, form(**sale))
    state = await client.state(SALES)
    assert state.sales_notice == (
        f"This sale was recorded before ({key}, $49.00): nothing new was stored. "
        "Its commission: $9.80 for Ann Zanzibar."
    )
    with db.read_session() as session:
        assert len(session.exec(select(Sale).where(Sale.source == "manual")).all()) == 1
    before = snapshot()
    await client.send(
        SALES.record_sale,
        form(**{**sale, "form_key": state.sale_form_key, "referral_code": "", "customer_email": "", "amount": "x"}),
    )
    state = await client.state(SALES)
    assert {field: message for field, message in state.sale_errors.items() if message} == {
        "amount": "Enter an amount in USD with digits only, like 12.34.",
        "customer_email": "Enter the customer's email, a referral code, or both.",
    }
    assert snapshot() == before
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == ["sale_recorded"]


async def test_a_refund_and_an_import_from_the_sales_page(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "sales")
    state = await client.state(SALES)
    refund = {"form_key": state.refund_form_key, "refund_external_id": "order-2", "refund_amount": "100"}
    await client.send(SALES.record_refund, form(**refund))
    state = await client.state(SALES)
    assert state.refund_errors["refund_amount"] == "Only $50.00 of this sale is left to refund."
    await client.send(SALES.record_refund, form(**{**refund, "refund_amount": "20"}))
    state = await client.state(SALES)
    assert state.sales_notice == (
        "Refund of $20.00 recorded for order-2; $30.00 of the sale is left to refund. Its commission is $6.00 now."
    )
    assert status_of(site.waiting) == "reversed"
    await client.send(SALES.record_refund, form(**{**refund, "refund_amount": "20"}))
    assert (
        await client.state(SALES)
    ).sales_notice == "This refund was recorded before (order-2): nothing new was stored."

    await client.send(
        SALES.import_sales, form(sales_csv=f"order-10,25.00,USD,,{site.ann.code},\norder-11,5,USD,,nope,")
    )
    state = await client.state(SALES)
    assert state.import_error == "Line 2: referral_code: A referral code is 8 letters and digits, like k7m2xq9p."
    await client.send(
        SALES.import_sales, form(sales_csv=f"order-10,25.00,USD,,{site.ann.code},\norder-11,5,USD,x@example.com,,")
    )
    state = await client.state(SALES)
    assert (state.sales_notice, state.import_error) == ("Imported 2 sales, earning 1 commission ($5.00).", "")
    await client.send(SALES.upload_sales, upload_of(f"order-10,25.00,USD,,{site.ann.code},".encode(), "sales.csv"))
    assert (await client.state(SALES)).sales_notice == "Imported 0 sales. 1 line was recorded before: skipped."
    assert_nothing_crashed(pipeline, caplog)
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == [
        "refund_recorded",
        "sales_imported",
    ]


async def test_the_secret_is_shown_only_on_request_and_rotated(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "sales")
    state = await client.state(SALES)
    assert (state.webhook_endpoint, state.secret_ending, state.secret_shown) == (
        "http://localhost:3000/api/apps/affiliates/sale",
        site.secret[-4:],
        "",
    )
    assert site.secret not in await whole_state_text(client)
    assert 'curl -X POST "http://localhost:3000/api/apps/affiliates/sale"' in state.curl_example
    await client.send(SALES.toggle_secret, {})
    assert (await client.state(SALES)).secret_shown == site.secret
    await client.send(SALES.toggle_secret, {})
    assert (await client.state(SALES)).secret_shown == ""
    assert site.secret not in await whole_state_text(client)
    webhook.handle(b"{}", {}, clock.now())
    await client.send(SALES.refresh_calls, {})
    state = await client.state(SALES)
    assert [(row.result, row.kind, row.outcome) for row in state.call_rows] == [
        ("Rejected", "unknown", "bad signature")
    ]
    await client.send(SALES.rotate_secret, {})
    state = await client.state(SALES)
    new = webhook.current_secret()
    assert new != site.secret and state.secret_shown == new and state.secret_ending == new[-4:]
    assert state.sales_notice.startswith("A new secret was made")
    assert_nothing_crashed(pipeline, caplog)
    assert [action for actor, action in audit_actions() if actor == STAFF_EMAIL] == ["webhook_secret_rotated"]


async def test_bad_sales_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "sales")
    before = snapshot()

    async def check(payload):
        for handler in (SALES.record_sale, SALES.record_refund, SALES.import_sales):
            await client.send(handler, {"form_data": payload})
            assert_nothing_crashed(pipeline, caplog)
            state = await client.state(SALES)
            messages = [
                message
                for message in (*state.sale_errors.values(), *state.refund_errors.values(), state.import_error)
                if message
            ]
            assert messages
            for message in messages:
                assert_human_message(message)
        assert snapshot() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


async def test_a_made_up_form_key_records_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "sales")
    before = snapshot()
    for key in ("", "sale-manual-xyz", "refund-manual-" + "0" * 32, "x" * ONE_MB, "sale-manual-" + "0" * 32 + "\n"):
        await client.send(
            SALES.record_sale, form(form_key=key, customer_email="a@example.com", amount="5", currency="USD")
        )
        assert (await client.state(SALES)).sale_errors[
            "form"
        ] == "This form is out of date. Reload the page, then enter it again."
    assert snapshot() == before
    assert_nothing_crashed(pipeline, caplog)
