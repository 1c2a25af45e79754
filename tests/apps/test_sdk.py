"""The plug-in SDK as an app uses it, with Notes as the app: settings, roles, notify, hooks, export, routes.

Each test drives the real services on a real database file; nothing of the SDK is stubbed.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts import sessions, tickets
from portal_app.accounts.models import Account
from portal_app.admin import audit, business_settings, contacts
from portal_app.admin.models import AuditEntry
from portal_app.apps import access, app_settings, grants, registry
from portal_app.apps.http import child_app_routes
from portal_app.apps.models import AppGrant
from portal_app.apps.notes import service
from portal_app.apps.notify import notify
from portal_app.cli import main as portal
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile.models import Profile
from tests.apps.support import add_account, grant, set_business

NOTES = service.APP_KEY


@pytest.fixture
def notes_on(database):
    # Notes on, and no profile field required, so access depends on grants and roles only.
    set_business(enabled_apps=[*registry.default_enabled_keys(), NOTES], required_profile_fields=[])


def outbox() -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail)))


# --- Settings of an app --------------------------------------------------------------------------


def test_an_app_setting_has_its_declared_default_until_the_owner_changes_it(database):
    assert app_settings.app_settings(NOTES) == {"max_notes": 100}
    changed = business_settings.change_app_settings(audit.CLI, NOTES, {"max_notes": "3"})
    assert changed == {"max_notes": (100, 3)}
    assert app_settings.app_setting(NOTES, "max_notes") == 3
    with db.read_session() as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.target, json.loads(entry.detail)) == (
        "settings_changed",
        "app notes",
        {"max_notes": {"from": 100, "to": 3}},
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "Enter a whole number from 1 to 10000."),
        ("10001", "Enter a whole number from 1 to 10000."),
        ("twelve", "Enter a whole number."),
        ("1e3", "Enter a whole number."),
        (True, "Enter a whole number."),
        (None, "Enter a whole number."),
        ({"x": 1}, "Enter a whole number."),
    ],
)
def test_a_bad_app_setting_is_refused_with_a_message_and_nothing_is_stored(database, raw, message):
    with pytest.raises(FormErrors) as refused:
        business_settings.change_app_settings(audit.CLI, NOTES, {"max_notes": raw})
    assert refused.value.errors == {"max_notes": message}
    assert app_settings.app_settings(NOTES) == {"max_notes": 100}
    with db.read_session() as session:
        assert session.exec(select(AuditEntry)).first() is None


def test_an_unknown_app_setting_is_refused(database):
    with pytest.raises(FormErrors) as refused:
        business_settings.change_app_settings(audit.CLI, NOTES, {"max_notes": "5", "colour": "red"})
    assert refused.value.errors == {"colour": "Notes has no setting called 'colour'."}
    assert app_settings.app_setting(NOTES, "max_notes") == 100


def test_app_settings_from_the_command_line(database, capsys):
    assert portal(["settings", "notes.max_notes", "7"]) == 0
    assert capsys.readouterr().out == "notes.max_notes is now 7\n"
    assert portal(["settings", "notes.max_notes"]) == 0
    assert capsys.readouterr().out == "7\n"
    assert portal(["settings", "notes.max_notes", "-1"]) == 1
    assert capsys.readouterr().err == "error: notes.max_notes: Enter a whole number from 1 to 10000.\n"
    assert portal(["settings", "notes.nope", "1"]) == 1
    assert "there is no app setting 'notes.nope'; the app settings are: affiliates.attribution, " in capsys.readouterr().err
    assert portal(["settings"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert ["notes.max_notes", "7"] in [line.split() for line in listing]


def test_the_notes_cap_comes_from_the_setting_and_the_unlimited_role_lifts_it(notes_on):
    member, unlimited = add_account("m@example.com"), add_account("u@example.com")
    business_settings.change_app_settings(audit.CLI, NOTES, {"max_notes": 2})
    with db.write_session() as session:
        grants.grant_app(session, account_id=member, app_key=NOTES)
        grants.grant_app(session, account_id=unlimited, app_key=NOTES, role=service.UNLIMITED)
    for account in (member, unlimited):
        service.add_note(account, "one")
        service.add_note(account, "two")
    with pytest.raises(FieldError) as refused:
        service.add_note(member, "three")
    assert refused.value.message == "You already keep 2 notes, the most this portal allows. Delete one to add another."
    service.add_note(unlimited, "three")
    assert (service.count_notes(member), service.count_notes(unlimited)) == (2, 3)


# --- Roles ---------------------------------------------------------------------------------------


def test_a_grant_carries_the_apps_lowest_role_unless_told_otherwise(notes_on):
    account = add_account()
    grant(account, NOTES)
    assert access.can_open(account, NOTES).role == service.MEMBER
    assert access.can_open(account, NOTES, role=service.MEMBER).allowed
    decision = access.can_open(account, NOTES, role=service.UNLIMITED)
    assert (decision.allowed, decision.reason) == (False, access.ROLE_TOO_LOW)
    assert contacts.set_app_access(audit.CLI, account, NOTES, granted=True, role=service.UNLIMITED) is True
    assert access.can_open(account, NOTES, role=service.UNLIMITED).allowed
    # A role the app does not declare is never reached, by anyone.
    assert not access.can_open(account, NOTES, role="owner").allowed


def test_a_role_the_app_does_not_declare_is_refused_and_nothing_is_granted(notes_on):
    account = add_account()
    with pytest.raises(ValueError, match="unknown role 'admin' for Notes; choose from: member, unlimited"):
        contacts.set_app_access(audit.CLI, account, NOTES, granted=True, role="admin")
    with pytest.raises(ValueError, match="choose from: none"):
        contacts.set_app_access(audit.CLI, account, "affiliates", granted=True, role="member")
    with db.read_session() as session:
        assert session.exec(select(AppGrant)).first() is None


def test_the_command_line_grants_with_a_role(notes_on, capsys):
    add_account("grace@example.com", "Grace Hopper")
    assert portal(["grant", "grace@example.com", "--app", NOTES, "--role", "unlimited"]) == 0
    assert "Granted Notes as unlimited to Grace Hopper" in capsys.readouterr().out
    assert portal(["grant", "grace@example.com", "--app", NOTES, "--role", "boss"]) == 1
    assert "error: --role: unknown role 'boss' for Notes" in capsys.readouterr().err


# --- notify ---------------------------------------------------------------------------------------


def test_notify_renders_the_apps_own_template_in_the_portals_layout(notes_on):
    account = add_account()
    note = service.add_note(account, "Bring <the> workbook")
    assert service.email_note(account, note.id) is True
    [email] = outbox()
    assert (email.to_email, email.subject, email.template) == (
        "ada@example.com",
        "Your note from Test Business",
        "notes:note_copy",
    )
    assert "Bring <the> workbook" in email.text_body
    assert "Bring &lt;the&gt; workbook" in email.html_body and "Sent by Test Business" in email.html_body


def test_notify_honours_the_profiles_choice_for_the_app(notes_on, frozen_clock):
    account = add_account()
    with db.write_session() as session:
        session.add(Profile(account_id=account, email_notifications={NOTES: False}, updated_at=frozen_clock.current))
    note = service.add_note(account, "private")
    assert service.email_note(account, note.id) is False
    assert outbox() == []
    # The choice is per app: switching Notes back on lets its email through.
    with db.write_session() as session:
        session.get(Profile, account).email_notifications = {NOTES: True, "courses": False}
    assert service.email_note(account, note.id) is True
    assert [email.template for email in outbox()] == ["notes:note_copy"]


def test_notify_sends_nothing_to_a_disabled_account(notes_on):
    account = add_account()
    note = service.add_note(account, "x")
    contacts.set_disabled(audit.CLI, account, disabled=True)
    with db.write_session() as session:
        result = notify(session, account, NOTES, "note_copy", {"text": "x", "written_at": "today"})
    assert (result.sent, result.reason) == (False, "disabled")
    assert outbox() == []
    with pytest.raises(LookupError):
        service.email_note(account, note.id + 1000)


# --- Export and the HTTP route -------------------------------------------------------------------


def test_export_account_gathers_the_core_and_every_apps_part_without_secrets(notes_on, capsys):
    account = add_account("grace@example.com", "Grace Hopper")
    grant(account, NOTES)
    service.add_note(account, "remember the milk")
    assert portal(["export-account", "grace@example.com"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["account"]["email"] == "grace@example.com"
    assert exported["apps"] == {NOTES: {"role": "member"}}
    assert [note["text"] for note in exported["app_data"][NOTES]["notes"]] == ["remember the milk"]
    assert [entry["kind"] for entry in exported["timeline"]] == ["app_granted", "note_added"]
    assert "password_hash" not in json.dumps(exported) and "token" not in json.dumps(exported)


def _client() -> TestClient:
    return TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost")


def _signed_in_cookie(account_id: int) -> dict[str, str]:
    with db.write_session() as session:
        token = sessions.create_session(
            session, account_id=account_id, auth_method="password", user_agent="test", ip="127.0.0.1"
        )
    return {tickets.SESSION_COOKIE: token}


def test_the_notes_download_is_for_the_signed_in_person_with_notes_open(notes_on, frozen_clock):
    owner, other = add_account("a@example.com"), add_account("b@example.com")
    grant(owner, NOTES)
    service.add_note(owner, "mine only")
    client = _client()
    assert client.get("/api/apps/notes/download").status_code == 403
    client.cookies.update(_signed_in_cookie(other))
    refused = client.get("/api/apps/notes/download")
    assert refused.status_code == 403 and "mine only" not in refused.text
    client.cookies.clear()
    client.cookies.update(_signed_in_cookie(owner))
    response = client.get("/api/apps/notes/download")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    assert response.text == "2026-01-15 12:00 UTC\nmine only\n"
    # Revoked: the same cookie downloads nothing.
    contacts.set_app_access(audit.CLI, owner, NOTES, granted=False)
    assert client.get("/api/apps/notes/download").status_code == 403


HOOK_CALLS: list[tuple[str, int]] = []


def _recorder(event: str):
    def hook(session, account_id):
        # The hook runs inside the change's transaction: what it sees is the changed state.
        account = session.get(Account, account_id)
        HOOK_CALLS.append((event, account_id, account.disabled_at is not None))

    return hook


on_granted, on_revoked = _recorder("granted"), _recorder("revoked")
on_disabled, on_enabled = _recorder("account_disabled"), _recorder("account_enabled")


def test_hooks_run_in_the_transaction_of_the_change(notes_on, monkeypatch):
    hooks = {
        event: f"tests.apps.test_sdk:on_{name}"
        for event, name in (
            ("granted", "granted"),
            ("revoked", "revoked"),
            ("account_disabled", "disabled"),
            ("account_enabled", "enabled"),
        )
    }
    with_hooks = replace(registry.get_app(NOTES), hooks=hooks)
    monkeypatch.setitem(registry._registry._apps, NOTES, with_hooks)
    HOOK_CALLS.clear()
    account = add_account()
    grant(account, NOTES)
    contacts.set_disabled(audit.CLI, account, disabled=True)
    contacts.set_disabled(audit.CLI, account, disabled=False)
    contacts.set_app_access(audit.CLI, account, NOTES, granted=False)
    assert HOOK_CALLS == [
        ("granted", account, False),
        ("account_disabled", account, True),
        ("account_enabled", account, False),
        ("revoked", account, False),
    ]


def test_a_failing_hook_rolls_the_change_back(notes_on, monkeypatch):
    with_hooks = replace(registry.get_app(NOTES), hooks={"granted": "tests.apps.test_sdk:failing_hook"})
    monkeypatch.setitem(registry._registry._apps, NOTES, with_hooks)
    account = add_account()
    with pytest.raises(RuntimeError):
        grant(account, NOTES)
    with db.read_session() as session:
        assert session.exec(select(AppGrant)).first() is None


def failing_hook(session, account_id):
    raise RuntimeError("the app could not set up the account")


def test_granting_again_without_a_role_keeps_the_role(notes_on):
    account = add_account()
    contacts.set_app_access(audit.CLI, account, NOTES, granted=True, role=service.UNLIMITED)
    assert contacts.set_app_access(audit.CLI, account, NOTES, granted=True) is False
    assert access.can_open(account, NOTES).role == service.UNLIMITED


def test_parallel_adds_never_pass_the_notes_cap(shared_database):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    set_business(enabled_apps=[NOTES], required_profile_fields=[])
    account = add_account()
    grant(account, NOTES)
    business_settings.change_app_settings(audit.CLI, NOTES, {"max_notes": 3})
    barrier = Barrier(8, timeout=20)

    def add(number: int) -> bool:
        barrier.wait()
        try:
            service.add_note(account, f"note {number}")
        except FieldError:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        added = [future.result(timeout=60) for future in [pool.submit(add, number) for number in range(8)]]
    assert added.count(True) == 3
    assert service.count_notes(account) == 3
