"""Notes: the example child app, small and complete (a table, a service, a state, a page, a home card).

Registered always, switched off until the business adds "notes" to its enabled apps. It is the
walk-through of docs/extending.md; copy its shape for a new app.
"""

from portal_app.apps.notes import service
from portal_app.apps.registry import AppPage, ChildApp, register

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
                page="portal_app.apps.notes.pages:notes_page",
                on_load="portal_app.apps.notes.state:NotesState.load",
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=90,
        enabled_by_default=False,
    )
)
