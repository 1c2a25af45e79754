"""The `portal` command, called as the console script would: arguments in, exit code and messages out."""

import io
import json
import re

import pytest
from sqlmodel import SQLModel, select

from portal_app import cli, demo
from portal_app.accounts import login
from portal_app.accounts.models import Account
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.apps import registry
from portal_app.apps.models import AppGrant
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile import service as profile_service
from tests.support.accounts import sign_up

EMAIL = "grace@example.com"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def accounts() -> list[Account]:
    with db.read_session() as session:
        return list(session.exec(select(Account)))


def test_invite_creates_the_account_and_says_what_it_did(database, frozen_clock, capsys):
    code, out, err = run(
        capsys, "invite", "Grace@Example.com", "--name", "Grace Hopper", "--app", "courses", "--app", "communities"
    )
    assert (code, err) == (0, "")
    [account] = accounts()
    assert (account.email, account.full_name, account.password_hash) == (EMAIL, "Grace Hopper", None)
    assert f"Invited Grace Hopper <{EMAIL}> (account {account.id}) to Membership Courses, Communities." in out
    assert "a login code and a sign-in link (valid until 2026-01-18 12:00 UTC) is in the outbox" in out
    assert "http://localhost:3000/dev/mailbox" in out
    with db.read_session() as session:
        assert sorted(session.exec(select(AppGrant.app_key))) == ["communities", "courses"]
        assert session.exec(select(OutboxEmail.template)).all() == ["invitation"]


