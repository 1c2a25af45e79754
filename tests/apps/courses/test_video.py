"""Lesson videos: only YouTube and Vimeo addresses embed, always from the video's id on the no-cookie or player host."""

from __future__ import annotations

import pytest

from portal_app.apps.courses import building, service, video
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.apps.courses.support import make_course
from tests.apps.support import add_account

YOUTUBE_ID = "dQw4w9WgXcQ"
NOCOOKIE = f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"
VIMEO = "https://player.vimeo.com/video/76979871"

EMBEDS = {
    "watch": (f"https://www.youtube.com/watch?v={YOUTUBE_ID}", NOCOOKIE),
    "watch-bare-host": (f"https://youtube.com/watch?v={YOUTUBE_ID}", NOCOOKIE),
    "watch-with-time-and-list": (f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=42s&list=PL123", NOCOOKIE),
    "watch-v-not-first": (f"https://www.youtube.com/watch?feature=share&v={YOUTUBE_ID}", NOCOOKIE),
    "short-link": (f"https://youtu.be/{YOUTUBE_ID}", NOCOOKIE),
    "short-link-with-time": (f"https://youtu.be/{YOUTUBE_ID}?t=10", NOCOOKIE),
    "shorts": (f"https://www.youtube.com/shorts/{YOUTUBE_ID}", NOCOOKIE),
    "embed": (f"https://www.youtube.com/embed/{YOUTUBE_ID}?autoplay=1", NOCOOKIE),
    "live": (f"https://www.youtube.com/live/{YOUTUBE_ID}", NOCOOKIE),
    "mobile": (f"https://m.youtube.com/watch?v={YOUTUBE_ID}", NOCOOKIE),
    "already-nocookie": (f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}", NOCOOKIE),
    "plain-http": (f"http://www.youtube.com/watch?v={YOUTUBE_ID}", NOCOOKIE),
    "upper-case-scheme-and-host": (f"HTTPS://WWW.YOUTUBE.COM/watch?v={YOUTUBE_ID}", NOCOOKIE),
    "spaces-around": (f"  https://youtu.be/{YOUTUBE_ID}  ", NOCOOKIE),
    "vimeo": ("https://vimeo.com/76979871", VIMEO),
    "vimeo-www": ("https://www.vimeo.com/76979871", VIMEO),
    "vimeo-player": ("https://player.vimeo.com/video/76979871", VIMEO),
    "vimeo-player-with-hash": ("https://player.vimeo.com/video/76979871?h=8272103f6e", VIMEO),
    "vimeo-one-digit": ("https://vimeo.com/7", "https://player.vimeo.com/video/7"),
}


@pytest.mark.parametrize(("url", "embed"), EMBEDS.values(), ids=EMBEDS.keys())
def test_youtube_and_vimeo_addresses_embed_from_the_videos_id(url, embed):
    assert video.embed_url(url) == embed
    assert video.clean_video_url(url) == url.strip()


REFUSED = {
    "javascript": "javascript:alert(1)",
    "javascript-with-youtube-text": f"javascript://www.youtube.com/watch?v={YOUTUBE_ID}%0aalert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "data-base64": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "ftp": f"ftp://www.youtube.com/watch?v={YOUTUBE_ID}",
    "no-scheme": f"www.youtube.com/watch?v={YOUTUBE_ID}",
    "scheme-relative": f"//www.youtube.com/watch?v={YOUTUBE_ID}",
    "lookalike-suffix": f"https://youtube.com.evil.example/watch?v={YOUTUBE_ID}",
    "lookalike-prefix": f"https://evilyoutube.com/watch?v={YOUTUBE_ID}",
    "subdomain-of-other": f"https://www.youtube.com.evil.example/embed/{YOUTUBE_ID}",
    "host-in-path": f"https://evil.example/youtube.com/watch?v={YOUTUBE_ID}",
    "host-in-query": f"https://evil.example/?u=https://www.youtube.com/watch?v={YOUTUBE_ID}",
    "user-is-youtube": f"https://www.youtube.com@evil.example/watch?v={YOUTUBE_ID}",
    "user-at-youtube": f"https://evil.example@www.youtube.com/watch?v={YOUTUBE_ID}",
    "user-and-password": f"https://user:pass@www.youtube.com/watch?v={YOUTUBE_ID}",
    "port": f"https://www.youtube.com:8443/watch?v={YOUTUBE_ID}",
    "port-443": f"https://www.youtube.com:443/watch?v={YOUTUBE_ID}",
    "vimeo-port": "https://vimeo.com:8080/76979871",
    "trailing-dot-host": f"https://www.youtube.com./watch?v={YOUTUBE_ID}",
    "fullwidth-host": f"https://ｙoutube.com/watch?v={YOUTUBE_ID}",
    "id-too-short": "https://www.youtube.com/watch?v=dQw4w9WgXc",
    "id-too-long": "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
    "id-bad-character": "https://youtu.be/dQw4w9WgX<Q",
    "id-quote": "https://www.youtube.com/embed/dQw4w9WgX'Q",
    "id-percent-encoded": "https://youtu.be/dQw4w9WgXc%51",
    "id-with-more-path": f"https://youtu.be/{YOUTUBE_ID}/../../evil",
    "id-non-ascii": "https://youtu.be/dQw4w9WgXcé",
    "no-id": "https://www.youtube.com/watch",
    "empty-id": "https://www.youtube.com/watch?v=",
    "channel-page": "https://www.youtube.com/@somechannel",
    "youtube-home": "https://www.youtube.com/",
    "vimeo-not-a-number": "https://vimeo.com/channels/staffpicks",
    "vimeo-id-too-long": "https://vimeo.com/1234567890123",
    "vimeo-player-without-video": "https://player.vimeo.com/76979871",
    "vimeo-lookalike": "https://vimeo.com.evil.example/76979871",
    "over-long": f"https://www.youtube.com/watch?v={YOUTUBE_ID}&pad=" + "a" * 500,
    "nul": f"https://youtu.be/{YOUTUBE_ID}\x00",
    "bidi-override": f"https://www.youtube.com/watch?v={YOUTUBE_ID}\u202e",
    "broken-ipv6": "https://[::1/watch?v=dQw4w9WgXcQ",
}


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_any_other_address_is_refused(url):
    assert video.embed_url(url) is None
    with pytest.raises(FieldError) as refused:
        video.clean_video_url(url)
    assert refused.value.field == "video_url" and "YouTube or Vimeo" in refused.value.message


@pytest.mark.parametrize("value", [5, 3.5, True, b"https://youtu.be/dQw4w9WgXcQ", ["https://youtu.be/dQw4w9WgXcQ"], {}])
def test_values_that_are_not_text_embed_nothing(value):
    assert video.embed_url(value) is None
    with pytest.raises(FieldError):
        video.clean_video_url(value)


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_no_video_is_an_empty_address(value):
    assert video.clean_video_url(value) == ""
    assert video.embed_url(value) is None


def test_the_refusal_names_the_field_it_was_asked_for():
    with pytest.raises(FieldError) as refused:
        video.clean_video_url("https://evil.example/", field="lessons.0.video")
    assert refused.value.field == "lessons.0.video"


# A port that is not a number, or out of range, makes urlsplit's .port raise ValueError; embed_url reads
# it outside its try, so the owner gets a crash instead of "Paste a YouTube or Vimeo address".
@pytest.mark.parametrize(
    "url",
    [f"https://www.youtube.com:abc/watch?v={YOUTUBE_ID}", f"https://www.youtube.com:99999/watch?v={YOUTUBE_ID}"],
    ids=["port-not-a-number", "port-out-of-range"],
)
def test_a_malformed_port_is_refused_like_any_other_bad_address(url):
    assert video.embed_url(url) is None
    with pytest.raises(FieldError) as refused:
        video.clean_video_url(url)
    assert refused.value.field == "video_url"


# urlsplit silently drops tabs and newlines (WHATWG rule), so embed_url accepts the address, and
# clean_video_url then stores it with the control character still in it (every other text field
# refuses invisible characters).
@pytest.mark.parametrize(
    "url",
    ["https://youtu.be/dQw4w9\nWgXcQ", f"https://www.youtube.com/wat\tch?v={YOUTUBE_ID}"],
    ids=["newline", "tab"],
)
def test_an_address_with_a_control_character_inside_is_refused(url):
    with pytest.raises(FieldError):
        video.clean_video_url(url)


# --- through the lesson -----------------------------------------------------------------------------------


def test_a_lesson_shows_the_embed_address_never_the_pasted_one(database, frozen_clock):
    pasted = f"https://www.youtube.com/watch?v={YOUTUBE_ID}&utm_source=<script>"
    make_course(
        modules=(
            ModuleSpec(
                "Videos",
                (
                    LessonSpec("watch", "Watch", "Look.", video_url=pasted),
                    LessonSpec("vimeo", "Vimeo", "Look.", video_url="https://vimeo.com/76979871"),
                    LessonSpec("read", "Read", "No video."),
                ),
            ),
        ),
        for_everyone=True,
    )
    ada = add_account()
    assert service.lesson_view(ada, "baking", "watch").video_embed_url == NOCOOKIE
    assert service.lesson_view(ada, "baking", "vimeo").video_embed_url == VIMEO
    assert service.lesson_view(ada, "baking", "read").video_embed_url == ""


def test_a_course_with_a_foreign_video_is_not_built(database, frozen_clock):
    with pytest.raises(FieldError) as refused:
        with db.write_session() as session:
            building.create_course(
                session,
                slug="bad",
                title="Bad",
                published=True,
                modules=(
                    ModuleSpec(
                        "M", (LessonSpec("ok", "Ok", "x"), LessonSpec("evil", "Evil", video_url="javascript:1"))
                    ),
                ),
            )
    assert refused.value.field == "video_url"
    assert service.all_courses() == []
