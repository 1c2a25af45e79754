"""'Delete my account' over the demo data: a code to the account's address confirms it; the account and what
every app holds on the person go (the database cascades, the apps' account_deleted hooks run); what the
business must keep stays without personal data (Affiliate Manager's commissions and payouts, the audit log);
the other account on the same address is untouched."""

from __future__ import annotations

import pytest
from sqlmodel import col, delete, func, select

from portal_app import demo
from portal_app.accounts import sessions
from portal_app.accounts.models import Account, UserSession
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.apps.affiliates import admin_views, figures
from portal_app.apps.affiliates.models import Affiliate, Commission, Payout
from portal_app.apps.communities.models import GroupMember, Post
from portal_app.apps.notes.models import Note
from portal_app.business.models import Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.privacy import account_deletion
from tests.support.accounts import IP, latest_email
from tests.support.live_accounts import start_session


@pytest.fixture
def dana(database, frozen_clock, tmp_path, settings_env):
    settings_env(PORTAL_DATA_DIR=str(tmp_path / "data"))
    with db.write_session() as session:
        session.exec(delete(Business))
    assert demo.seed_demo().created
    with db.read_session() as session:
        main, second = session.exec(
            select(Account.id).where(Account.email == demo.DEMO_EMAIL).order_by(Account.id)
        ).all()
    return {"main": main, "second": second}


def signed_in(account_id: int) -> sessions.SessionInfo:
    return sessions.current_session(start_session(account_id))


def count(model, *where) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def delete_with_code(account_id: int) -> None:
    info = signed_in(account_id)
    account_deletion.send_code(info, ip=IP)
    code = latest_email(demo.DEMO_EMAIL).subject[:6]
    account_deletion.delete_account(info, code, ip=IP)


def test_a_wrong_code_deletes_nothing_and_no_session_asks_nothing(dana):
    info = signed_in(dana["main"])
    account_deletion.send_code(info, ip=IP)
    assert latest_email(demo.DEMO_EMAIL).template == "account_delete_code"
    with pytest.raises(FieldError) as refused:
        account_deletion.delete_account(info, "000000", ip=IP)
    assert refused.value.field == "code"
    with pytest.raises(PermissionError):
        account_deletion.send_code(None, ip=IP)
    with pytest.raises(PermissionError):
        account_deletion.delete_account(None, "123456", ip=IP)
    assert count(Account, Account.id == dana["main"]) == 1


def test_the_main_account_and_its_app_data_go_the_other_account_stays(dana):
    assert count(Note, Note.account_id == dana["main"]) > 0 and count(Post, Post.author_id == dana["main"]) > 0
    second_notes = count(Note, Note.account_id == dana["second"])
    delete_with_code(dana["main"])
    assert count(Account, Account.id == dana["main"]) == 0
    assert count(Note, Note.account_id == dana["main"]) == 0
    assert count(Post, Post.author_id == dana["main"]) == 0
    assert count(GroupMember, GroupMember.account_id == dana["main"]) == 0
    assert count(UserSession, UserSession.account_id == dana["main"]) == 0
    # The second account on the same address is untouched, and its mail too.
    assert count(Account, Account.id == dana["second"]) == 1
    assert count(Note, Note.account_id == dana["second"]) == second_notes
    assert latest_email(demo.DEMO_EMAIL).template == "account_deleted"


def test_the_affiliate_goes_but_the_business_keeps_its_commissions_and_payouts(dana):
    with db.read_session() as session:
        affiliate = session.exec(select(Affiliate).where(Affiliate.account_id == dana["second"])).one()
        kept = figures.nonzero(figures.read(session))
    commissions = count(Commission, Commission.affiliate_id == affiliate.id)
    payouts = count(Payout, Payout.affiliate_id == affiliate.id)
    assert commissions and payouts
    delete_with_code(dana["second"])
    with db.read_session() as session:
        detached = session.get(Affiliate, affiliate.id)
        assert (detached.account_id, detached.payout_details, detached.payout_method) == (None, "", "")
        assert figures.nonzero(figures.read(session)) == kept == figures.counted(session)
    assert count(Commission, Commission.affiliate_id == affiliate.id) == commissions
    assert count(Payout, Payout.affiliate_id == affiliate.id) == payouts
    # The admin pages still list them, with no name.
    page = admin_views.commissions_page(status="paid")
    assert admin_views.DELETED_NAME in {item.affiliate_name for item in page.items}
    with db.read_session() as session:
        assert programme_code_works(session, affiliate.code) is False


def programme_code_works(session, code: str) -> bool:
    from portal_app.apps.affiliates import programme

    return programme.affiliate_by_code(session, code) is not None


def test_the_audit_log_keeps_its_entries_without_the_address(dana):
    with db.write_session() as session:
        session.add(
            StaffAccount(id=1, email="owner@example.com", name="Owner", password_hash="-", created_at=clock.now())
        )
        session.flush()
        session.add(
            AuditEntry(
                at=clock.now(),
                staff_id=1,
                actor="owner@example.com",
                action="app_granted",
                target=f"Dana Demo <{demo.DEMO_EMAIL}>",
                detail='{"email": "' + demo.DEMO_EMAIL + '"}',
            )
        )
    delete_with_code(dana["main"])
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert entries and all(demo.DEMO_EMAIL not in entry.target + entry.detail for entry in entries)
    assert f"deleted account #{dana['main']}" in entries[0].target
