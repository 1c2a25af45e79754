"""Files of courses: covers, lesson attachments and uploaded videos as the owner sets them, what goes from disk
when a lesson, module or course goes, what members see of them, and the routes that serve them only to
people the lesson is open to (and to staff and instructors)."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts import sessions, tickets
from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.apps import files, grants
from portal_app.apps.courses import course_builder, course_files, file_links, service
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.apps.courses.models import Course, Lesson, LessonAttachment
from portal_app.apps.http import child_app_routes
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.courses.support import lessons, make_course
from tests.apps.support import add_account, grant, set_business
from tests.support.admin import create_staff, staff_session_token

OWNER = Actor("owner@example.com")
APP = "courses"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIMEO = "https://vimeo.com/76979871"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x01" * 50
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\xff" * 50
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 50
PDF = b"%PDF-1.7\n" + b"0123456789abcdef" * 768  # 12 KB and 9 bytes
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
TEXT = b"Ingredients: flour, water, salt, yeast.\n"
HTML = b"<!DOCTYPE html><script>alert(1)</script>"


def upload(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def on_disk() -> list[str]:
    folder = files.app_folder(APP)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def audit_entries(prefix: str = "courses.") -> list[AuditEntry]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [entry for entry in entries if entry.action.startswith(prefix)]


def actions() -> list[str]:
    return [entry.action for entry in audit_entries()]


def course_row(slug: str = "baking") -> Course:
    with db.read_session() as session:
        return session.exec(select(Course).where(Course.slug == slug)).one()


def lesson_row(slug: str, course: str = "baking") -> Lesson:
    with db.read_session() as session:
        course_id = course_row(course).id
        return session.exec(select(Lesson).where(Lesson.course_id == course_id, Lesson.slug == slug)).one()


def attachment_rows() -> list[LessonAttachment]:
    with db.read_session() as session:
        return list(session.exec(select(LessonAttachment).order_by(LessonAttachment.id)))


def attach(filename: str = "Recipe card.pdf", data: bytes = PDF, lesson: str = "bread-1", course: str = "baking"):
    course_files.add_attachment(OWNER, course, lesson, filename, upload(data))
    return attachment_rows()[-1]


@pytest.fixture
def owner(database, frozen_clock, profiles) -> Actor:
    set_business(enabled_apps=["courses", "notes"])
    make_course()
    return OWNER


# --- covers ---------------------------------------------------------------------------------------------


def test_a_cover_is_stored_replaced_and_removed(owner):
    course_files.set_cover(owner, "baking", upload(PNG))
    first = course_row().cover_file
    assert first.endswith(".png") and on_disk() == [first]
    assert files.path_of(APP, first).read_bytes() == PNG
    assert course_builder.course_for_editing("baking").cover_url == f"/api/apps/courses/covers/{first}"

    course_files.set_cover(owner, "baking", upload(JPEG))
    second = course_row().cover_file
    assert second != first and second.endswith(".jpg")
    assert on_disk() == [second]  # the old cover went from disk

    course_files.remove_cover(owner, "baking")
    assert course_row().cover_file == "" and on_disk() == []
    assert course_builder.course_for_editing("baking").cover_url == ""
    course_files.remove_cover(owner, "baking")  # nothing to remove is fine

    assert actions() == ["courses.cover_set", "courses.cover_set", "courses.cover_removed", "courses.cover_removed"]
    entry = audit_entries()[0]
    assert (entry.actor, entry.staff_id, entry.target) == ("owner@example.com", None, "baking")
    assert json.loads(entry.detail) == {"size": len(PNG)}


def test_a_gif_named_png_is_taken_as_a_gif(owner):
    source = upload(GIF)
    source.name = "picture.png"
    course_files.set_cover(owner, "baking", source)
    assert course_row().cover_file.endswith(".gif")
    served = course_files.cover(course_row().cover_file)
    assert served.content_type == "image/gif" and served.download_name is None


@pytest.mark.parametrize(
    "data",
    [TEXT, HTML, b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', PDF, MP4, b""],
    ids=["text", "html", "svg", "pdf", "mp4", "empty"],
)
def test_a_cover_that_is_not_an_image_is_refused_and_nothing_is_stored(owner, data):
    course_files.set_cover(owner, "baking", upload(PNG))
    kept = course_row().cover_file
    with pytest.raises(FormErrors) as refused:
        course_files.set_cover(owner, "baking", upload(data))
    assert list(refused.value.errors) == ["cover"]
    assert course_row().cover_file == kept and on_disk() == [kept]
    assert actions() == ["courses.cover_set"]


def test_a_cover_over_five_megabytes_is_refused(owner):
    with pytest.raises(FormErrors) as refused:
        course_files.set_cover(owner, "baking", upload(PNG + b"\x00" * (course_files.MAX_COVER_BYTES - len(PNG) + 1)))
    assert refused.value.errors == {"cover": "That file is too large: the limit is 5 MB."}
    assert on_disk() == [] and course_row().cover_file == ""


def test_something_that_is_not_a_file_is_refused(owner):
    for junk in (None, "picture.png", b"\x89PNG", 42):
        with pytest.raises(FormErrors) as refused:
            course_files.set_cover(owner, "baking", junk)
        assert refused.value.errors == {"cover": "Choose a file to upload."}
    assert on_disk() == [] and actions() == []


# --- attachments ----------------------------------------------------------------------------------------


def test_attachments_are_added_with_their_shown_name_and_audited(owner):
    first = attach("Recipe card.pdf", PDF)
    second = attach("../../photo.png", GIF)
    assert (first.name, first.content_type, first.size) == ("Recipe card.pdf", "application/pdf", len(PDF))
    assert (second.name, second.content_type) == ("photo.gif", "image/gif")
    assert on_disk() == sorted([first.stored_name, second.stored_name])
    assert files.path_of(APP, first.stored_name).read_bytes() == PDF

    links = course_builder.lesson_for_editing("baking", "bread-1").attachments
    assert [(link.id, link.name, link.size, link.url) for link in links] == [
        (first.id, "Recipe card.pdf", "12 KB", f"/api/apps/courses/attachments/{first.id}"),
        (second.id, "photo.gif", "1 KB", f"/api/apps/courses/attachments/{second.id}"),
    ]
    assert course_builder.lesson_for_editing("baking", "bread-2").attachments == ()
    entries = audit_entries()
    assert [(entry.action, entry.target, json.loads(entry.detail)) for entry in entries] == [
        ("courses.attachment_added", "baking/bread-1", {"name": "Recipe card.pdf"}),
        ("courses.attachment_added", "baking/bread-1", {"name": "photo.gif"}),
    ]


@pytest.mark.parametrize("data", [HTML, MP4, b"MZ\x90\x00\x03\x00\x00\x00", b""], ids=["html", "mp4", "exe", "empty"])
def test_an_attachment_of_a_refused_kind_leaves_nothing(owner, data):
    with pytest.raises(FormErrors) as refused:
        course_files.add_attachment(owner, "baking", "bread-1", "notes.txt", upload(data))
    assert list(refused.value.errors) == ["attachment"]
    assert attachment_rows() == [] and on_disk() == [] and actions() == []


def test_a_lesson_takes_twenty_attachments_and_the_twenty_first_leaves_no_file(owner):
    for number in range(course_files.MAX_ATTACHMENTS):
        attach(f"sheet {number}.txt", TEXT)
    assert len(on_disk()) == 20
    with pytest.raises(FormErrors) as refused:
        attach("one too many.pdf", PDF)
    assert refused.value.errors == {"attachment": "A lesson takes up to 20 files. Remove one first."}
    assert len(attachment_rows()) == 20
    assert sorted(row.stored_name for row in attachment_rows()) == on_disk()
    assert all(name.endswith(".txt") for name in on_disk())
    assert actions().count("courses.attachment_added") == 20
    # Another lesson has its own twenty.
    attach("other.pdf", PDF, lesson="bread-2")
    assert len(on_disk()) == 21


def test_removing_an_attachment_removes_its_file_and_only_from_its_own_lesson(owner):
    mine, other = attach("mine.pdf"), attach("other.pdf", lesson="cake-1")
    with pytest.raises(LookupError):
        course_files.remove_attachment(owner, "baking", "bread-1", other.id)
    for junk in ("1", None, True, 10_000, 1.0):
        with pytest.raises(LookupError):
            course_files.remove_attachment(owner, "baking", "bread-1", junk)
    assert len(attachment_rows()) == 2 and len(on_disk()) == 2

    course_files.remove_attachment(owner, "baking", "bread-1", mine.id)
    assert [row.id for row in attachment_rows()] == [other.id]
    assert on_disk() == [other.stored_name]
    assert actions()[-1] == "courses.attachment_removed"
    assert json.loads(audit_entries()[-1].detail) == {"name": "mine.pdf"}


# --- uploaded videos ------------------------------------------------------------------------------------


def test_an_mp4_video_is_stored_replaced_and_removed(owner):
    course_files.set_video_file(owner, "baking", "bread-1", upload(MP4))
    first = lesson_row("bread-1").video_file
    assert first.endswith(".mp4") and on_disk() == [first]
    lesson_id = lesson_row("bread-1").id
    assert (
        course_builder.lesson_for_editing("baking", "bread-1").video_file_url == f"/api/apps/courses/videos/{lesson_id}"
    )

    course_files.set_video_file(owner, "baking", "bread-1", upload(MP4 + b"more"))
    second = lesson_row("bread-1").video_file
    assert second != first and on_disk() == [second]

    course_files.remove_video_file(owner, "baking", "bread-1")
    assert lesson_row("bread-1").video_file == "" and on_disk() == []
    assert course_builder.lesson_for_editing("baking", "bread-1").video_file_url == ""
    assert actions() == ["courses.video_uploaded", "courses.video_uploaded", "courses.video_removed"]
    assert audit_entries()[0].target == "baking/bread-1"


@pytest.mark.parametrize("data", [PDF, PNG, TEXT, HTML, b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 20, b""])
def test_a_video_that_is_not_mp4_is_refused(owner, data):
    with pytest.raises(FormErrors) as refused:
        course_files.set_video_file(owner, "baking", "bread-1", upload(data))
    assert list(refused.value.errors) == ["video_file"]
    assert lesson_row("bread-1").video_file == "" and on_disk() == []


@pytest.mark.parametrize(
    ("course", "lesson"),
    [("nope", "bread-1"), ("baking", "nope"), ("../baking", "bread-1"), ("baking", "../bread-1"), (None, None)],
)
def test_unknown_courses_and_lessons_are_refused_and_leave_no_file(owner, course, lesson):
    make_course("other", title="Other")  # its lessons share slugs with baking's
    with pytest.raises(LookupError):
        course_files.add_attachment(owner, course, lesson, "x.pdf", upload(PDF))
    with pytest.raises(LookupError):
        course_files.set_video_file(owner, course, lesson, upload(MP4))
    if lesson == "bread-1":
        with pytest.raises(LookupError):
            course_files.set_cover(owner, course, upload(PNG))
    assert on_disk() == [] and attachment_rows() == [] and actions() == []


# --- deleting what files belong to ----------------------------------------------------------------------


def furnish(slug: str) -> dict[str, list[str]]:
    """A cover, and an attachment and a video on the first lesson of each module; the stored names by place."""
    course_files.set_cover(OWNER, slug, upload(PNG))
    names: dict[str, list[str]] = {"cover": [course_row(slug).cover_file]}
    for lesson in ("bread-1", "cake-1"):
        course_files.add_attachment(OWNER, slug, lesson, "sheet.pdf", upload(PDF))
        course_files.set_video_file(OWNER, slug, lesson, upload(MP4))
        names[lesson] = [lesson_row(lesson, slug).video_file, attachment_rows()[-1].stored_name]
    return names


def test_deleting_a_lesson_removes_its_files(owner):
    make_course("other", title="Other")
    baking, other = furnish("baking"), furnish("other")
    course_builder.delete_lesson(owner, "baking", "bread-1")
    expected = baking["cover"] + baking["cake-1"] + [name for names in other.values() for name in names]
    assert on_disk() == sorted(expected)
    assert sorted(row.stored_name for row in attachment_rows()) == sorted(
        [baking["cake-1"][1], other["bread-1"][1], other["cake-1"][1]]
    )


def test_deleting_a_module_removes_its_lessons_files(owner):
    make_course("other", title="Other")
    baking, other = furnish("baking"), furnish("other")
    module_id = course_builder.course_for_editing("baking").modules[1].id  # Cakes
    course_builder.delete_module(owner, "baking", module_id)
    expected = baking["cover"] + baking["bread-1"] + [name for names in other.values() for name in names]
    assert on_disk() == sorted(expected)


def test_deleting_a_course_removes_all_its_files_and_no_others(owner):
    make_course("other", title="Other")
    furnish("baking")
    other = furnish("other")
    course_builder.delete_course(owner, "baking", confirm="baking")
    assert on_disk() == sorted(name for names in other.values() for name in names)
    assert len(attachment_rows()) == 2


def test_a_refused_delete_keeps_the_files(owner):
    baking = furnish("baking")
    with pytest.raises(FormErrors):
        course_builder.delete_course(owner, "baking", confirm="wrong")
    assert on_disk() == sorted(name for names in baking.values() for name in names)


# --- what members see -----------------------------------------------------------------------------------


def test_lesson_view_lists_attachments_and_the_uploaded_video(owner):
    ada = add_account()
    service.enrol(ada, "baking")
    first = attach("Recipe card.pdf", PDF)
    big = attach("Big.zip", b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024 // 2))
    course_files.set_video_file(owner, "baking", "bread-1", upload(MP4))
    view = service.lesson_view(ada, "baking", "bread-1")
    assert [(link.name, link.size, link.url) for link in view.attachments] == [
        ("Recipe card.pdf", "12 KB", file_links.ATTACHMENTS_ROUTE + f"/{first.id}"),
        ("Big.zip", "1.5 MB", file_links.ATTACHMENTS_ROUTE + f"/{big.id}"),
    ]
    assert view.video_file_url == f"/api/apps/courses/videos/{lesson_row('bread-1').id}"
    assert view.video_embed_url == ""
    other = service.lesson_view(ada, "baking", "bread-2")
    assert (other.attachments, other.video_file_url) == ((), "")


@pytest.mark.parametrize("address", [YOUTUBE, VIMEO])
def test_a_youtube_or_vimeo_address_is_shown_instead_of_the_uploaded_video(database, frozen_clock, address):
    make_course(modules=(ModuleSpec("Only", (LessonSpec("watch", "Watch", "Look.", video_url=address),)),))
    ada = add_account()
    service.enrol(ada, "baking")
    course_files.set_video_file(OWNER, "baking", "watch", upload(MP4))
    view = service.lesson_view(ada, "baking", "watch")
    assert view.video_file_url == "" and view.video_embed_url != ""


def test_my_courses_shows_the_cover(owner):
    ada = add_account()
    service.enrol(ada, "baking")
    make_course("plain", title="Plain", for_everyone=True, position=1)
    course_files.set_cover(owner, "baking", upload(PNG))
    cards = {card.slug: card.cover_url for card in service.my_courses(ada)}
    assert cards == {"baking": f"/api/apps/courses/covers/{course_row().cover_file}", "plain": ""}


# --- the routes -----------------------------------------------------------------------------------------


def client(cookies: dict[str, str] | None = None) -> TestClient:
    """The portal's app routes as mounted in the real app (under /api/apps/<key>/)."""
    test_client = TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost:3000")
    test_client.cookies.update(cookies or {})
    return test_client


