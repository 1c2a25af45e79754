"""The Content-Security-Policy of the portal's pages, and the hashes of the inline scripts they may run.

The production build (React Router, prerendered by Reflex) puts a few inline scripts in every page: the
colour-mode script, the scroll restorer, the router's context and streaming glue, and a module script
that imports the page's own chunks. They are fixed when the frontend is built, so the policy allows
exactly those, by their SHA-256, read from the built pages in the build folder; any other inline script
(an injected one) is refused. Each source of `page_policy` says why it is there.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

# Raw text elements: a script ends at the first "</script", whatever the JavaScript inside says.
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script", re.IGNORECASE | re.DOTALL)
_SRC_ATTRIBUTE = re.compile(r"\ssrc\s*=", re.IGNORECASE)

# The video hosts a lesson may embed (apps/courses/video.py rebuilds every iframe's src on these).
VIDEO_FRAME_SOURCES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


def script_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script: 'sha256-<base64>'."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_script_hashes(html: str) -> set[str]:
    """The hashes of every inline script (one without src) in an HTML document."""
    return {
        script_hash(body) for attributes, body in _INLINE_SCRIPT.findall(html) if not _SRC_ATTRIBUTE.search(attributes)
    }


def built_pages_dir() -> Path:
    """Where Reflex's production build keeps the pages it serves on the single port: <web dir>/build/client,
    the web dir being REFLEX_WEB_WORKDIR (".web" under the directory Reflex runs in). Spelled out here, not
    asked of Reflex, so the services that import this middleware's module never import Reflex."""
    return Path(os.environ.get("REFLEX_WEB_WORKDIR") or ".web") / "build" / "client"


_cache: dict[Path, tuple[int, frozenset[str]]] = {}


def built_script_hashes(pages_dir: Path) -> frozenset[str]:
    """The hashes of every inline script of every built page; read again whenever the build folder changes
    (each `reflex run --env prod` rebuilds it), else from memory. Empty when there is no build (dev mode)."""
    try:
        stamp = os.stat(pages_dir).st_mtime_ns
    except OSError:
        return frozenset()
    cached = _cache.get(pages_dir)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    hashes: set[str] = set()
    for page in sorted(pages_dir.rglob("*.html")):
        try:
            hashes |= inline_script_hashes(page.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    found = frozenset(hashes)
    if found:  # an empty scan may be a build still being written: look again next time
        _cache[pages_dir] = (stamp, found)
    return found


def websocket_origin(public_url: str) -> str:
    """ "https://portal.example" -> "wss://portal.example": where the pages' event websocket connects."""
    parts = urlsplit(public_url)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def page_policy(script_hashes: frozenset[str] | set[str], public_url: str) -> str:
    """The policy every page and route answer gets unless the route set its own."""
    directives = [
        # Nothing is allowed unless a directive below says so.
        "default-src 'self'",
        # Scripts: the built chunks under /assets ('self') and the build's own inline scripts, by hash.
        # 'unsafe-eval': Reflex runs rx.call_script (full_page_load after every sign-in, switch and ticket)
        # with eval() in its state.js; inline and injected <script> elements stay refused.
        "script-src 'self' 'unsafe-eval' " + " ".join(sorted(script_hashes)),
        # Styles: the built CSS ('self'); 'unsafe-inline' because Emotion (Reflex's styling) writes <style>
        # elements into the prerendered HTML and at run time, and Radix sets style attributes.
        "style-src 'self' 'unsafe-inline'",
        # Images: the portal's own, data: and blob: URIs (icons inlined by the build, upload previews), and
        # the business logo, which the owner may host anywhere (business._clean_logo_url; http only when
        # the portal itself is served over http, since browsers block it on https pages anyway).
        "img-src 'self' data: blob: https:" + ("" if public_url.startswith("https://") else " http:"),
        "font-src 'self' data:",
        # The event websocket and uploads go to the portal itself; 'self' covers ws(s) only in newer
        # browsers, so the websocket's origin is named too.
        f"connect-src 'self' {websocket_origin(public_url)}",
        "media-src 'self' blob:",
        # The only frames: lesson videos from the two embed hosts.
        "frame-src " + " ".join(VIDEO_FRAME_SOURCES),
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        # Forms submit only to the portal (the logout form is the one that posts natively).
        "form-action 'self'",
        # No other site may frame the portal (clickjacking).
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def standalone_policy(html: str) -> str:
    """For a small page a route writes itself: only its own inline scripts and styles, nothing else."""
    styles = {script_hash(body) for body in re.findall(r"<style\b[^>]*>(.*?)</style", html, re.IGNORECASE | re.DOTALL)}
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(sorted(inline_script_hashes(html))) or "'none'"),
            "style-src " + (" ".join(sorted(styles)) or "'none'"),
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
