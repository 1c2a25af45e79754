"""Backups of the portal in one file, and their restore: the database, the data folder, and (when asked) the secret.

A backup is a tar archive (mode 0600: it holds password hashes) with `manifest.json`, the database and
`data/`, a copy of PORTAL_DATA_DIR (uploaded files). The database is copied with the engine's own tools,
consistent while the portal keeps writing: SQLite's online backup API (one read transaction, which in WAL
mode holds up no writer), or `pg_dump --format=custom` (one snapshot). `secret` is the server secret, only
with `--with-secret`: it keys the HMACs of emailed codes and invitation links and the signatures of the
cookies apps sign, so a portal restored with a different secret turns away every code and link sent
before, and the apps no longer trust the cookies they set. Sessions survive either way (their tokens are
stored as plain SHA-256).

Restoring replaces the database (and the data folder, and the secret file when asked) with the
backup's; the caller then runs the migrations, so an older backup comes up to date.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from portal_app.kernel import clock, db
from portal_app.kernel.errors import CommandError
from portal_app.kernel.settings import Settings

FORMAT = "client-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data"
SECRET = "secret"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# `pg_restore --list` names each table of a dump on a line like "215; 1259 16390 TABLE public account postgres".
_DUMPED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


@dataclass(frozen=True)
class Manifest:
    database: str  # "sqlite" or "postgresql"
    created_at: str
    revisions: dict[str, str]  # each alembic version table's revision when the backup was made
    with_secret: bool
    data_files: int

    def describe(self) -> str:
        core = self.revisions.get("alembic_version", "none")
        return (
            f"a {ENGINE_NAMES[self.database]} backup made {self.created_at} (core revision {core},"
            f" {_files(self.data_files, 'data ')}, {'with' if self.with_secret else 'without'} the secret)"
        )


def _engine_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in DATABASE_FILES:
        raise CommandError(f"backups know SQLite and PostgreSQL databases, not {backend!r}")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise CommandError("REFLEX_DB_URL names an in-memory SQLite database: there is nothing to back up or restore")
    return Path(database)


def _revisions() -> dict[str, str]:
    engine = db.get_engine()
    with engine.connect() as connection:
        tables = [name for name in inspect(connection).get_table_names() if name.startswith("alembic_version")]
        return {
            table: revision
            for table in sorted(tables)
            if (revision := connection.execute(text(f'SELECT version_num FROM "{table}"')).scalar()) is not None
        }


# PostgreSQL: the client tools, told where to connect without the password on their command line.


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} is not on PATH: install PostgreSQL's client tools, the same major version as the server"
            " or newer (Debian: apt-get install postgresql-client)"
        )
    return path


def _pg_connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the tools, and their environment with the password in PGPASSWORD."""
    from psycopg.conninfo import make_conninfo

    parsed: URL = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username, "dbname": parsed.database}
    parts.update({key: value for key, value in parsed.query.items() if isinstance(value, str)})
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return make_conninfo(**{key: value for key, value in parts.items() if value is not None}), env