def member_cookie(account_id: int) -> dict[str, str]:
    with db.write_session() as session:
        token = sessions.create_session(
            session, account_id=account_id, auth_method="code", user_agent="pytest", ip="203.0.113.5"
        )
    return {tickets.SESSION_COOKIE: token}


def staff_cookie() -> dict[str, str]:
    create_staff()
    return {STAFF_COOKIE: staff_session_token()}


def member(email: str, *, role: str | None = None, app: bool = True, enrol: tuple[str, ...] = ()) -> dict:
    account = add_account(email, email.split("@")[0].title())
    if app:
        with db.write_session() as session:
            grants.grant_app(session, account_id=account, app_key=APP, role=role)
    for slug in enrol:
        service.enrol(account, slug)
    return member_cookie(account)


@pytest.fixture
def site(owner):
    """A published course with an attachment and a video on bread-1, a lesson locked for a week, and a draft."""
    make_course(
        "dripped",
        title="Dripped",
        modules=(ModuleSpec("Weeks", (LessonSpec("now", "Now"), LessonSpec("later", "Later", unlock_after_days=7))),),
    )
    make_course("draft", title="Draft", published=False)
    attach("Recipe card.pdf", PDF)
    course_files.set_video_file(OWNER, "baking", "bread-1", upload(MP4))
    attach("Week two.pdf", PDF, lesson="later", course="dripped")
    course_files.set_video_file(OWNER, "dripped", "later", upload(MP4))
    attach("Draft notes.txt", TEXT, lesson="bread-1", course="draft")
    course_files.set_video_file(OWNER, "draft", "bread-1", upload(MP4))
    course_files.set_cover(OWNER, "baking", upload(PNG))
    rows = attachment_rows()
    return {
        "attachment": f"{file_links.ATTACHMENTS_ROUTE}/{rows[0].id}",
        "locked_attachment": f"{file_links.ATTACHMENTS_ROUTE}/{rows[1].id}",
        "draft_attachment": f"{file_links.ATTACHMENTS_ROUTE}/{rows[2].id}",
        "video": file_links.video_url(lesson_row("bread-1").id),
        "locked_video": file_links.video_url(lesson_row("later", "dripped").id),
        "draft_video": file_links.video_url(lesson_row("bread-1", "draft").id),
        "cover": file_links.cover_url(course_row().cover_file),
    }


