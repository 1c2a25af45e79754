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


def _schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
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