def test_help_names_the_apps(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["invite", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--name NAME" in out and "--app APP" in out
    assert re.search(r",\s+".join(registry.app_choices()), out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["invite", EMAIL, "--name", "Grace", "--app", "billing"],
            f"error: --app: unknown app 'billing'; choose from: {', '.join(registry.app_choices())}\n",
        ),
        (["invite", "not-an-email", "--name", "Grace", "--app", "courses"], "error: email: "),
        (["invite", EMAIL, "--name", "  ", "--app", "courses"], "error: --name: Enter your full name.\n"),
    ],
)
def test_bad_arguments_fail_with_a_message_and_store_nothing(database, frozen_clock, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == "" and err.startswith(message)
    assert accounts() == []


def test_an_existing_account_is_refused(database, frozen_clock, capsys):
    sign_up(EMAIL)
    code, out, err = run(capsys, "invite", EMAIL, "--name", "Grace Hopper", "--app", "courses")
    assert (code, out) == (1, "")
    assert err == f"error: email: an account already exists for {EMAIL}\n"
    assert len(accounts()) == 1


@pytest.mark.parametrize(
    "argv", [["invite", EMAIL, "--app", "courses"], ["invite", EMAIL, "--name", "Grace"], ["invite"]]
)
def test_missing_arguments_exit_non_zero_with_usage(database, capsys, argv):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    assert "usage: portal invite" in capsys.readouterr().err
    assert accounts() == []


def test_a_database_without_tables_is_a_clear_error(tmp_path, settings_env, capsys):
    settings_env(REFLEX_DB_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        code, out, err = run(capsys, "invite", EMAIL, "--name", "Grace Hopper", "--app", "courses")
    finally:
        db.get_engine().dispose()
        db.engine_for.cache_clear()
    assert (code, out) == (1, "")
    assert err.startswith("error: the database is not ready (run the migrations first): ")


# --- create-owner -------------------------------------------------------------------------------

STAFF_PASSWORD = "copper-lantern-meadow-7"


def run_with_stdin(capsys, monkeypatch, text: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    return run(capsys, *argv)


def staff_accounts() -> list[StaffAccount]:
    with db.read_session() as session:
        return list(session.exec(select(StaffAccount)))


def audit_entries() -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))


def test_create_owner_reads_the_password_from_stdin(database, frozen_clock, capsys, monkeypatch):
    code, out, err = run_with_stdin(
        capsys,
        monkeypatch,
        STAFF_PASSWORD + "\n",
        "create-owner",
        "--email",
        "Owner@Studio.example",
        "--name",
        "Olive Owner",
        "--password-stdin",
    )
    assert (code, err) == (0, "")
    assert "Created the staff account Olive Owner <owner@studio.example>." in out
    assert "http://localhost:3000/admin/login" in out
    [owner] = staff_accounts()
    assert owner.email == "owner@studio.example" and owner.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in out
    [entry] = audit_entries()
    assert (entry.actor, entry.action, entry.target) == ("cli", "staff_created", "owner@studio.example")
    # The staff account is no client account.
    assert accounts() == []


def test_create_owner_asks_twice_with_getpass(database, frozen_clock, capsys, monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run(capsys, "create-owner", "--email", "owner@studio.example", "--name", "Olive Owner")
    assert (code, err) == (0, "")
    assert len(staff_accounts()) == 1


def test_create_owner_refuses_different_passwords(database, frozen_clock, capsys, monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, err = run(capsys, "create-owner", "--email", "owner@studio.example", "--name", "Olive Owner")
    assert (code, out) == (1, "")
    assert err == "error: the two passwords differ; nothing was created\n"
    assert staff_accounts() == []


@pytest.mark.parametrize(
    ("password", "email", "name", "message"),
    [
        ("short", "owner@studio.example", "Olive", "error: password: Use at least 10 characters.\n"),
        ("password123", "owner@studio.example", "Olive", "error: password: This password is too common."),
        ("owner-owner-owner", "owner@studio.example", "Olive", "error: password: Your password must not contain"),
        ("", "owner@studio.example", "Olive", "error: password: Enter a password.\n"),
        (STAFF_PASSWORD, "not-an-email", "Olive", "error: --email: "),
        (STAFF_PASSWORD, "owner@studio.example", " ", "error: --name: Enter a name of at most 100 characters"),
    ],
)
def test_create_owner_refuses_bad_input(database, frozen_clock, capsys, monkeypatch, password, email, name, message):
    code, out, err = run_with_stdin(
        capsys, monkeypatch, password + "\n", "create-owner", "--email", email, "--name", name, "--password-stdin"
    )
    assert (code, out) == (1, "") and err.startswith(message)
    assert staff_accounts() == [] and audit_entries() == []


def test_create_owner_refuses_an_existing_staff_email(database, frozen_clock, capsys, monkeypatch):
    argv = ("create-owner", "--email", "owner@studio.example", "--name", "Olive Owner", "--password-stdin")
    run_with_stdin(capsys, monkeypatch, STAFF_PASSWORD, *argv)
    code, _, err = run_with_stdin(capsys, monkeypatch, STAFF_PASSWORD, *argv)
    assert code == 1 and err == "error: --email: a staff account already exists for owner@studio.example\n"
    assert len(staff_accounts()) == 1


# --- grant ----------------------------------------------------------------------------------------


def grants_of(account_id: int) -> list[str]:
    with db.read_session() as session:
        return sorted(session.exec(select(AppGrant.app_key).where(AppGrant.account_id == account_id)))


def test_grant_and_revoke_by_email_or_id(database, frozen_clock, capsys):
    sign_up(EMAIL, full_name="Grace Hopper")
    [account] = accounts()
    code, out, err = run(capsys, "grant", "GRACE@example.com", "--app", "courses")
    assert (code, err) == (0, "")
    assert out == f"Granted Membership Courses as member to Grace Hopper <{EMAIL}> (account {account.id}).\n"
    assert run(capsys, "grant", str(account.id), "--app", "courses")[1].endswith(
        "already had Membership Courses as member.\n"
    )
    code, out, _ = run(capsys, "grant", str(account.id), "--app", "courses", "--revoke")
    assert code == 0 and out.startswith("Revoked Membership Courses from Grace Hopper")
    assert grants_of(account.id) == []
    assert [(entry.actor, entry.action) for entry in audit_entries()] == [
        ("cli", "app_granted"),
        ("cli", "app_revoked"),
    ]


def test_grant_needs_the_id_when_accounts_share_the_email(database, frozen_clock, capsys):
    business.set_allow_duplicate_contacts(True)
    sign_up(EMAIL)
    frozen_clock.advance(seconds=61)  # past the wait between two emailed codes
    sign_up(EMAIL)
    ids = ", ".join(str(account.id) for account in accounts())
    code, out, err = run(capsys, "grant", EMAIL, "--app", "courses")
    assert (code, out) == (1, "")
    assert err == f"error: 2 accounts use {EMAIL} (ids {ids}): give the account id instead\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["grant", "nobody@example.com", "--app", "courses"], "error: no account uses nobody@example.com\n"),
        (["grant", "999", "--app", "courses"], "error: there is no account 999\n"),
        (["grant", "not an email", "--app", "courses"], "error: 'not an email' is neither an account id nor an email"),
        (
            ["grant", EMAIL, "--app", "billing"],
            "error: --app: unknown app 'billing'; choose from: courses, communities",
        ),
    ],
)
def test_grant_errors(database, frozen_clock, capsys, argv, message):
    sign_up(EMAIL)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "") and err.startswith(message)
    assert audit_entries() == []


