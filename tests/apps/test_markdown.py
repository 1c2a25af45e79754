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