def assert_file(response, content_type: str, body: bytes) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.content == body


def test_an_enrolled_member_downloads_the_attachment(site):
    response = client(member("ada@example.com", enrol=("baking",))).get(site["attachment"])
    assert_file(response, "application/pdf", PDF)
    # Starlette sends a name that needs quoting (here a space) in the RFC 5987 form.
    assert response.headers["content-disposition"] == "attachment; filename*=utf-8''Recipe%20card.pdf"
    assert response.headers["cache-control"] == "private, max-age=300"


def test_the_attachment_link_from_the_lesson_page_works(site):
    ada = add_account()
    grant(ada, APP)
    service.enrol(ada, "baking")
    [link] = service.lesson_view(ada, "baking", "bread-1").attachments
    assert client(member_cookie(ada)).get(link.url).content == PDF


def test_a_non_ascii_name_is_sent_encoded(site):
    row = attach("Résumé — crème.pdf", PDF)
    response = client(member("ada@example.com", enrol=("baking",))).get(f"{file_links.ATTACHMENTS_ROUTE}/{row.id}")
    assert response.status_code == 200
    assert "filename*=utf-8''R%C3%A9sum%C3%A9" in response.headers["content-disposition"]


def test_a_member_gets_nothing_the_lesson_page_would_not_show(site, frozen_clock):
    enrolled_everywhere = ("baking", "dripped", "draft")
    cases = {
        "no-cookie": {},
        "garbage-cookie": {tickets.SESSION_COOKIE: "garbage", STAFF_COOKIE: "garbage"},
        "not-enrolled": member("bob@example.com"),
        "without-the-app": member("cy@example.com", app=False, enrol=enrolled_everywhere),
    }
    for case, cookies in cases.items():
        browser = client(cookies)
        for key in ("attachment", "video", "locked_attachment", "draft_attachment", "locked_video", "draft_video"):
            response = browser.get(site[key])
            assert response.status_code == 404, (case, key)
            assert PDF not in response.content and MP4 not in response.content
    ada_id = add_account("ada@example.com")
    grant(ada_id, APP)
    for slug in enrolled_everywhere:
        service.enrol(ada_id, slug)
    ada = client(member_cookie(ada_id))
    for key in ("locked_attachment", "draft_attachment", "locked_video", "draft_video"):
        assert ada.get(site[key]).status_code == 404, key
    assert ada.get(site["attachment"]).status_code == 200
    # A week on, the locked lesson opens (to a fresh sign-in: sessions idle out after a week); the draft stays closed.
    frozen_clock.advance(days=7)
    ada = client(member_cookie(ada_id))
    assert ada.get(site["locked_attachment"]).content == PDF
    assert ada.get(site["locked_video"]).content == MP4
    assert ada.get(site["draft_attachment"]).status_code == 404


