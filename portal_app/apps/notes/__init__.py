"""Notes: the example child app, small and complete, and the walk-through of docs/extending.md.

Everything Notes is lives in this folder: its table (models.py) and migrations (migrations/), its
service, page and state, its email (emails/), its owner page and setting, its roles, its HTTP route
(a download of your notes), its `portal notes` command, its export and demo data, and live updates
across the person's tabs. Registered always, switched off until the business enables it.
"""

from portal_app.apps.notes import service
from portal_app.apps.registry import AdminPage, AppPage, ChildApp, Setting, register

register(
    ChildApp(
        key=service.APP_KEY,
        title="Notes",
        icon="notebook-pen",
        route="/apps/notes",
        description="Short notes you keep for yourself. An example app: the business switches it on in its settings.",
        pages=(
            AppPage(
                route="/apps/notes",
                title="Notes",
                page="portal_app.apps.notes.ui.notes_page:notes_page",
                on_load="portal_app.apps.notes.ui.notes_state:NotesState.load",
            ),
            AppPage(
                route="/apps/notes/[note]",
                title="Note",
                page="portal_app.apps.notes.ui.notes_page:note_page",
                on_load="portal_app.apps.notes.ui.notes_state:NotesState.load_note",
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=90,
        enabled_by_default=False,
        roles=service.ROLES,
        settings=(
            Setting(
                key=service.MAX_NOTES_SETTING,
                label="Most notes one person may keep",
                kind="int",
                default=100,
                minimum=1,
                maximum=10_000,
                help="People with the unlimited role have no cap.",
            ),
        ),
        admin_pages=(
            AdminPage(
                route="/admin/apps/notes",
                title="Notes",
                page="portal_app.apps.notes.ui.usage_page:notes_usage_page",
                on_load="portal_app.apps.notes.ui.usage_page:NotesUsageState.load",
            ),
        ),
        http_routes="portal_app.apps.notes.routes:routes",
        cli="portal_app.apps.notes.commands:add_commands",
        export="portal_app.apps.notes.service:export",
        deletion_removes=("your notes",),
        demo_data="portal_app.apps.notes.service:add_demo_notes",
        demo_accounts=("main",),
    )
)
