"""Email templates are files: <name>.txt (first line "Subject: ...") and <name>.html.

Both parts are rendered from the same context; the HTML part is autoescaped. The core's templates
live beside this module; a child app's live in its own folder and may extend the core's
"_layout.html" (render(..., folder=<the app's emails folder>)).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str


@functools.lru_cache(maxsize=32)
def _environment(folder: Path | None = None) -> jinja2.Environment:
    searched = [TEMPLATE_DIR] if folder is None else [folder, TEMPLATE_DIR]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(searched),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, context: dict, *, folder: Path | None = None) -> RenderedEmail:
    """Render <template>.txt and <template>.html from the core's templates, or from `folder` first."""
    env = _environment(folder)
    text = env.get_template(f"{template}.txt").render(**context)
    first_line, _, body = text.partition("\n")
    if not first_line.startswith("Subject: "):
        raise ValueError(f"{template}.txt must start with a 'Subject: ' line")
    html = env.get_template(f"{template}.html").render(**context)
    return RenderedEmail(
        subject=first_line.removeprefix("Subject: ").strip(), text_body=body.lstrip("\n"), html_body=html
    )