def test_unpublishing_or_revoking_closes_the_files(site):
    ada = add_account()
    grant(ada, APP)
    service.enrol(ada, "baking")
    browser = client(member_cookie(ada))
    assert browser.get(site["attachment"]).status_code == 200
    course_builder.set_published(OWNER, "baking", False)
    assert browser.get(site["attachment"]).status_code == 404
    course_builder.set_published(OWNER, "baking", True)
    assert browser.get(site["video"]).status_code == 200
    with db.write_session() as session:
        grants.revoke_app(session, account_id=ada, app_key=APP)
    assert browser.get(site["video"]).status_code == 404
    assert browser.get(site["cover"]).status_code == 404


def test_a_course_for_everyone_shares_its_files_with_everyone_who_has_the_app(owner):
    make_course("open", title="Open", for_everyone=True, modules=(ModuleSpec("One", lessons("intro", 1)),))
    row = attach("Welcome.txt", TEXT, lesson="intro-1", course="open")
    url = f"{file_links.ATTACHMENTS_ROUTE}/{row.id}"
    assert client(member("bob@example.com")).get(url).content == TEXT
    assert client(member("cy@example.com", app=False)).get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/attachments/abc",
        "/attachments/-1",
        "/attachments/0",
        "/attachments/1.0",
        "/attachments/%2e%2e",
        "/attachments/999999",
        "/attachments/",
        "/videos/abc",
        "/videos/0",
        "/videos/999999",
    ],
)
def test_malformed_or_unknown_ids_are_not_found(site, path):
    for cookies in (member("ada@example.com", enrol=("baking",)), staff_cookie()):
        assert client(cookies).get(f"/api/apps/courses{path}").status_code == 404


