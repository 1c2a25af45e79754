"""Reflex configuration. Portal settings live in portal_app/settings.py; this only wires Reflex to them."""

import reflex as rx

from portal_app.kernel.settings import PROJECT_DIR, get_settings

settings = get_settings()

config = rx.Config(
    app_name="portal_app",
    db_url=settings.db_url,
    # The business's white-label portal: no Reflex badge, no telemetry (and no network here).
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Only the portal's own pages may open the event websocket.
    cors_allowed_origins=[settings.public_url],
    deploy_url=settings.public_url,
    trusted_proxy_hops=settings.trusted_proxy_hops,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="large"))],
    # A portal of private pages has nothing to list in a sitemap.
    disable_plugins=[rx.plugins.SitemapPlugin],
    bun_path=str(PROJECT_DIR / ".tools" / "node_modules" / ".bin" / "bun"),
)
