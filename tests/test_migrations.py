"""The committed migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import portal_app.schema  # noqa: F401  (every core table)
from portal_app.apps import registry
from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR

# Every app's tables and version table too.
registry.all_apps()
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _migrate(url: str) -> None:
    env = {**os.environ, "REFLEX_DB_URL": url}
    result = subprocess.run(
        [str(PROJECT_DIR / ".venv" / "bin" / "portal"), "db", "migrate"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _modelled(obj, name, type_, reflected, compare_to) -> bool:
    return not db.is_unmodelled_index(obj, name, type_, reflected, compare_to)


def _schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            # Indexes a table says its migrations make on purpose (PostgreSQL's full-text GIN index) are left out,
            # as `portal db makemigrations` leaves them.
            context = MigrationContext.configure(connection, opts={"include_object": _modelled})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    _migrate(url)
    assert _schema_differences(url) == []


def test_migrations_match_the_models_on_postgresql():
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # the test command says when PostgreSQL is unreachable
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {error}")
    name = f"portal_migrations_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        _migrate(url)
        assert _schema_differences(url) == []
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_database_from_before_apps_had_migrations_keeps_its_notes(tmp_path):
    """Before this layout the core's first revision made the note table; the Notes app's own first
    revision adopts it, rows and all."""
    from alembic.config import Config
    from sqlalchemy import insert

    from alembic import command
    from portal_app.accounts.models import Account
    from portal_app.apps.notes.models import Note
    from portal_app.kernel import clock

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "23001fa16241")
    engine = create_engine(url)
    try:
        Note.__table__.create(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(Account.__table__).values(id=1, email="a@example.com", full_name="A", created_at=clock.now())
            )
            connection.execute(insert(Note.__table__).values(account_id=1, text="kept", created_at=clock.now()))
    finally:
        engine.dispose()
    _migrate(url)
    assert _schema_differences(url) == []
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("select text from note")).scalars().all() == ["kept"]
            assert connection.execute(text("select version_num from alembic_version_notes")).scalar() == "b7e1c0a4d2f9"
    finally:
        engine.dispose()