@pytest.mark.parametrize("route", ["attachments", "videos"])
def test_an_id_too_large_for_the_database_is_not_found(site, route):
    browser = TestClient(
        Starlette(routes=child_app_routes()), base_url="http://localhost:3000", raise_server_exceptions=False
    )
    browser.cookies.update(member("ada@example.com", enrol=("baking",)))
    assert browser.get(f"/api/apps/courses/{route}/{'9' * 25}").status_code == 404


def test_staff_get_drafts_and_locked_lessons_files(site):
    staff = client(staff_cookie())
    assert_file(staff.get(site["draft_attachment"]), "text/plain", TEXT)
    assert staff.get(site["draft_attachment"]).headers["content-disposition"] == (
        "attachment; filename*=utf-8''Draft%20notes.txt"
    )
    assert_file(staff.get(site["locked_attachment"]), "application/pdf", PDF)
    assert_file(staff.get(site["draft_video"]), "video/mp4", MP4)
    assert_file(staff.get(site["locked_video"]), "video/mp4", MP4)
    assert_file(staff.get(site["cover"]), "image/png", PNG)


def test_an_instructor_gets_drafts_and_locked_lessons_files(site):
    instructor = client(member("ines@example.com", role="instructor"))
    assert_file(instructor.get(site["draft_attachment"]), "text/plain", TEXT)
    assert_file(instructor.get(site["locked_attachment"]), "application/pdf", PDF)
    assert_file(instructor.get(site["draft_video"]), "video/mp4", MP4)
    assert_file(instructor.get(site["locked_video"]), "video/mp4", MP4)
    # An instructor role without the app open (the business switched it off) gets nothing.
    set_business(enabled_apps=["notes"])
    assert instructor.get(site["draft_attachment"]).status_code == 404


