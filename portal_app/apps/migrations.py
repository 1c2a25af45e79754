"""Migrations, Django-style: the core's history in alembic/versions, and each child app's own history in its folder.

An app with tables keeps its revisions in portal_app/apps/<key>/migrations/ and its position in its
own version table (alembic_version_<key>), so apps never share a chain and one app's migrations
can be added or removed without touching another's. `portal db migrate` brings the core, then
every app, to its head; `portal db makemigrations [--app KEY]` writes a revision for the core's
tables or for that app's tables only.

`reflex db migrate` and `reflex db makemigrations` keep working for the core: the app version
tables are declared on the shared metadata (below), so Reflex's autogenerate sees nothing to drop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate.api import RevisionContext
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.main import default_registry

from portal_app.apps import registry
from portal_app.apps.registry import ChildApp
from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR, get_settings

CORE_INI = PROJECT_DIR / "alembic.ini"
MIGRATIONS_FOLDER = "migrations"


def version_table(app_key: str) -> str:
    return f"alembic_version_{app_key}"


def migration_folder(app: ChildApp) -> Path | None:
    """The app's migrations folder, or None for an app without tables of its own."""
    folder = app.folder / MIGRATIONS_FOLDER
    return folder if folder.is_dir() else None


def apps_with_migrations() -> list[tuple[ChildApp, Path]]:
    return [(app, folder) for app in registry.all_apps() if (folder := migration_folder(app)) is not None]


def declare_version_tables(metadata: MetaData = SQLModel.metadata) -> None:
    """Put each app's version table on the shared metadata, as alembic creates it, so schema comparisons
    (Reflex's autogenerate, the migration tests) see it as expected rather than as a stray table."""
    for app, _ in apps_with_migrations():
        name = version_table(app.key)
        if name not in metadata.tables:
            Table(name, metadata, Column("version_num", String(32), primary_key=True, nullable=False))


def tables_of(app: ChildApp) -> set[str]:
    """The tables an app's models declare (every table whose model class lives in the app's package)."""
    prefix = app.package + "."
    return {
        mapper.local_table.name
        for mapper in default_registry.mappers
        if mapper.class_.__module__.startswith(prefix) and mapper.local_table is not None
    }


def _config() -> Config:
    config = Config(str(CORE_INI))
    config.set_main_option("sqlalchemy.url", get_settings().db_url)
    return config


def _script_directory(config: Config, folder: Path | None) -> ScriptDirectory:
    """The core's scripts, or an app's (its own folder, the core's revision template)."""
    core = ScriptDirectory.from_config(config)
    if folder is None:
        return core
    return ScriptDirectory(core.dir, version_locations=[str(folder)], file_template=core.file_template)


def _upgrade(connection: Connection, config: Config, script: ScriptDirectory, table: str) -> None:
    def run(rev, _context):
        return script._upgrade_revs("head", rev)

    with EnvironmentContext(config, script, fn=run) as env:
        env.configure(connection=connection, version_table=table)
        env.run_migrations()


def current_revision(connection: Connection, app: ChildApp | None = None) -> str | None:
    table = "alembic_version" if app is None else version_table(app.key)
    return MigrationContext.configure(connection, opts={"version_table": table}).get_current_revision()


def migrate() -> list[str]:
    """Bring the core, then every app, to its newest revision; says what each ends at."""
    config = _config()
    report = []
    with db.get_engine().connect() as connection:
        _upgrade(connection, config, _script_directory(config, None), "alembic_version")
        report.append(f"core: {current_revision(connection)}")
        for app, folder in apps_with_migrations():
            _upgrade(connection, config, _script_directory(config, folder), version_table(app.key))
            report.append(f"{app.key}: {current_revision(connection, app)}")
        connection.commit()
    return report


def _owned_by(app: ChildApp | None) -> Callable[[str], bool]:
    """Whether a table belongs to the history being written: the app's tables, or the core's (no app's)."""
    if app is not None:
        owned = tables_of(app)
        return lambda name: name in owned
    foreign = {name for other in registry.all_apps() for name in tables_of(other)}
    foreign |= {version_table(other.key) for other, _ in apps_with_migrations()}
    return lambda name: name not in foreign


def make_migration(message: str, app: ChildApp | None = None) -> Path | None:
    """Autogenerate a revision for the core's tables or one app's; None when nothing changed.

    The database must be migrated first (the new revision compares the models with it).
    """
    config = _config()
    folder = None
    if app is not None:
        folder = app.folder / MIGRATIONS_FOLDER
        folder.mkdir(exist_ok=True)
    script = _script_directory(config, folder)
    owned = _owned_by(app)
    table = "alembic_version" if app is None else version_table(app.key)
    context = RevisionContext(
        config,
        script,
        defaultdict(
            lambda: None, autogenerate=True, head="head", message=message, version_path=str(folder) if folder else None
        ),
    )

    def include_object(obj, name, type_, reflected, compare_to):
        if db.is_unmodelled_index(obj, name, type_, reflected, compare_to):
            return False
        table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table_name is None or owned(table_name)

    def run(rev, migration_context):
        context.run_autogenerate(rev, migration_context)
        return []

    with db.get_engine().connect() as connection:
        with EnvironmentContext(config, script, fn=run) as env:
            env.configure(
                connection=connection,
                target_metadata=SQLModel.metadata,
                version_table=table,
                include_object=include_object,
                render_as_batch=True,
                compare_type=False,
            )
            env.run_migrations()
    upgrade_ops = context.generated_revisions[-1].upgrade_ops if context.generated_revisions else None
    if upgrade_ops is None or not upgrade_ops.ops:
        return None
    written = [generated for generated in context.generate_scripts() if generated is not None]
    return Path(written[-1].path) if written else None