# --- settings -------------------------------------------------------------------------------------


def test_settings_shows_every_setting(database, capsys):
    code, out, err = run(capsys, "settings")
    assert (code, err) == (0, "")
    lines = dict(line.split(None, 1) for line in out.splitlines())
    app_keys = [f"{app.key}.{setting.key}" for app in registry.all_apps() for setting in app.settings]
    assert list(lines) == [*business.SETTING_KEYS, *app_keys]
    assert lines["name"] == "Test Business" and lines["allow_duplicate_contacts"] == "off"
    assert lines["enabled_apps"] == ",".join(registry.default_enabled_keys()) and lines["apps_for_everyone"] == "none"
    assert lines["logo_url"] == '""'
    assert run(capsys, "settings", "brand_color") == (0, "#3e63dd\n", "")


def test_settings_changes_one_setting_and_records_it(database, frozen_clock, capsys):
    assert run(capsys, "settings", "enabled_apps", "courses, affiliates") == (
        0,
        "enabled_apps is now courses,affiliates\n",
        "",
    )
    assert run(capsys, "settings", "allow_duplicate_contacts", "on") == (0, "allow_duplicate_contacts is now on\n", "")
    assert run(capsys, "settings", "allow_duplicate_contacts", "on") == (
        0,
        "allow_duplicate_contacts was already on\n",
        "",
    )
    assert run(capsys, "settings", "name", "Sunrise Yoga") == (0, "name is now Sunrise Yoga\n", "")
    assert business.get_business().enabled_apps == ("courses", "affiliates")
    entries = audit_entries()
    assert [(entry.actor, entry.action) for entry in entries] == [("cli", "settings_changed")] * 3
    assert json.loads(entries[-1].detail) == {"name": {"from": "Test Business", "to": "Sunrise Yoga"}}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["settings", "colour"], "error: there is no setting 'colour'; the settings are: name, logo_url"),
        (["settings", "brand_color", "red"], "error: brand_color: Enter a colour as # and six hexadecimal digits"),
        (["settings", "magic_links_enabled", "maybe"], "error: magic_links_enabled: Choose on or off.\n"),
        (["settings", "enabled_apps", "courses,billing"], "error: enabled_apps: Unknown choice 'billing'."),
        (["settings", "default_landing_app", "communities"], None),
        (
            ["settings", "logo_url", "javascript:alert(1)"],
            "error: logo_url: Enter a web address that starts with https://",
        ),
    ],
)
def test_settings_refuses_bad_values(database, frozen_clock, capsys, argv, message):
    run(capsys, "settings", "enabled_apps", "courses")
    before = business.get_business()
    count = len(audit_entries())
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(message or "error: default_landing_app: Communities is not enabled")
    assert business.get_business() == before and len(audit_entries()) == count


def test_settings_without_a_business_row_is_a_clear_error(database, capsys):
    with db.write_session() as session:
        session.delete(session.get(Business, BUSINESS_ID))
    code, out, err = run(capsys, "settings")
    assert (code, out) == (1, "") and err.startswith("error: no business row")
    code, out, err = run(capsys, "settings", "name", "X")
    assert (code, out) == (1, "") and err.startswith("error: no business row")


def test_allow_duplicate_contacts_is_a_setting_change(database, frozen_clock, capsys):
    assert run(capsys, "allow-duplicate-contacts", "on") == (0, "allow_duplicate_contacts is now on\n", "")
    assert business.get_business().allow_duplicate_contacts is True
    assert [entry.actor for entry in audit_entries()] == ["cli"]


# --- seed-demo ------------------------------------------------------------------------------------