def test_a_video_is_shown_inline_and_answers_range_requests(site):
    browser = client(member("ada@example.com", enrol=("baking",)))
    whole = browser.get(site["video"])
    assert_file(whole, "video/mp4", MP4)
    assert whole.headers.get("content-disposition", "inline").startswith("inline")
    assert whole.headers["accept-ranges"] == "bytes"
    part = browser.get(site["video"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.content == MP4[:10] and len(part.content) == 10
    assert part.headers["content-range"] == f"bytes 0-9/{len(MP4)}"
    assert part.headers["x-content-type-options"] == "nosniff"
    tail = browser.get(site["video"], headers={"Range": "bytes=100-"})
    assert tail.status_code == 206 and tail.content == MP4[100:]
    # A range for someone the lesson is not open to is still refused.
    refused = client(member("bob@example.com")).get(site["video"], headers={"Range": "bytes=0-9"})
    assert refused.status_code == 404 and MP4[:10] not in refused.content


def test_the_cover_is_for_members_with_the_app_and_staff(site):
    assert_file(client(member("bob@example.com")).get(site["cover"]), "image/png", PNG)
    assert_file(client(staff_cookie()).get(site["cover"]), "image/png", PNG)
    assert client().get(site["cover"]).status_code == 404
    assert client(member("cy@example.com", app=False)).get(site["cover"]).status_code == 404
    assert client({STAFF_COOKIE: "garbage"}).get(site["cover"]).status_code == 404


def test_only_a_course_cover_is_served_as_a_cover(site):
    bob = client(member("bob@example.com"))
    staff = client(staff_cookie())
    # An attachment's and a video's stored names exist on disk but are not covers.
    not_covers = [attachment_rows()[0].stored_name, lesson_row("bread-1").video_file]
    assert all(name in on_disk() for name in not_covers)
    for name in not_covers + ["A" * 22 + ".png", "..%2F..%2Fportal.db", "%2e%2e", "x"]:
        for browser in (bob, staff):
            assert browser.get(f"{file_links.COVERS_ROUTE}/{name}").status_code == 404, name
    # A replaced cover's old address is gone too.
    old = site["cover"]
    course_files.set_cover(OWNER, "baking", upload(GIF))
    assert bob.get(old).status_code == 404
    assert_file(bob.get(file_links.cover_url(course_row().cover_file)), "image/gif", GIF)


def test_a_file_missing_from_disk_is_not_found(site):
    files.app_folder(APP).joinpath(attachment_rows()[0].stored_name).unlink()
    files.app_folder(APP).joinpath(course_row().cover_file).unlink()
    assert client(member("ada@example.com", enrol=("baking",))).get(site["attachment"]).status_code == 404
    staff = client(staff_cookie())
    assert staff.get(site["attachment"]).status_code == 404
    assert staff.get(site["cover"]).status_code == 404


def test_deleted_lessons_files_are_not_found_afterwards(site):
    staff = client(staff_cookie())
    course_builder.delete_lesson(OWNER, "baking", "bread-1")
    assert staff.get(site["attachment"]).status_code == 404
    assert staff.get(site["video"]).status_code == 404
