"""`portal backup` and `portal restore` on a real SQLite file and a real PostgreSQL database: what an
operator gets back after losing the database and the uploaded files, and what a restore refuses."""

from __future__ import annotations

import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, func, select

from portal_app import cli
from portal_app.accounts import code_login, sessions, throttle
from portal_app.accounts.login import password_login
from portal_app.accounts.models import Account, RateEvent
from portal_app.apps import migrations, registry
from portal_app.business import service as business
from portal_app.kernel import db
from portal_app.kernel.settings import get_settings
from tests.support.accounts import IP, PASSWORD, accounts_for, latest_code, sign_up
from tests.support.browser import TEST_BROWSER, redeem_bound

ADA, BOB = "ada@example.com", "bob@example.com"
# The URL's password: trust auth on the test server ignores it, and no output may show it.
DB_PASSWORD = "never-shown-4f1c"


@pytest.fixture
def portal_database(shared_database, settings_env):
    """shared_database's fresh database (SQLite, then PostgreSQL), its tables made by the migrations as
    `portal db migrate` makes them, with a business row; on PostgreSQL its URL carries a password."""
    url = get_settings().db_url
    SQLModel.metadata.drop_all(db.get_engine())
    if shared_database == "postgresql":
        settings_env(REFLEX_DB_URL=url.replace("postgres@", f"postgres:{DB_PASSWORD}@"))
    try:
        migrations.migrate()
        business.ensure_business("Backup Studio")
        yield shared_database
    finally:
        db.get_engine().dispose()


