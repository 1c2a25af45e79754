"""A built page's address without its slash is answered with the page itself, not a redirect to the slash."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from portal_app.kernel.web.page_paths import PagesWithoutRedirect


def _client(pages: Path, *, rewrite: bool = True) -> TestClient:
    for route in ("login", "apps/courses"):
        (pages / route).mkdir(parents=True, exist_ok=True)
        (pages / route / "index.html").write_text(f"<p>{route}</p>")
    (pages / "index.html").write_text("<p>home</p>")
    (pages / "assets").mkdir(exist_ok=True)
    (pages / "assets" / "entry-1a2b3c4d.js").write_text("1")
    app = Starlette(
        routes=[
            Route("/auth/ticket", lambda request: PlainTextResponse("ticket")),
            Mount("/", StaticFiles(directory=pages, html=True)),
        ]
    )
    return TestClient(PagesWithoutRedirect(app, pages_dir=pages) if rewrite else app, follow_redirects=False)


def test_a_page_is_answered_at_its_address_without_a_redirect(tmp_path):
    client = _client(tmp_path)
    for path, text in (("/login", "login"), ("/apps/courses", "apps/courses"), ("/login/", "login"), ("/", "home")):
        response = client.get(path)
        assert (response.status_code, response.text) == (200, f"<p>{text}</p>"), path
    # Without the middleware, the file server sends the browser round once more first.
    assert _client(tmp_path, rewrite=False).get("/login").status_code == 307


def test_routes_assets_and_unknown_addresses_pass_untouched(tmp_path):
    client = _client(tmp_path)
    assert client.get("/auth/ticket").text == "ticket"
    assert client.get("/assets/entry-1a2b3c4d.js").text == "1"
    assert client.get("/nowhere").status_code == 404
    assert client.post("/login").status_code in (404, 405)  # only reads are rewritten
    assert client.get("/login/../../../etc").status_code in (307, 404)
