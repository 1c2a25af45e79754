"""Courses the Membership Courses tests build: a published course of two modules and four lessons, and variants."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from portal_app.apps.courses import building
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.kernel import db

XSS_PAYLOADS = {
    "img-onerror": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "javascript-link": "[x](javascript:alert(1))",
    "data-link": '<a href="data:text/html,<script>alert(1)</script>">open</a>',
    "data-link-markdown": "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "autolink-javascript": "<javascript:alert(1)>",
    "image-javascript": "![x](javascript:alert(1))",
    "style": "<style>body{display:none}</style>",
    "uppercase-scheme": "[x](JaVaScRiPt:alert(1))",
    "entity-scheme": "[x](&#106;avascript:alert(1))",
}


def lessons(prefix: str, count: int, body: str = "Some **text**.") -> tuple[LessonSpec, ...]:
    return tuple(LessonSpec(f"{prefix}-{n}", f"{prefix.title()} {n}", body) for n in range(1, count + 1))


def make_course(
    slug: str = "baking",
    *,
    title: str = "Baking basics",
    published: bool = True,
    for_everyone: bool = False,
    certificate_enabled: bool = False,
    modules: tuple[ModuleSpec, ...] | None = None,
    position: int = 0,
) -> str:
    if modules is None:
        modules = (ModuleSpec("Bread", lessons("bread", 2)), ModuleSpec("Cakes", lessons("cake", 2)))
    with db.write_session() as session:
        building.create_course(
            session,
            slug=slug,
            title=title,
            description=f"All about {title.lower()}.",
            published=published,
            for_everyone=for_everyone,
            certificate_enabled=certificate_enabled,
            position=position,
            modules=modules,
        )
    return slug


ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


class Markup(HTMLParser):
    """The elements and attributes of an HTML fragment, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attributes in Markup(html).elements:
        assert tag not in {"script", "style", "iframe", "svg", "object", "embed", "form", "math"}, html
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()), html
        for name in ("href", "src"):
            if name in attributes:
                assert urlsplit(attributes[name].strip()).scheme.lower() in {"", "http", "https", "mailto"}, html
        if tag == "a" and "href" in attributes:
            assert attributes["rel"] == "noopener noreferrer"
