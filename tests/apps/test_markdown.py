"""Lesson text is shown as HTML only after Markdown rendering (raw HTML off) and nh3's allow-list: payloads stay inert."""

from __future__ import annotations

import re

import pytest

from portal_app.apps.markdown import safe_html
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_each_payload_comes_out_inert(payload):
    for text in (payload, f"Intro\n\n{payload}\n\nOutro", f"- item {payload}", f"> {payload}", f"**{payload}**"):
        html = safe_html(text)
        assert_inert(html)
        assert not re.search(r"<(script|iframe|svg|style)", html, re.I), html


def test_raw_html_is_shown_as_text_not_markup():
    assert safe_html("<b>bold?</b> <img src=x onerror=alert(1)>") == (
        "<p>&lt;b&gt;bold?&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;</p>\n"
    )


def test_markdown_still_formats():
    html = safe_html(
        "# Title\n\nSome **bold**, *italic* and ~~struck~~ text with `<div>` in code.\n\n"
        "1. one\n2. two\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```\nx < y\n```\n"
    )
    for fragment in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<s>struck</s>",
        "<code>&lt;div&gt;</code>",
        "<ol>",
        "<table>",
        "<pre><code>x &lt; y\n</code></pre>",
    ):
        assert fragment in html
    # Alignment comes as style attributes, which are dropped.
    assert "style=" not in html


def test_links_keep_only_safe_schemes_and_get_rel():
    html = safe_html("[site](https://example.com) [mail](mailto:hi@example.com) [page](/apps/courses) [ftp](ftp://x)")
    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in html
    assert '<a href="mailto:hi@example.com" rel="noopener noreferrer">mail</a>' in html
    assert '<a href="/apps/courses" rel="noopener noreferrer">page</a>' in html
    assert "ftp:" not in html


def test_images_keep_http_sources_only():
    assert safe_html("![cat](https://example.com/cat.png)") == (
        '<p><img src="https://example.com/cat.png" alt="cat"></p>\n'
    )
    assert "src=" not in safe_html("![x](data:image/png;base64,AAAA)")


class CountingRenderer:
    """markdown-it's renderer, counting the texts it is asked to render."""

    def __init__(self, real, output=None) -> None:
        self.real, self.output, self.rendered = real, output, []

    def render(self, text: str) -> str:
        self.rendered.append(text)
        return self.output(text) if self.output else self.real.render(text)


@pytest.fixture
def renderer(monkeypatch):
    from portal_app.apps import markdown

    markdown._rendered.clear()
    counting = CountingRenderer(markdown._MARKDOWN)
    monkeypatch.setattr(markdown, "_MARKDOWN", counting)
    yield counting
    markdown._rendered.clear()


def test_a_text_shown_again_is_not_rendered_again(renderer):
    # A feed read anew for every viewer whenever someone posts shows the same posts each time.
    post = "Kiln day **Saturday**: bring <b>glaze</b> and [the list](javascript:alert(1))."
    first = safe_html(post)
    assert safe_html(post) == first
    assert renderer.rendered == [post]
    assert_inert(first)  # what is kept is the sanitised HTML
    assert "<strong>Saturday</strong>" in first and "&lt;b&gt;" in first
    safe_html(post + " Edited.")  # an edited post is a new text: rendered afresh
    assert renderer.rendered == [post, post + " Edited."]


def test_the_cache_keeps_to_its_bound_and_drops_the_oldest(renderer):
    from portal_app.apps import markdown

    # Cheap stand-in output, each a little over a third of the bound: the third pushes the first out.
    share = markdown.RENDERED_CACHE_CHARACTERS // 3 + 1
    renderer.output = lambda text: f"<p>{text[0] * share}</p>"
    for text in ("a", "b", "c"):
        safe_html(text)
    assert markdown._rendered.currsize <= markdown.RENDERED_CACHE_CHARACTERS
    safe_html("c")
    assert renderer.rendered == ["a", "b", "c"]
    safe_html("a")
    assert renderer.rendered == ["a", "b", "c", "a"]
