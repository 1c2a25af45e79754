"""A test database: every table and the business row, on SQLite or on a PostgreSQL server nearby."""

from __future__ import annotations

from typing import Self

import psycopg
from sqlalchemy import event
from sqlmodel import SQLModel

import portal_app.schema  # noqa: F401  (registers every core table)
from portal_app.apps import registry
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db

# Cheap argon2 parameters keep the suite fast; tests of rehashing change them on purpose.
FAST_ARGON2 = {"PORTAL_ARGON2_TIME_COST": "1", "PORTAL_ARGON2_MEMORY_KIB": "1024", "PORTAL_ARGON2_PARALLELISM": "1"}
TEST_SECRET_KEY = "test-secret-key"

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"

# Discovering the apps registers their tables too, so create_all makes every table.
registry.all_apps()


def create_portal_tables() -> None:
    """Every table of the portal and its apps, and the business row, in the database the settings name."""
    SQLModel.metadata.create_all(db.get_engine())
    with db.write_session() as session:
        session.add(Business(id=BUSINESS_ID, name="Test Business", enabled_apps=registry.default_enabled_keys()))


def postgres_admin() -> psycopg.Connection:
    """An autocommit connection to the local PostgreSQL server's maintenance database."""
    return psycopg.connect(POSTGRES_ADMIN, autocommit=True)


class QueryCounter:
    """How many SQL statements ran inside the block (on the settings' engine), not counting the BEGIN that
    SQLite's transactions send (PostgreSQL's driver sends none), so a count is the same on both."""

    def __init__(self) -> None:
        self.count = 0

    def _count(self, _connection, _cursor, statement: str, *args) -> None:
        if not statement.startswith("BEGIN"):
            self.count += 1

    def __enter__(self) -> Self:
        event.listen(db.get_engine(), "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.get_engine(), "before_cursor_execute", self._count)
