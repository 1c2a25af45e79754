"""The `portal` command, called as the console script would: arguments in, exit code and messages out."""

import re

import pytest
from sqlmodel import select

from portal_app import cli, db
from portal_app.models import Account, AppGrant, OutboxEmail
from tests.accounts.helpers import sign_up

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
    assert "--name NAME" in out and "--app APP" in out and re.search(r"courses,\s+communities,\s+affiliates", out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["invite", EMAIL, "--name", "Grace", "--app", "billing"],
            "error: --app: unknown app 'billing'; choose from: courses, communities, affiliates\n",
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
