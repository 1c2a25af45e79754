"""The database engine and the two kinds of session the services use.

SQLite gets WAL, a busy timeout and foreign keys on every connection. Write transactions on
SQLite start with BEGIN IMMEDIATE so two writers queue on the busy timeout instead of failing
when a read lock cannot be upgraded; PostgreSQL needs nothing special.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from portal_app.kernel.settings import get_settings


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


@functools.lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().db_url)


@contextlib.contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads (and writes that cannot race); commit explicitly if you write."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


@contextlib.contextmanager
def write_session() -> Iterator[Session]:
    """A transaction that commits on success and rolls back on error.

    On SQLite it takes the write lock at BEGIN, so check-then-write logic inside it is serialised.
    """
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upsert(session: Session, model, *, key: dict[str, object], values: dict[str, object]) -> None:
    """Insert a row, or update `values` on the row whose unique `key` columns match, in one statement.

    INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike: two writers racing for the
    same key cannot both insert.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**key, **values)
    session.exec(statement.on_conflict_do_update(index_elements=list(key), set_=values))


def insert_if_absent(session: Session, model, *, key: dict[str, object], values: dict[str, object]) -> bool:
    """Insert a row unless one with the same unique `key` columns exists; True when this statement inserted it.

    INSERT ... ON CONFLICT DO NOTHING RETURNING id, on SQLite and PostgreSQL alike (RETURNING, not
    rowcount: psycopg reports -1 for this statement). Two writers racing for one key insert once.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(model)
        .values(**key, **values)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(model.id)
    )
    return session.execute(statement).first() is not None


# A table's info key naming indexes its migrations make that its model cannot describe (a PostgreSQL
# expression index, say): autogenerate and the schema tests leave them be (apps/migrations.py).
UNMODELLED_INDEXES = "unmodelled_indexes"


def is_unmodelled_index(obj, name, type_, reflected, compare_to) -> bool:
    """For alembic's include_object: a database index with no model counterpart that its table says is
    made by a migration on purpose."""
    if type_ != "index" or not reflected or compare_to is not None:
        return False
    table = getattr(obj, "table", None)
    model_table = SQLModel.metadata.tables.get(table.name) if table is not None else None
    info = model_table.info if model_table is not None else {}
    return name in info.get(UNMODELLED_INDEXES, ())


def is_row_id(value: object) -> bool:
    """Whether a value can be a row id: a whole number (not a bool) an integer column can hold. A URL or
    a client's event may carry any number of digits; a larger one would make the driver raise."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