def test_seed_demo_makes_two_accounts_on_one_email_with_different_apps(tmp_path, settings_env, frozen_clock, capsys):
    settings_env(REFLEX_DB_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    SQLModel.metadata.create_all(db.get_engine())
    try:
        code, out, err = run(capsys, "seed-demo")
        password = re.search(r"Demo login: dana@demo\.example / (\S+)", out).group(1)
        seeded = business.get_business()
        # The two demo accounts; apps' demo data may add members of their own (Communities does).
        demo_accounts = [account for account in accounts() if account.email == demo.DEMO_EMAIL]
        again = run(capsys, "seed-demo")
        empty_only = run(capsys, "seed-demo", "--if-empty")
        signed_in = login.password_login(email=demo.DEMO_EMAIL, password=password, ip="203.0.113.1")
        complete = [profile_service.profile_is_complete(account.id) for account in demo_accounts]
    finally:
        db.get_engine().dispose()
        db.engine_for.cache_clear()
    assert (code, err) == (0, "")
    # Each app says which demo account gets it; the core names none.
    for label, (_, full_name) in zip(("main", "second"), demo.DEMO_ACCOUNTS):
        titles = [app.title for app in registry.all_apps() if label in app.demo_accounts and app.enabled_by_default]
        assert f"{full_name}: {', '.join(titles)}" in out
    assert "portal create-owner" in out
    assert seeded.allow_duplicate_contacts is True and seeded.enabled_apps == tuple(registry.default_enabled_keys())
    # The main account opens its apps at once; the second meets the profile gate.
    assert complete == [True, False]
    assert [account.email for account in demo_accounts] == [demo.DEMO_EMAIL] * 2
    assert [account.exclusive_email for account in demo_accounts] == [None, None]
    assert again == (0, "The database already has a business; nothing was seeded.\n", "")
    assert empty_only == (0, "", "")
    assert signed_in  # the printed password signs in (both accounts: the chooser offers them)


# --- send-test-email ------------------------------------------------------------------------------


def test_send_test_email_queues_it_for_the_dev_mailbox(database, frozen_clock, capsys):
    code, out, err = run(capsys, "send-test-email", "Me@Example.com")
    assert (code, err) == (0, "")
    with db.read_session() as session:
        [email] = session.exec(select(OutboxEmail)).all()
    assert (email.to_email, email.template, email.status) == ("me@example.com", "test_email", "pending")
    assert "Sent at 2026-01-15 12:00 UTC." in email.text_body
    assert out.startswith(f"Queued a test email to me@example.com (outbox id {email.id}).\n")
    assert "No email provider is configured: read it at http://localhost:3000/dev/mailbox" in out


def test_send_test_email_says_sendgrid_delivers_it(database, frozen_clock, capsys, settings_env):
    settings_env(SENDGRID_API_KEY="SG.test-key", PORTAL_EMAIL_FROM="portal@studio.example")
    code, out, _ = run(capsys, "send-test-email", "me@example.com")
    assert code == 0 and "SendGrid delivers it from portal@studio.example" in out and "dev/mailbox" not in out


def test_send_test_email_refuses_a_bad_address(database, capsys):
    code, out, err = run(capsys, "send-test-email", "nope")
    assert (code, out) == (1, "") and err.startswith("error: address: ")


@pytest.mark.parametrize("command", ["create-owner", "grant", "settings", "seed-demo", "send-test-email", "invite"])
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: portal {command}" in capsys.readouterr().out


def test_init_business_creates_the_row_once(settings_env, tmp_path):
    """A database started without demo data still gets its business, so settings and apps work."""
    from sqlmodel import SQLModel

    from portal_app import cli
    from portal_app.business import service as business
    from portal_app.kernel import db

    settings_env(REFLEX_DB_URL=f"sqlite:///{tmp_path / 'bare.db'}")
    SQLModel.metadata.create_all(db.get_engine())
    try:
        assert cli.main(["init-business", "--name", "Acme Yoga"]) == 0
        assert cli.main(["init-business", "--name", "Something Else"]) == 0
        assert business.get_business().name == "Acme Yoga"
        assert business.get_business().enabled_apps == tuple(registry.default_enabled_keys())
    finally:
        db.get_engine().dispose()
        db.engine_for.cache_clear()
