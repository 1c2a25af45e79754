"""An app is one folder: a package dropped into a temporary apps directory appears everywhere, no other file touched.

The package is written to a temporary directory that is added to the apps package's search path
in a fresh interpreter, which then builds the real Reflex app and asks the shell what it shows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from portal_app.kernel.settings import PROJECT_DIR

APP_PACKAGE = {
    "__init__.py": """
        from portal_app.apps.registry import AdminPage, AppPage, ChildApp, PeriodicTask, Setting, SummaryCard, register


        def summary(account_id):
            return SummaryCard(headline="2 boards pinned", count=2)


        register(
            ChildApp(
                key="pinboard",
                title="Pinboard",
                icon="pin",
                route="/apps/pinboard",
                description="Boards of pinned links.",
                pages=(
                    AppPage(route="/apps/pinboard", title="Pinboard", page="portal_app.apps.pinboard.pages:board_list"),
                    AppPage(route="/apps/pinboard/[board]", title="Board", page="portal_app.apps.pinboard.pages:board"),
                ),
                summary=summary,
                activity_kinds={"pinned": "Pinned a link"},
                order=50,
                roles=("viewer", "curator"),
                settings=(Setting(key="boards_per_person", label="Boards per person", kind="int", default=5, minimum=1),),
                admin_pages=(
                    AdminPage(route="/admin/apps/pinboard", title="Pinboard", page="portal_app.apps.pinboard.pages:owner"),
                ),
                http_routes="portal_app.apps.pinboard.pages:routes",
                tasks=(PeriodicTask(name="tidy", every_seconds=3600, run="portal_app.apps.pinboard.pages:tidy"),),
                cli="portal_app.apps.pinboard.pages:commands",
            )
        )
    """,
    "pages.py": """
        import reflex as rx
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route


        def board_list():
            return rx.text("All boards")


        def board():
            return rx.text("One board")


        def owner():
            return rx.text("Pinboard for the owner")


        def tidy():
            pass


        async def ping(request):
            return PlainTextResponse("pong")


        def routes():
            return [Route("/ping", ping)]


        def commands(parser):
            parser.add_subparsers(dest="pinboard_command", required=True).add_parser("hello").set_defaults(
                run=lambda args: print("hello from pinboard") or 0
            )
    """,
}

PROBE = """
import json, sys
import portal_app.apps as apps_package
apps_package.__path__.append(sys.argv[1])  # the temporary apps directory

from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts.models import Account
from portal_app.admin.ui.frame import nav_entries
from portal_app.apps import grants, migrations, overview, registry
from portal_app.apps.http import child_app_routes
from portal_app.business import service as business
from portal_app.cli import main as portal
from portal_app.kernel import clock, db

migrations.migrate()
business.ensure_business("Probe")
with db.write_session() as session:
    account = Account(email="p@example.com", full_name="Pat", created_at=clock.now())
    session.add(account)
    session.flush()
    grants.grant_app(session, account_id=account.id, app_key="pinboard", role="curator")
    account_id = account.id
from portal_app.admin import audit, business_settings
business_settings.change_settings(audit.CLI, {"required_profile_fields": []})

import portal_app.portal_app as built
pages = sorted(route for route in built.app._unevaluated_pages if "pinboard" in route)
client = TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost")
tasks = [getattr(task, "__name__", "") for task in built.app._lifespan_tasks]
print(json.dumps({
    "enabled_by_default": "pinboard" in registry.default_enabled_keys(),
    "switcher": [entry.title for entry in overview.switcher_entries(account_id, "/apps/pinboard/travel")
                 if entry.current],
    "home": [(card.title, card.card.headline) for card in overview.home_cards(account_id)],
    "admin_menu": [entry for entry in nav_entries() if entry[0] == "Pinboard"],
    "pages": pages,
    "http": client.get("/api/apps/pinboard/ping").text,
    "tasks": [name for name in tasks if "pinboard" in name],
}))
sys.stdout.flush()
sys.exit(portal(["pinboard", "hello"]))
"""


def test_a_dropped_in_app_shows_in_switcher_home_admin_menu_routes_tasks_and_cli(tmp_path):
    apps_dir = tmp_path / "apps"
    package = apps_dir / "pinboard"
    package.mkdir(parents=True)
    for name, source in APP_PACKAGE.items():
        (package / name).write_text(textwrap.dedent(source))
    env = {
        "PATH": "/usr/bin:/bin",
        "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'probe.db'}",
        "PORTAL_SECRET_KEY": "probe",
        "PORTAL_ARGON2_TIME_COST": "1",
        "PORTAL_ARGON2_MEMORY_KIB": "1024",
        "PORTAL_ARGON2_PARALLELISM": "1",
    }
    before = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_DIR, capture_output=True, text=True).stdout
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(apps_dir)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    report_line, hello = result.stdout.strip().splitlines()[-2:]
    report = json.loads(report_line)
    assert report["enabled_by_default"] is True
    assert report["switcher"] == ["Pinboard"]
    assert ("Pinboard", "2 boards pinned") in [tuple(card) for card in report["home"]]
    assert report["admin_menu"] == [["Pinboard", "/admin/apps/pinboard"]]
    assert report["pages"] == [
        "admin/apps/pinboard",
        "admin/apps/pinboard/settings",
        "apps/pinboard",
        "apps/pinboard/[board]",
    ]
    assert report["http"] == "pong"
    assert report["tasks"] == ["pinboard_tidy_loop"]
    assert hello == "hello from pinboard"
    # Nothing in the project changed.
    after = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_DIR, capture_output=True, text=True).stdout
    assert after == before
