"""Text people write (lessons, posts, comments): Markdown turned into HTML that is safe to hand to the
browser as markup. Every app shows people's text through safe_html() and never through rx.markdown."""

from __future__ import annotations

import threading

import nh3
from cachetools import LRUCache, cached
from markdown_it import MarkdownIt

# Markdown is turned into HTML on the server, with raw HTML switched off (it comes out as text), and
# that HTML then goes through nh3 with a strict allow-list before any browser sees it.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol",
    "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_SANITISER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# The HTML of texts rendered lately, by their Markdown. Rendering runs in Python and is not cheap (~0.4 ms
# for a short post, ~6 ms for 3,000 characters), and the same texts are shown again and again: a feed is
# read anew for every viewer each time someone posts, a lesson for everyone who opens it. Bounded by the
# characters of HTML held (the Markdown keys are about as long): ~2 x this many characters per process.
# What a text renders to depends on the text alone, so a cached answer is the one rendering would give.
RENDERED_CACHE_CHARACTERS = 4 * 1024 * 1024
_rendered: LRUCache[str, str] = LRUCache(maxsize=RENDERED_CACHE_CHARACTERS, getsizeof=len)


@cached(_rendered, lock=threading.Lock())  # a lock: pages call it from worker threads
def safe_html(markdown: str) -> str:
    """Markdown someone wrote as HTML that is safe to hand to the browser as markup.

    Why this way, and not rx.markdown on the client: what is safe is decided here, in one function
    a test can feed real payloads, and does not depend on how a frontend component is configured
    (rx.markdown renders raw HTML unless use_raw=False is passed, and lets its own URL rules decide
    about links). Two layers:
    1. markdown-it renders CommonMark (plus tables and strike-through) with raw HTML off, so
       `<script>` or `<img onerror=...>` typed in a lesson or a post becomes visible text, and it refuses
       `javascript:`, `vbscript:`, `file:` and most `data:` link targets;
    2. nh3 (ammonia) then keeps only the tags and attributes above, only http/https/mailto (or
       relative) URLs, drops every `on*` and `style` attribute and every comment, and adds
       rel="noopener noreferrer" to links. Even if the renderer let something through, this
       allow-list is what the browser gets.
    """
    return _SANITISER.clean(_MARKDOWN.render(markdown))