def portal(capsys, *argv: str) -> tuple[int, str]:
    """Run `portal ...` as the console script would; its exit code and everything it printed."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def lose_everything() -> None:
    """The disaster: the database (the SQLite file, or every PostgreSQL table) and every uploaded file gone."""
    engine = db.get_engine()
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{engine.url.database}{suffix}").unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE "{table}" CASCADE'))
    for path in sorted(get_settings().data_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


def upload(relative: str, content: bytes) -> None:
    path = get_settings().data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def signs_in(email: str, password: str = PASSWORD) -> int | None:
    grant = redeem_bound(password_login(email=email, password=password, ip=IP), user_agent="pytest", ip=IP)
    return sessions.account_for_token(grant.value)


def test_a_restore_brings_back_accounts_files_and_sign_in(portal_database, tmp_path, capsys):
    session_ticket = sign_up(ADA, full_name="Ada Lovelace")
    cookie = redeem_bound(session_ticket, user_agent="pytest", ip=IP).value
    [ada] = accounts_for(ADA)
    upload("apps/courses/covers/1.png", b"\x89PNG cover")
    archive = tmp_path / "portal-backup.tar"

    code, said = portal(capsys, "backup", str(archive))
    assert code == 0, said
    assert "without the secret" in said and DB_PASSWORD not in said
    assert archive.stat().st_mode & 0o077 == 0  # password hashes inside: only the operator may read it

    sign_up(BOB, full_name="Bob After")  # made after the backup: a restore forgets him
    lose_everything()
    assert not get_settings().data_dir.joinpath("apps/courses/covers/1.png").exists()

    code, said = portal(capsys, "restore", str(archive))
    assert code == 0, said
    assert "Migrating the restored database" in said and "core: " in said and DB_PASSWORD not in said
    get_settings.cache_clear()
    assert [(account.id, account.full_name) for account in accounts_for(ADA)] == [(ada.id, "Ada Lovelace")]
    assert accounts_for(BOB) == []
    assert get_settings().data_dir.joinpath("apps/courses/covers/1.png").read_bytes() == b"\x89PNG cover"
    assert sessions.account_for_token(cookie) == ada.id  # the session from before the backup still works
    assert signs_in(ADA) == ada.id
    assert business.get_business().name == "Backup Studio"


def test_a_restore_over_live_data_needs_yes_and_changes_nothing_without_it(portal_database, tmp_path, capsys):
    sign_up(ADA)
    archive = tmp_path / "backup.tar"
    assert portal(capsys, "backup", str(archive))[0] == 0
    sign_up(BOB)
    upload("exports/later.zip", b"later")

    code, said = portal(capsys, "restore", str(archive))
    assert code == 1
    assert "error: this would replace the database" in said and "run the restore again with --yes" in said
    assert "the data folder" in said and "(1 file)" in said
    assert len(accounts_for(BOB)) == 1 and get_settings().data_dir.joinpath("exports/later.zip").exists()

    code, said = portal(capsys, "restore", str(archive), "--yes")
    assert code == 0, said
    assert accounts_for(BOB) == [] and len(accounts_for(ADA)) == 1
    assert not get_settings().data_dir.joinpath("exports/later.zip").exists()


def test_what_is_not_a_backup_of_the_right_kind_is_refused(portal_database, tmp_path, capsys):
    sign_up(ADA)
    not_a_backup = tmp_path / "notes.tar"
    with tarfile.open(not_a_backup, "w") as archive:
        archive.add(__file__, arcname="manifest.json")
    plain_text = tmp_path / "plain.txt"
    plain_text.write_text("hello")
    archive = tmp_path / "backup.tar"
    assert portal(capsys, "backup", str(archive))[0] == 0

    assert portal(capsys, "restore", str(tmp_path / "missing.tar"), "--yes") == (
        1,
        f"error: {tmp_path / 'missing.tar'} does not exist or is not a file\n",
    )
    for wrong in (not_a_backup, plain_text):
        assert portal(capsys, "restore", str(wrong), "--yes") == (
            1,
            f"error: {wrong} is not a portal backup (made by `portal backup`)\n",
        )
    code, said = portal(capsys, "restore", str(archive), "--yes", "--with-secret")
    assert (code, said) == (1, f"error: {archive} holds no secret (it was made without --with-secret)\n")
    code, said = portal(capsys, "backup", str(archive))
    assert (code, said) == (1, f"error: {archive} already exists; give a new file name (backups never overwrite)\n")
    assert len(accounts_for(ADA)) == 1  # nothing was touched


def test_a_backup_of_the_other_engine_is_refused(portal_database, tmp_path, capsys, settings_env):
    archive = tmp_path / "backup.tar"
    assert portal(capsys, "backup", str(archive))[0] == 0
    other = (
        f"sqlite:///{tmp_path / 'other.db'}"
        if portal_database == "postgresql"
        else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    settings_env(REFLEX_DB_URL=other)
    code, said = portal(capsys, "restore", str(archive), "--yes")
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    mine, theirs = names[portal_database], names["sqlite" if portal_database == "postgresql" else "postgresql"]
    assert code == 1
    assert said == (
        f"error: {archive} holds a {mine} database, but REFLEX_DB_URL names a {theirs} one;"
        f" restore it into a {mine} database\n"
    )


def test_an_older_backup_comes_up_to_date(portal_database, tmp_path, capsys):
    """A backup made before an app existed: the restore's migrations create the app's tables."""
    notes = registry.get_app("notes")
    engine = db.get_engine()
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name in migrations.tables_of(notes):
                table.drop(connection)
        connection.execute(text(f'DROP TABLE "{migrations.version_table("notes")}"'))
    sign_up(ADA)
    archive = tmp_path / "old.tar"
    assert portal(capsys, "backup", str(archive))[0] == 0
    migrations.migrate()  # the upgrade that brought the app: its tables point at tables the backup restores

    code, said = portal(capsys, "restore", str(archive), "--yes")
    assert code == 0, said
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert migrations.current_revision(connection, notes) is not None
    assert migrations.tables_of(notes) <= tables
    assert f"notes: {migrations.current_revision(engine.connect(), notes)}" in said
    assert len(accounts_for(ADA)) == 1


def test_the_secret_travels_only_when_asked_and_codes_sent_before_depend_on_it(
    portal_database, tmp_path, capsys, monkeypatch, settings_env
):
    """A new machine makes a new secret: codes emailed before the backup die, unless the secret came along."""
    secret_file = tmp_path / "secret"
    monkeypatch.delenv("PORTAL_SECRET_KEY")
    settings_env(PORTAL_SECRET_FILE=str(secret_file), PORTAL_CODE_RESEND_SECONDS="0")
    sign_up(ADA)
    code_login.request_login_code(email=ADA, ip=IP, device=TEST_BROWSER)
    emailed = latest_code(ADA)
    with_secret, without = tmp_path / "with-secret.tar", tmp_path / "without.tar"
    assert portal(capsys, "backup", str(with_secret), "--with-secret")[0] == 0
    assert portal(capsys, "backup", str(without))[0] == 0

    def new_machine(archive, *flags: str) -> None:
        lose_everything()
        secret_file.unlink(missing_ok=True)
        code, said = portal(capsys, "restore", str(archive), *flags)
        assert code == 0, said
        get_settings.cache_clear()  # the portal starts again after a restore

    new_machine(without)
    with pytest.raises(Exception, match="code"):
        code_login.login_with_code(email=ADA, code=emailed, device=TEST_BROWSER, ip=IP)

    new_machine(with_secret, "--with-secret")
    assert secret_file.stat().st_mode & 0o077 == 0
    ticket = code_login.login_with_code(email=ADA, code=emailed, device=TEST_BROWSER, ip=IP)
    [ada] = accounts_for(ADA)
    assert sessions.account_for_token(redeem_bound(ticket, user_agent="pytest", ip=IP).value) == ada.id


def _pair_counts(session) -> tuple[int, int]:
    rows = dict(session.exec(select(RateEvent.kind, func.count()).group_by(RateEvent.kind)).all())
    return rows.get("backup_test_a", 0), rows.get("backup_test_b", 0)


def test_a_backup_taken_while_the_portal_writes_is_one_consistent_moment(portal_database, tmp_path, capsys):
    """A writer thread commits pairs of rows (one transaction each) while three backups run: each backup holds
    whole pairs only, and at least every pair committed before it started."""
    stop = threading.Event()
    committed = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                with db.write_session() as session:
                    throttle.record(session, "backup_test_a", "k")
                    throttle.record(session, "backup_test_b", "k")
                committed[0] += 1
        except BaseException as error:  # surfaced below
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    taken = []
    try:
        for number in range(3):
            time.sleep(0.3)
            before = committed[0]
            archive = tmp_path / f"busy-{number}.tar"
            code, said = portal(capsys, "backup", str(archive))
            assert code == 0, said
            taken.append((archive, before, committed[0]))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []

    for archive, before, after in taken:
        code, said = portal(capsys, "restore", str(archive), "--yes")
        assert code == 0, said
        with db.read_session() as session:
            a, b = _pair_counts(session)
        assert a == b, f"{archive.name} holds half a transaction: {a} rows of one kind, {b} of the other"
        assert before <= a <= after, f"{archive.name} holds {a} pairs; {before} were committed before it began"
    assert taken[-1][1] > taken[0][2] > 0  # the writer kept writing between backups


def test_a_database_missing_a_table_restores_whole(portal_database, tmp_path, capsys):
    """A damaged database (one table gone, the others left) comes back whole."""
    sign_up(ADA)
    archive = tmp_path / "backup.tar"
    assert portal(capsys, "backup", str(archive))[0] == 0
    SQLModel.metadata.tables["activity"].drop(db.get_engine())
    code, said = portal(capsys, "restore", str(archive), "--yes")
    assert code == 0, said
    assert signs_in(ADA) == accounts_for(ADA)[0].id
    with db.read_session() as session:
        assert session.exec(select(func.count()).select_from(Account)).one() == 1
        assert session.exec(text("SELECT count(*) FROM activity")).one()[0] > 0  # the timeline is back
