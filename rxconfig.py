"""Reflex configuration. Portal settings live in portal_app/settings.py; this only wires Reflex to them."""

import os

import reflex as rx
from reflex.constants import StateManagerMode

from portal_app.kernel.settings import PROJECT_DIR, get_settings
from portal_app.shell.ui.script_chunks import FewerScriptFiles
from portal_app.shell.ui.theme_colors import ThemeColorsInUse
from portal_app.shell.ui.worker_respawn import respawn_failed_workers

settings = get_settings()
# One backend worker that dies is replaced, not the end of every worker (shell/ui/worker_respawn.py).
respawn_failed_workers()


config = rx.Config(
    app_name="portal_app",
    db_url=settings.db_url,
    # The business's white-label portal: no Reflex badge, no telemetry (and no network here).
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Only the portal's own pages may open the event websocket.
    cors_allowed_origins=[settings.public_url],
    deploy_url=settings.public_url,
    # The pages' event websocket goes to the address people open (behind a proxy too), not to the port
    # the backend listens on: Reflex's default, ws://localhost:<port>, never reaches a proxied portal.
    api_url=settings.public_url,
    trusted_proxy_hops=settings.trusted_proxy_hops,
    plugins=[ThemeColorsInUse(theme=rx.theme(accent_color="indigo", radius="large")), FewerScriptFiles()],
    # A portal of private pages has nothing to list in a sitemap.
    disable_plugins=[rx.plugins.SitemapPlugin],
    # A page opened at another address than PORTAL_PUBLIC_URL cannot reach the server: say so, and what to set.
    extra_overlay_function="portal_app.shell.ui.wrong_address.wrong_address_notice",
    # Where each browser tab's state lives. One backend process keeps it in memory: Reflex's default disk
    # manager pickles every tab to a file on each change and rescans the folder every few seconds, so its
    # idle CPU grows with past traffic (docs/benchmarks.md, "Load on the real protocol"). Several workers
    # share it through Redis (REFLEX_REDIS_URL; docs/deploy.md).
    state_manager_mode=StateManagerMode.REDIS if os.environ.get("REFLEX_REDIS_URL") else StateManagerMode.MEMORY,
    # A tab's state is dropped 15 minutes after its last event (Reflex's default keeps it an hour), in memory
    # and in Redis alike: closed tabs stop holding memory sooner, and a tab that comes back later is
    # rehydrated by Reflex (its page's on_load runs again, as after a reload).
    redis_token_expiration=15 * 60,
    bun_path=str(PROJECT_DIR / ".tools" / "node_modules" / ".bin" / "bun"),
)
