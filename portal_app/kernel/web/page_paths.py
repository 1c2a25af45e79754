"""A page's address as the portal writes it (`/login`) answered with the page itself, without a redirect.

Reflex's production build keeps each page as `<route>/index.html`, and its static file server answers
`/login` with a redirect to `/login/` first: one more round trip before every page load from a link, an
email or the address bar (about 600 ms on Lighthouse's simulated phone network). This middleware hands
such a GET to the file server as `/login/`, so the page comes at once; the address in the browser stays
`/login`, which the pages' router reads the same. Only addresses of built pages are rewritten (the
portal's own routes, assets and anything unknown pass untouched).
"""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from portal_app.kernel.web import csp


class PagesWithoutRedirect:
    def __init__(self, app: ASGIApp, pages_dir: Path | None = None) -> None:
        self.app = app
        # Where the built pages are; found from Reflex's settings on first use unless given (tests).
        self.pages_dir = pages_dir

    def _is_built_page(self, path: str) -> bool:
        if self.pages_dir is None:
            self.pages_dir = csp.built_pages_dir()
        root = self.pages_dir.resolve()
        try:
            page = (root / path.lstrip("/") / "index.html").resolve()
        except (OSError, ValueError):
            return False
        return page.is_relative_to(root) and page.is_file()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"]
            last = path.rsplit("/", 1)[-1]
            if path != "/" and last and "." not in last and self._is_built_page(path):
                scope = {**scope, "path": path + "/", "raw_path": scope.get("raw_path", path.encode()) + b"/"}
        await self.app(scope, receive, send)
