"""Lesson videos: a YouTube or Vimeo address turned into an embed address from an allow-list of hosts.

Owners paste the address they see in their browser; members get an iframe whose source is built
here from the video's id alone (never the pasted URL), on YouTube's no-cookie host or Vimeo's player.
Anything else is refused when the lesson is saved.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from portal_app.apps.courses.models import MAX_URL_LENGTH
from portal_app.kernel.errors import FieldError

_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
)
_YOUTU_BE = frozenset({"youtu.be", "www.youtu.be"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_YOUTUBE_PATHS = ("/embed/", "/shorts/", "/live/", "/v/")


def embed_url(url: object) -> str | None:
    """The address to embed for a YouTube or Vimeo video address, or None when it is not one."""
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LENGTH:
        return None
    text = url.strip()
    # urlsplit drops tabs and newlines silently: an address with any space or control character inside is refused.
    if any(character.isspace() or not character.isprintable() for character in text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"https", "http"} or port is not None or parts.username or parts.password:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path
    if host in _YOUTU_BE:
        video = path.strip("/")
        return _youtube(video)
    if host in _YOUTUBE_HOSTS:
        if path == "/watch":
            return _youtube((parse_qs(parts.query).get("v") or [""])[0])
        for prefix in _YOUTUBE_PATHS:
            if path.startswith(prefix):
                return _youtube(path[len(prefix) :].strip("/"))
        return None
    if host in _VIMEO_HOSTS:
        segments = [segment for segment in path.split("/") if segment]
        if host == "player.vimeo.com":
            segments = segments[1:] if segments[:1] == ["video"] else []
        if segments and _VIMEO_ID.fullmatch(segments[0]):
            return f"https://player.vimeo.com/video/{segments[0]}"
    return None


def _youtube(video_id: str) -> str | None:
    return f"https://www.youtube-nocookie.com/embed/{video_id}" if _YOUTUBE_ID.fullmatch(video_id) else None


def clean_video_url(value: object, field: str = "video_url") -> str:
    """An empty string (no video) or a YouTube or Vimeo address; FieldError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if embed_url(value) is None:
        raise FieldError(
            field, "Paste a YouTube or Vimeo address, like https://www.youtube.com/watch?v=... or https://vimeo.com/..."
        )
    return value.strip()