def _run_pg_tool(arguments: list[str], env: dict[str, str], doing: str) -> str:
    completed = subprocess.run(arguments, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"exit status {completed.returncode}"
        raise CommandError(f"{doing} failed: {detail}")
    return completed.stdout


def _dump_postgresql(url: str, target: Path) -> None:
    conninfo, env = _pg_connection(url)
    _run_pg_tool(
        [_pg_tool("pg_dump"), "--format=custom", f"--file={target}", conninfo],
        env,
        "pg_dump",
    )


def _dumped_tables(dump: Path) -> set[str]:
    listing = _run_pg_tool([_pg_tool("pg_restore"), "--list", str(dump)], dict(os.environ), "reading the dump")
    return {match[2] for line in listing.splitlines() if (match := _DUMPED_TABLE.match(line))}


def _restore_postgresql(url: str, dump: Path) -> None:
    dumped = _dumped_tables(dump)
    # Tables the backup does not have (an app added since) go first: their foreign keys would stop
    # pg_restore from dropping the tables they point at, and their rows belong to no restored account.
    engine = db.get_engine()
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            if table not in dumped:
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()
    conninfo, env = _pg_connection(url)
    _run_pg_tool(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


# SQLite: the online backup API, in both directions.


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a whole SQLite database in one step (pages=-1: one read transaction, so one consistent moment)."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as reading,
        closing(sqlite3.connect(target, timeout=30)) as writing,
    ):
        reading.backup(writing)


def _check_sqlite_file(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise CommandError(f"the backup's database is not a readable SQLite database: {error}") from None
    if verdict != "ok":
        raise CommandError(f"the backup's database failed SQLite's check: {verdict}")


# The archive.


def _files(count: int, kind: str = "") -> str:
    return f"{count} {kind}file" if count == 1 else f"{count} {kind}files"


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def back_up(settings: Settings, destination: Path, *, with_secret: bool = False) -> Manifest:
    """Write a backup of the database, the data folder and, when asked, the secret to `destination`."""
    destination = destination.resolve()
    if destination.exists():
        raise CommandError(f"{destination} already exists; give a new file name (backups never overwrite)")
    if not destination.parent.is_dir():
        raise CommandError(f"{destination.parent} is not a folder")
    kind = _engine_kind(settings.db_url)
    manifest = Manifest(
        database=kind,
        created_at=f"{clock.now():%Y-%m-%d %H:%M:%S} UTC",
        revisions=_revisions(),
        with_secret=with_secret,
        data_files=_count_files(settings.data_dir),
    )
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".portal-backup-") as work:
        database_copy = Path(work) / DATABASE_FILES[kind]
        if kind == "sqlite":
            database = _sqlite_path(settings.db_url)
            if not database.is_file():
                raise CommandError(f"the database file {database} does not exist")
            _copy_sqlite(database, database_copy)
        else:
            _dump_postgresql(settings.db_url, database_copy)
        partial = Path(work) / "backup.tar"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            about = {"format": FORMAT, "version": FORMAT_VERSION, **asdict(manifest)}
            _add_bytes(archive, MANIFEST, json.dumps(about, indent=2).encode())
            archive.add(database_copy, arcname=database_copy.name)
            if settings.data_dir.is_dir():
                archive.add(settings.data_dir, arcname=DATA)
            if with_secret:
                _add_bytes(archive, SECRET, settings.secret_key)
        os.replace(partial, destination)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    info.mtime = int(clock.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


def read_manifest(source: Path) -> Manifest:
    """The manifest of a backup file, or CommandError saying why the file is not one."""
    if not source.is_file():
        raise CommandError(f"{source} does not exist or is not a file")
    try:
        with tarfile.open(source, mode="r:*") as archive:
            member = archive.extractfile(MANIFEST)
            raw = json.loads(member.read()) if member is not None else None
    except (tarfile.TarError, KeyError, ValueError):
        raw = None
    names = [field.name for field in fields(Manifest)]
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or any(name not in raw for name in names):
        raise CommandError(f"{source} is not a portal backup (made by `portal backup`)")
    if not isinstance(raw.get("version"), int) or raw["version"] > FORMAT_VERSION:
        raise CommandError(f"{source} was made by a newer portal (backup format {raw.get('version')}); upgrade first")
    if raw["database"] not in DATABASE_FILES:
        raise CommandError(f"{source} holds a database this portal cannot restore ({raw['database']!r})")
    return Manifest(**{name: raw[name] for name in names})


def _target_in_use(settings: Settings, kind: str, with_secret: bool) -> list[str]:
    """What a restore would replace that holds something now."""
    in_use = []
    if kind == "postgresql" or _sqlite_path(settings.db_url).exists():
        try:
            with db.get_engine().connect() as connection:
                tables = inspect(connection).get_table_names()
        except OperationalError as error:
            raise CommandError(
                f"cannot reach the database REFLEX_DB_URL names (create it first): {error.orig}"
            ) from None
        if tables:
            in_use.append(f"the database ({len(tables)} tables)")
    if data_files := _count_files(settings.data_dir):
        in_use.append(f"the data folder {settings.data_dir} ({_files(data_files)})")
    if with_secret and settings.secret_file.exists():
        in_use.append(f"the secret file {settings.secret_file}")
    return in_use


def restore(settings: Settings, source: Path, *, overwrite: bool = False, with_secret: bool = False) -> Manifest:
    """Replace the database and the data folder (and the secret file, `with_secret`) with the backup's.

    Refuses, changing nothing, a file that is not a backup, a backup of the other database engine, a
    secret the backup does not hold, and (unless `overwrite`) a target that holds anything. Run the
    migrations afterwards: the backup may be older than the code.
    """
    manifest = read_manifest(source)
    kind = _engine_kind(settings.db_url)
    if manifest.database != kind:
        raise CommandError(
            f"{source} holds a {ENGINE_NAMES[manifest.database]} database, but REFLEX_DB_URL names a"
            f" {ENGINE_NAMES[kind]} one; restore it into a {ENGINE_NAMES[manifest.database]} database"
        )
    if with_secret and not manifest.with_secret:
        raise CommandError(f"{source} holds no secret (it was made without --with-secret)")
    in_use = _target_in_use(settings, kind, with_secret)
    if in_use and not overwrite:
        raise CommandError(
            f"this would replace {', '.join(in_use)}; stop the portal, then run the restore again with --yes"
        )
    with tempfile.TemporaryDirectory(prefix=".portal-restore-", dir=_work_folder(settings)) as work:
        with tarfile.open(source, mode="r:*") as archive:
            archive.extractall(work, filter="data")
        database_copy = Path(work) / DATABASE_FILES[kind]
        if not database_copy.is_file():
            raise CommandError(f"{source} is damaged: it has no {DATABASE_FILES[kind]}")
        if kind == "sqlite":
            _check_sqlite_file(database_copy)
            target = _sqlite_path(settings.db_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            db.get_engine().dispose()
            _copy_sqlite(database_copy, target)
        else:
            _restore_postgresql(settings.db_url, database_copy)
        _replace_folder(settings.data_dir, Path(work) / DATA)
        if with_secret:
            _write_secret(settings.secret_file, (Path(work) / SECRET).read_bytes())
    return manifest


def _work_folder(settings: Settings) -> Path:
    """Where to unpack: beside the data folder, so moving it into place is a rename on the same disk."""
    settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    return settings.data_dir.parent


def _replace_folder(target: Path, restored: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    if restored.is_dir():
        os.replace(restored, target)
    else:
        target.mkdir(parents=True)


def _write_secret(path: Path, secret: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restoring")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
    os.replace(partial, path)
