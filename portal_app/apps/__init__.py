"""Child apps: one package each under portal_app/apps/<key>/, and the platform they stand on (the SDK).

The SDK's services (registry, access, grants, app settings, notify, hooks, migrations, http) never
import Reflex; the Reflex side of an app (its access guard and page frame) is in portal_app/shell/ui/,
and shell/ui/app_wiring.py adds every app's pages to the Reflex app. docs/extending.md walks through
building an app; apps/notes is a small complete example.
"""
