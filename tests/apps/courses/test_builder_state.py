"""The course builder's states through the real Reflex event pipeline: staff under /admin/apps/courses
(AdminCourseBuilderState) and instructors under /apps/courses/teach (InstructorCourseBuilderState).

Every public handler is sent by tabs that may not edit (no session, a member, a client's session where
staff belong); the builder's flows run for both kinds of editor; ids of another course, hostile payloads
and fake uploads sent over the socket are refused without an exception, a stored change or a file on disk.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from portal_app.admin.models import AuditEntry
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.admin.ui.base_state import AdminState
from portal_app.apps.courses import service
from portal_app.apps.courses.building import ModuleSpec
from portal_app.apps.courses.course_builder import EXAMPLE_QUIZ
from portal_app.apps.courses.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonAttachment,
    LessonCompletion,
    Module,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from portal_app.apps.courses.ui.builder_state import (
    ADMIN_BASE,
    TEACH_BASE,
    AdminCourseBuilderState,
    BuilderCourseRow,
    CandidateRow,
    InstructorCourseBuilderState,
)
from portal_app.apps.grants import grant_app
from portal_app.apps.models import AppGrant
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db
from portal_app.shell.ui.app_guard import DENIED, OPEN, AppAccessState
from portal_app.timeline.models import Activity
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert, lessons, make_course
from tests.apps.courses.test_courses_state import cookie_for
from tests.apps.support import add_account, set_business
from tests.support.admin import STAFF_EMAIL, create_staff, staff_session_token
from tests.support.admin_states import staff_cookie, whole_state_text
from tests.support.hostile_input import (
    NOT_A_FORM,
    ONE_MB,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
)

ADMIN, TEACH = AdminCourseBuilderState, InstructorCourseBuilderState
BASES = {ADMIN: ADMIN_BASE, TEACH: TEACH_BASE}
ADMIN_LOGIN = "/admin/login"
# Where each handler is sent from: the builder page that shows its button or form.
PAGES = {
    "list": "",
    "course": "/baking",
    "members": "/baking/members",
    "lesson": "/baking/lessons/bread-1",
}
# Everything a builder handler could change.
TABLES = (
    Course,
    Module,
    Lesson,
    LessonAttachment,
    Enrolment,
    LessonCompletion,
    QuizQuestion,
    QuizChoice,
    QuizAttempt,
    Certificate,
    AuditEntry,
    Activity,
    OutboxEmail,
    AppGrant,
)
# Text only the builder's data holds: none of it may reach a tab that may not edit.
SECRETS = ("Zanzibar", "Quokka", "Yeti", "Bread 1", "Some **text**", "Ludwig", "ludwig.hidden", "Nia Newcomer")
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
CHOOSE_ONE_FILE = "Choose one file, then upload it."
NOT_IN_COURSE = "That is not part of this course any more. The page now shows it as stored."
NOTHING_SAVED = "Nothing was saved. Correct the fields marked below."


# --- the site: two courses, the people around them ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Site:
    instructor: int
    member: int
    learner: int  # enrolled in both courses
    newcomer: int  # has the app, in no course
    yeti_fan: int  # enrolled in course B ("secret") only
    modules_a: tuple[int, ...]
    module_b: int
    attachment_a: int
    attachment_b: int
    data_dir: Path


def module_ids(slug: str) -> tuple[int, ...]:
    with db.read_session() as session:
        course = session.exec(select(Course).where(Course.slug == slug)).one()
        return tuple(session.exec(select(Module.id).where(Module.course_id == course.id).order_by(Module.position)))


def lesson_id(course_slug: str, lesson_slug: str) -> int:
    with db.read_session() as session:
        return session.exec(
            select(Lesson.id)
            .join(Course, col(Course.id) == Lesson.course_id)
            .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
        ).one()


def attach(course_slug: str, lesson_slug: str, name: str) -> int:
    """An attachment row (no file on disk: the builder is refused before it would touch one)."""
    with db.write_session() as session:
        row = LessonAttachment(
            lesson_id=lesson_id(course_slug, lesson_slug),
            name=name,
            stored_name=f"{name.split('.')[0]:x<22}.txt",
            content_type="text/plain",
            size=5,
            added_at=clock.now(),
        )
        session.add(row)
        session.flush()
        return row.id


def person(email: str, name: str, *, role: str | None = None, courses: tuple[str, ...] = ()) -> int:
    account = add_account(email, name)
    with db.write_session() as session:
        grant_app(session, account_id=account, app_key="courses", role=role)
    for slug in courses:
        service.enrol(account, slug)
    return account


@pytest.fixture
def site(pipeline, frozen_clock, profiles, tmp_path) -> Site:
    set_business(enabled_apps=["courses"])
    make_course(
        "baking",
        title="Zanzibar Baking",
        modules=(ModuleSpec("Quokka bread", lessons("bread", 2)), ModuleSpec("Quokka cakes", lessons("cake", 2))),
    )
    make_course("secret", title="Secret Yeti course", modules=(ModuleSpec("Yeti module", lessons("yeti", 2)),))
    return Site(
        instructor=person("ines@example.com", "Ines Instructor", role="instructor"),
        member=person("mel@example.com", "Mel Member"),
        learner=person("ludwig.hidden@example.com", "Ludwig Learner", courses=("baking", "secret")),
        newcomer=person("nia@example.com", "Nia Newcomer"),
        yeti_fan=person("yolanda@example.com", "Yolanda Yetifan", courses=("secret",)),
        modules_a=module_ids("baking"),
        module_b=module_ids("secret")[0],
        attachment_a=attach("baking", "bread-1", "recipe.txt"),
        attachment_b=attach("secret", "yeti-1", "yetimap.txt"),
        data_dir=tmp_path / "data",
    )


@dataclasses.dataclass(frozen=True)
class Builder:
    """Who edits in a test: the state, the pages' base path, the tab's cookie and the audit log's name for them."""

    state: type
    base: str
    cookie: str
    actor: str


def staff_login() -> str:
    create_staff()
    return staff_cookie(staff_session_token())


@pytest.fixture(params=["admin", "teach"])
def builder(request, site) -> Builder:
    if request.param == "admin":
        return Builder(ADMIN, ADMIN_BASE, staff_login(), STAFF_EMAIL)
    actor = f"ines@example.com (instructor, account {site.instructor})"
    return Builder(TEACH, TEACH_BASE, cookie_for(site.instructor), actor)


# --- reading what happened ---------------------------------------------------------------------------------


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a builder handler could change."""
    with db.read_session() as session:
        return {
            model.__name__: [row.model_dump() for row in session.exec(select(model).order_by(col(model.id)))]
            for model in TABLES
        }


def audit_actions() -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.actor, entry.action, entry.target) for entry in entries]


def course_row(slug: str) -> Course | None:
    with db.read_session() as session:
        return session.exec(select(Course).where(Course.slug == slug)).first()


def stored_files(site: Site) -> list[str]:
    return sorted(str(path) for path in site.data_dir.rglob("*") if path.is_file()) if site.data_dir.exists() else []


def outline(state) -> list[tuple[str, list[str]]]:
    return [(module.title, [lesson.slug for lesson in module.lessons]) for module in state.course_modules]


def form(**fields: object) -> dict[str, object]:
    return {"form_data": fields}


async def open_tab(pipeline, builder: Builder, page: str = ""):
    client = await pipeline.connect(builder.base + page, cookie=builder.cookie)
    assert (await client.state(builder.state)).editor_ready is True
    client.clear_updates()
    return client


def downloads(client) -> list[dict]:
    return [event.payload for event in client.frontend_events() if event.name == "_download"]


# --- every handler, and what a page would send it -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str
    page: str
    payload: Callable[[Site], dict]

    def __str__(self) -> str:
        return self.name


FAKE_UPLOAD = {"files": [{"filename": "cover.png", "content_type": "image/png", "data": "iVBORw0KGgo="}]}
SPECS = (
    Spec("load_builder", "list", lambda s: {}),
    Spec("create_course", "list", lambda s: form(new_title="Hijacked course")),
    Spec("load_course_editor", "course", lambda s: {}),
    Spec(
        "save_course",
        "course",
        lambda s: form(title="Hijacked", slug="hijacked", description="Taken over.", published="on"),
    ),
    Spec("set_published", "course", lambda s: {"published": False}),
    Spec("delete_course", "course", lambda s: form(confirm="baking")),
    Spec("add_module", "course", lambda s: form(module_title="Hijacked module")),
    Spec(
        "save_module",
        "course",
        lambda s: form(module_id=str(s.modules_a[0]), title="Hijacked", unlock_after_days="", unlock_on=""),
    ),
    Spec("move_module", "course", lambda s: {"module_id": s.modules_a[0], "direction": "down"}),
    Spec("delete_module", "course", lambda s: {"module_id": s.modules_a[0]}),
    Spec(
        "add_lesson",
        "course",
        lambda s: form(module_id=str(s.modules_a[0]), lesson_title="Hijacked lesson", kind="lesson"),
    ),
    Spec("move_lesson", "course", lambda s: {"lesson_slug": "bread-1", "direction": "down"}),
    Spec("delete_lesson", "course", lambda s: {"lesson_slug": "bread-1"}),
    Spec("load_lesson_editor", "lesson", lambda s: {}),
    Spec("preview_lesson", "lesson", lambda s: {"markdown": "**Hijacked**"}),
    Spec("save_lesson", "lesson", lambda s: form(title="Hijacked", slug="bread-1", body="Taken.", video_url=YOUTUBE)),
    Spec("upload_cover", "course", lambda s: FAKE_UPLOAD),
    Spec("remove_cover", "course", lambda s: {}),
    Spec("upload_attachment", "lesson", lambda s: FAKE_UPLOAD),
    Spec("remove_attachment", "lesson", lambda s: {"attachment_id": s.attachment_a}),
    Spec("upload_video", "lesson", lambda s: FAKE_UPLOAD),
    Spec("remove_video", "lesson", lambda s: {}),
    Spec("load_members", "members", lambda s: {}),
    Spec("more_members", "members", lambda s: {}),
    Spec("filter_members", "members", lambda s: form(member_query="ludwig")),
    Spec("search_people", "members", lambda s: form(person_query="nia")),
    Spec("enrol_selected", "members", lambda s: form(**{f"person-{s.newcomer}": "on"})),
    Spec("enrol_everyone", "members", lambda s: {}),
    Spec("unenrol", "members", lambda s: {"account_id": s.learner}),
    Spec("download_progress", "members", lambda s: {}),
)


@pytest.mark.parametrize("state", [ADMIN, TEACH], ids=["admin", "teach"])
def test_every_handler_has_a_spec_here(state):
    """A new handler must be added to SPECS so the refusal tests send it."""
    assert sorted(spec.name for spec in SPECS) == sorted(name for name in state.event_handlers if name != "setvar")


# --- 1. who may edit ------------------------------------------------------------------------------------------


def callers(state, site: Site) -> dict[str, str | None]:
    """Tabs that may not use the builder of `state`, by cookie."""
    member = cookie_for(site.member)
    if state is ADMIN:
        client_token = member.split("=", 1)[1]
        return {
            "anonymous": None,
            "member": member,
            "instructor": cookie_for(site.instructor),
            "client-session-in-the-staff-cookie": f"{STAFF_COOKIE}={client_token}",
        }
    return {"anonymous": None, "member": member, "staff-without-an-account": staff_login()}


@pytest.mark.parametrize("state", [ADMIN, TEACH], ids=["admin", "teach"])
@pytest.mark.parametrize("spec", SPECS, ids=str)
async def test_a_tab_that_may_not_edit_changes_and_sees_nothing(pipeline, caplog, site, state, spec):
    path = BASES[state] + PAGES[spec.page]
    cases = callers(state, site)
    before = snapshot()

    async def check(cookie):
        client = await pipeline.connect(path, cookie=cookie)
        client.clear_updates()
        await client.send(getattr(state, spec.name), spec.payload(site))
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before, "the database changed"
        text = await whole_state_text(client)
        assert [secret for secret in SECRETS if secret in text] == [], "course data in the state"
        shown = await client.state(state)
        assert (shown.editor_ready, shown.course_slug, shown.course_modules, shown.members) == (False, "", [], [])
        assert downloads(client) == []
        if state is ADMIN:
            assert (await client.state(AdminState)).staff_signed_in is False
        else:
            status = (await client.state(AppAccessState)).status
            assert status == DENIED if cookie == cases["member"] else status != OPEN, status

    await check_each(pipeline, caplog, cases, check)
    assert stored_files(site) == []


@pytest.mark.parametrize("spec", [pytest.param(spec, id=spec.name) for spec in SPECS])
async def test_the_admin_builder_sends_a_tab_without_a_staff_session_to_sign_in(pipeline, caplog, site, spec):
    cases = {"anonymous": None, "client-session": cookie_for(site.member)}

    async def check(cookie):
        client = await pipeline.connect(ADMIN_BASE + PAGES[spec.page], cookie=cookie)
        client.clear_updates()
        await client.send(getattr(ADMIN, spec.name), spec.payload(site))
        assert_nothing_crashed(pipeline, caplog)
        assert client.redirects() == [ADMIN_LOGIN]

    await check_each(pipeline, caplog, cases, check)


async def test_an_instructor_is_refused_once_the_business_switches_the_app_off(pipeline, caplog, site):
    client = await pipeline.connect(TEACH_BASE + "/baking", cookie=cookie_for(site.instructor))
    assert (await client.state(TEACH)).course_title == "Zanzibar Baking"
    set_business(enabled_apps=[])
    before = snapshot()
    await client.send(TEACH.add_module, form(module_title="Late module"))
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(AppAccessState)).status == DENIED
    shown = await client.state(TEACH)
    assert (shown.course_title, shown.course_modules) == ("", [])
    assert snapshot() == before


# --- 2. the builder's flows, for staff and for instructors ------------------------------------------------


async def test_the_list_then_a_new_course_opens_in_its_editor(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder)
    state = await client.state(builder.state)
    assert state.builder_courses == [
        BuilderCourseRow("baking", "Zanzibar Baking", "Published", 4, 1, f"{builder.base}/baking"),
        BuilderCourseRow("secret", "Secret Yeti course", "Published", 2, 2, f"{builder.base}/secret"),
    ]

    before = snapshot()
    await client.send(builder.state.create_course, form(new_title="   "))
    assert (await client.state(builder.state)).new_course_error == "Give it a title."
    assert client.redirects() == [] and snapshot() == before

    await client.send(builder.state.create_course, form(new_title="Rye & Spelt"))
    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects() == [f"{builder.base}/rye-spelt"]
    course = course_row("rye-spelt")
    assert (course.title, course.published) == ("Rye & Spelt", False)
    assert audit_actions()[-1] == (builder.actor, "courses.course_created", "rye-spelt")

    editor = await open_tab(pipeline, builder, "/rye-spelt")
    state = await editor.state(builder.state)
    assert (state.course_title, state.course_published, outline(state)) == ("Rye & Spelt", False, [("Module 1", [])])


async def test_save_course_marks_each_refused_field_then_saves(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder, "/baking")
    state = await client.state(builder.state)
    assert (state.course_title, state.course_published) == ("Zanzibar Baking", True)
    assert outline(state) == [("Quokka bread", ["bread-1", "bread-2"]), ("Quokka cakes", ["cake-1", "cake-2"])]
    before = snapshot()

    await client.send(builder.state.save_course, form(title=" ", slug="Not A Slug", description="x" * 2001))
    state = await client.state(builder.state)
    assert state.course_errors == {
        "title": "Give it a title.",
        "slug": "Use 1-80 lower-case letters, digits or hyphens.",
        "description": "Keep the description to 2,000 characters or fewer.",
        "confirm": "",
    }
    assert state.builder_notice == NOTHING_SAVED
    for slug, message in (
        ("teach", "The address teach is taken by the app's own pages: choose another."),
        ("secret", "Another course already uses the address secret."),
    ):
        await client.send(builder.state.save_course, form(title="Bread", slug=slug, description=""))
        assert (await client.state(builder.state)).course_errors["slug"] == message
    assert snapshot() == before

    await client.send(
        builder.state.save_course,
        form(title="Zanzibar Bakery", slug="baking", description="Loaves.", certificate_enabled="on"),
    )
    state = await client.state(builder.state)
    assert (state.builder_notice, state.course_errors["title"]) == ("Course saved.", "")
    assert (state.course_title, state.course_published, state.course_certificate) == ("Zanzibar Bakery", False, True)
    course = course_row("baking")
    assert (course.title, course.description, course.published, course.certificate_enabled) == (
        "Zanzibar Bakery",
        "Loaves.",
        False,
        True,
    )
    assert client.redirects() == []

    await client.send(builder.state.save_course, form(title="Zanzibar Bakery", slug="bread-school", description=""))
    assert client.redirects() == [f"{builder.base}/bread-school"]
    assert course_row("baking") is None and course_row("bread-school") is not None

    client.clear_updates()
    await client.send(builder.state.set_published, {"published": True}, path=f"{builder.base}/bread-school")
    assert course_row("bread-school").published is True
    assert (await client.state(builder.state)).builder_notice == "Published: members with access see it now."
    assert audit_actions()[-1] == (builder.actor, "courses.course_published", "bread-school")
    assert_nothing_crashed(pipeline, caplog)


async def test_delete_course_asks_for_its_slug(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder, "/baking")
    before = snapshot()
    await client.send(builder.state.delete_course, form(confirm="Baking"))
    state = await client.state(builder.state)
    assert state.course_errors["confirm"] == "Type baking to confirm that the course and all progress in it go."
    assert snapshot() == before and client.redirects() == []

    await client.send(builder.state.delete_course, form(confirm="baking"))
    assert client.redirects() == [builder.base]
    assert course_row("baking") is None and course_row("secret") is not None
    assert audit_actions()[-1] == (builder.actor, "courses.course_deleted", "baking")
    assert_nothing_crashed(pipeline, caplog)


async def test_modules_are_added_saved_moved_and_deleted(pipeline, caplog, builder, site):
    client = await open_tab(pipeline, builder, "/baking")
    await client.send(builder.state.add_module, form(module_title="  "))
    assert (await client.state(builder.state)).module_error == "Give it a title."

    await client.send(builder.state.add_module, form(module_title="Quokka pastry"))
    state = await client.state(builder.state)
    assert (state.builder_notice, state.module_error) == ("Module added.", "")
    pastry = state.course_modules[-1]
    assert pastry.title == "Quokka pastry"

    before = snapshot()
    await client.send(
        builder.state.save_module,
        form(module_id=str(pastry.id), title="Pastry", unlock_after_days="-3", unlock_on="soon"),
    )
    state = await client.state(builder.state)
    assert state.module_error == (
        "Enter a number of days from 0 to 3650, or leave it empty. "
        "Enter a date as YYYY-MM-DD, like 2027-03-01, or leave it empty."
    )
    assert snapshot() == before

    await client.send(
        builder.state.save_module,
        form(module_id=str(pastry.id), title="Pastry", unlock_after_days="3", unlock_on="2027-03-01"),
    )
    state = await client.state(builder.state)
    assert state.builder_notice == "Module saved."
    assert (state.course_modules[-1].title, state.course_modules[-1].drip) == (
        "Pastry",
        "Unlocks 3 days after enrolment and from 2027-03-01",
    )

    await client.send(builder.state.move_module, {"module_id": pastry.id, "direction": "up"})
    assert [title for title, _ in outline(await client.state(builder.state))] == [
        "Quokka bread",
        "Pastry",
        "Quokka cakes",
    ]
    await client.send(builder.state.move_module, {"module_id": site.modules_a[0], "direction": "up"})
    assert [title for title, _ in outline(await client.state(builder.state))] == [
        "Quokka bread",
        "Pastry",
        "Quokka cakes",
    ]

    await client.send(builder.state.delete_module, {"module_id": pastry.id})
    state = await client.state(builder.state)
    assert (state.builder_notice, [title for title, _ in outline(state)]) == (
        "Module deleted.",
        ["Quokka bread", "Quokka cakes"],
    )
    await client.send(builder.state.delete_module, {"module_id": site.modules_a[1]})
    await client.send(builder.state.delete_module, {"module_id": site.modules_a[0]})
    state = await client.state(builder.state)
    assert state.module_error == "A course needs at least one module: add another before deleting this one."
    assert outline(state) == [("Quokka bread", ["bread-1", "bread-2"])]
    assert [action for actor, action, _ in audit_actions() if actor == builder.actor] == [
        "courses.module_added",
        "courses.module_updated",
        "courses.module_moved",
        "courses.module_deleted",
        "courses.module_deleted",
    ]
    assert_nothing_crashed(pipeline, caplog)


async def test_a_new_lesson_opens_in_its_editor_and_saves_after_a_bad_video_address(pipeline, caplog, builder, site):
    client = await open_tab(pipeline, builder, "/baking")
    await client.send(
        builder.state.add_lesson, form(module_id=str(site.modules_a[1]), lesson_title="Proofing", kind="lesson")
    )
    assert client.redirects() == [f"{builder.base}/baking/lessons/proofing"]
    assert outline(await client.state(builder.state))[1] == ("Quokka cakes", ["cake-1", "cake-2", "proofing"])

    editor = await open_tab(pipeline, builder, "/baking/lessons/proofing")
    state = await editor.state(builder.state)
    assert (state.lesson_title, state.lesson_kind, state.course_title) == ("Proofing", "lesson", "Zanzibar Baking")

    before = snapshot()
    good = {"title": "Proofing dough", "slug": "proofing", "body": "**Knead** it.", "unlock_after_days": "2"}
    await editor.send(builder.state.save_lesson, form(**good, video_url="https://evil.example/watch?v=1"))
    state = await editor.state(builder.state)
    assert state.lesson_errors["video_url"].startswith("Paste a YouTube or Vimeo address")
    assert [field for field, message in state.lesson_errors.items() if message] == ["video_url"]
    assert state.builder_notice == NOTHING_SAVED
    assert snapshot() == before

    await editor.send(builder.state.save_lesson, form(**good, video_url=YOUTUBE))
    state = await editor.state(builder.state)
    assert (state.builder_notice, state.lesson_title, state.lesson_video_url) == (
        "Lesson saved.",
        "Proofing dough",
        YOUTUBE,
    )
    assert (state.lesson_unlock_after_days, state.preview_html) == ("2", "<p><strong>Knead</strong> it.</p>\n")
    assert editor.redirects() == []
    assert audit_actions()[-1] == (builder.actor, "courses.lesson_updated", "baking/proofing")

    await editor.send(builder.state.save_lesson, form(**{**good, "slug": "proving"}, video_url=""))
    assert editor.redirects() == [f"{builder.base}/baking/lessons/proving"]

    await client.send(
        builder.state.add_lesson, form(module_id=str(site.modules_a[0]), lesson_title="Check", kind="quiz")
    )
    quiz = await open_tab(pipeline, builder, "/baking/lessons/check")
    state = await quiz.state(builder.state)
    assert (state.lesson_kind, state.lesson_quiz_text) == ("quiz", EXAMPLE_QUIZ)
    assert_nothing_crashed(pipeline, caplog)


async def test_preview_shows_hostile_markdown_sanitised_and_saves_nothing(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder, "/baking/lessons/bread-1")
    before = snapshot()
    for name, payload in XSS_PAYLOADS.items():
        await client.send(builder.state.preview_lesson, {"markdown": payload})
        state = await client.state(builder.state)
        assert state.lesson_errors["body"] == "", name
        assert_inert(state.preview_html)
    await client.send(builder.state.preview_lesson, {"markdown": "\n\n".join(XSS_PAYLOADS.values())})
    html = (await client.state(builder.state)).preview_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert_inert(html)
    await client.send(builder.state.preview_lesson, {"markdown": "x" * 100_001})
    assert (await client.state(builder.state)).lesson_errors["body"] == "Keep a lesson to 100,000 characters or fewer."
    assert snapshot() == before
    assert_nothing_crashed(pipeline, caplog)


async def test_lessons_move_across_modules_and_are_deleted(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder, "/baking")
    await client.send(builder.state.move_lesson, {"lesson_slug": "bread-2", "direction": "down"})
    assert outline(await client.state(builder.state)) == [
        ("Quokka bread", ["bread-1"]),
        ("Quokka cakes", ["bread-2", "cake-1", "cake-2"]),
    ]
    actions = audit_actions()
    await client.send(builder.state.move_lesson, {"lesson_slug": "bread-1", "direction": "up"})
    assert audit_actions() == actions  # already first: nothing moved

    await client.send(builder.state.delete_lesson, {"lesson_slug": "cake-2"})
    state = await client.state(builder.state)
    assert state.builder_notice == "Lesson deleted."
    assert outline(state) == [("Quokka bread", ["bread-1"]), ("Quokka cakes", ["bread-2", "cake-1"])]
    assert audit_actions()[-1] == (builder.actor, "courses.lesson_deleted", "baking/cake-2")
    assert_nothing_crashed(pipeline, caplog)


async def test_members_are_found_enrolled_unenrolled_and_downloaded(pipeline, caplog, builder, site):
    client = await open_tab(pipeline, builder, "/baking/members")
    state = await client.state(builder.state)
    assert ([row.name for row in state.members], state.members_enrolled) == (["Ludwig Learner"], 1)

    await client.send(builder.state.search_people, form(person_query="NIA"))
    state = await client.state(builder.state)
    assert state.candidates == [
        CandidateRow(site.newcomer, "Nia Newcomer <nia@example.com>", f"person-{site.newcomer}")
    ]
    await client.send(builder.state.search_people, form(person_query="ludwig"))
    state = await client.state(builder.state)
    assert state.candidates == []
    assert state.enrol_error == "Nobody with the app matches, or everyone who does is enrolled already."

    await client.send(builder.state.enrol_selected, form(**{f"person-{site.newcomer}": "on"}))
    state = await client.state(builder.state)
    assert (state.builder_notice, state.members_enrolled) == ("Enrolled 1 person.", 2)
    assert [row.name for row in state.members] == ["Ludwig Learner", "Nia Newcomer"]
    assert audit_actions()[-1] == (builder.actor, "courses.members_enrolled", "baking")

    await client.send(builder.state.filter_members, form(member_query=" nia "))
    state = await client.state(builder.state)
    assert ([row.name for row in state.members], state.members_query) == (["Nia Newcomer"], "nia")

    await client.send(builder.state.unenrol, {"account_id": site.newcomer})
    assert (await client.state(builder.state)).builder_notice == "Unenrolled."
    await client.send(builder.state.unenrol, {"account_id": site.newcomer})
    assert (await client.state(builder.state)).builder_notice == "They were not enrolled."

    await client.send(builder.state.download_progress, {})
    [download] = downloads(client)
    assert download["filename"] == "progress-baking.csv"
    header, data = str(download["url"]).split(",", 1)
    assert header == "data:text/plain;base64"
    rows = base64.b64decode(data).decode().splitlines()
    assert rows[0] == "name,email,enrolled_at,lessons_done,lessons_total,percent,last_activity,quizzes"
    assert [row.split(",")[:2] for row in rows[1:]] == [["Ludwig Learner", "ludwig.hidden@example.com"]]

    await client.send(builder.state.enrol_everyone, {})
    state = await client.state(builder.state)
    assert state.builder_notice == "Enrolled 4 more people with the app."
    assert_nothing_crashed(pipeline, caplog)


async def test_the_progress_download_does_not_hand_a_spreadsheet_formulas(pipeline, caplog, builder):
    person("=cmd@example.com", '=HYPERLINK("http://evil.example")', courses=("baking",))
    client = await open_tab(pipeline, builder, "/baking/members")
    await client.send(builder.state.download_progress, {})
    [download] = downloads(client)
    text = base64.b64decode(str(download["url"]).split(",", 1)[1]).decode()
    names = [row.split(",")[0] for row in text.splitlines()[1:]]
    assert names == ["Ludwig Learner", '"\'=HYPERLINK(""http://evil.example"")"']
    assert_nothing_crashed(pipeline, caplog)


# --- 3. ids of another course ---------------------------------------------------------------------------------


async def test_ids_of_another_course_change_nothing_there(pipeline, caplog, builder, site):
    before = snapshot()
    course = await open_tab(pipeline, builder, "/baking")
    for handler, payload in (
        (builder.state.save_module, form(module_id=str(site.module_b), title="Hijacked", unlock_after_days="")),
        (builder.state.add_lesson, form(module_id=str(site.module_b), lesson_title="Hijacked", kind="lesson")),
        (builder.state.move_module, {"module_id": site.module_b, "direction": "up"}),
        (builder.state.delete_module, {"module_id": site.module_b}),
        (builder.state.move_lesson, {"lesson_slug": "yeti-1", "direction": "down"}),
        (builder.state.delete_lesson, {"lesson_slug": "yeti-1"}),
    ):
        await course.send(handler, payload)
        state = await course.state(builder.state)
        assert state.module_error == NOT_IN_COURSE, handler
        assert state.course_slug == "baking"
        assert snapshot() == before, handler
    assert course.redirects() == []

    lesson = await open_tab(pipeline, builder, "/baking/lessons/bread-1")
    await lesson.send(builder.state.remove_attachment, {"attachment_id": site.attachment_b})
    state = await lesson.state(builder.state)
    assert state.upload_errors["attachment"] == "That file is not on this lesson any more."
    assert [row.name for row in state.lesson_attachments] == ["recipe.txt"]

    members = await open_tab(pipeline, builder, "/baking/members")
    await members.send(builder.state.unenrol, {"account_id": site.yeti_fan})
    assert (await members.state(builder.state)).builder_notice == "They were not enrolled."
    assert snapshot() == before
    assert_nothing_crashed(pipeline, caplog)


# --- 4. hostile payloads --------------------------------------------------------------------------------------

HOSTILE = {
    "none": None,
    "true": True,
    "false": False,
    "zero": 0,
    "negative": -1,
    "huge-int": 10**30,
    "float": 1.5,
    "empty-list": [],
    "list": ["bread-1"],
    "dict-ne": {"$ne": ""},
    "nested": {"value": {"value": "x"}},
    "empty-string": "",
    "one-mb": "x" * ONE_MB,
    "nul": "bread-1\x00",
}


def hostile(*allowed: str) -> dict[str, object]:
    """HOSTILE without the values a field takes (None or "" for an optional one)."""
    return {case: value for case, value in HOSTILE.items() if case not in allowed}


@dataclasses.dataclass(frozen=True)
class HostileSpec:
    name: str
    page: str
    # case id -> payload, from the site.
    cases: Callable[[Site], dict[str, dict]]
    # Where a person would read why nothing happened ("" when the handler only reads).
    message: Callable[[Any], str] | None = None

    def __str__(self) -> str:
        return self.name


def form_cases(good: Callable[[Site], dict], fields: dict[str, dict[str, object]]) -> Callable[[Site], dict]:
    """The whole form replaced by something that is not one, then each field of a good form in turn."""

    def cases(site: Site) -> dict[str, dict]:
        found = {f"form={case}": {"form_data": value} for case, value in NOT_A_FORM.items()}
        for field, values in fields.items():
            found |= {f"{field}={case}": form(**{**good(site), field: value}) for case, value in values.items()}
        return found

    return cases


def arg_cases(good: Callable[[Site], dict], args: dict[str, dict[str, object]]) -> Callable[[Site], dict]:
    def cases(site: Site) -> dict[str, dict]:
        found = {}
        for arg, values in args.items():
            found |= {f"{arg}={case}": {**good(site), arg: value} for case, value in values.items()}
        return found

    return cases


def first_error(errors: dict[str, str]) -> str:
    return next((message for message in errors.values() if message), "")


def good_module(site: Site) -> dict:
    return {"module_id": str(site.modules_a[0]), "title": "Hijacked", "unlock_after_days": "", "unlock_on": ""}


def good_lesson(site: Site) -> dict:
    return {"title": "Hijacked", "slug": "bread-1", "body": "Taken.", "video_url": "", "unlock_after_days": ""}


NOT_A_SLUG = hostile()
# Ids past the database's integer range: refused without an exception by test_an_id_too_big_for_the_database...
TOO_BIG = ("huge-int",)
OPTIONAL = hostile("none", "empty-string")
HOSTILE_SPECS = (
    HostileSpec(
        "create_course",
        "list",
        form_cases(lambda s: {}, {"new_title": hostile()}),
        lambda state: state.new_course_error,
    ),
    HostileSpec(
        "save_course",
        "course",
        form_cases(
            lambda s: {"title": "Hijacked", "slug": "baking", "description": ""},
            {"title": hostile(), "slug": NOT_A_SLUG, "description": hostile("empty-string")},
        ),
        lambda state: first_error(state.course_errors),
    ),
    HostileSpec(
        "delete_course",
        "course",
        form_cases(lambda s: {}, {"confirm": hostile()}),
        lambda state: state.course_errors["confirm"],
    ),
    HostileSpec(
        "add_module",
        "course",
        form_cases(lambda s: {}, {"module_title": hostile()}),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "save_module",
        "course",
        form_cases(
            good_module,
            {
                "module_id": hostile(),
                "title": hostile(),
                "unlock_after_days": hostile("none", "empty-string", "zero"),
                "unlock_on": OPTIONAL,
            },
        ),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "move_module",
        "course",
        arg_cases(
            lambda s: {"module_id": s.modules_a[1], "direction": "up"},
            {"module_id": hostile(*TOO_BIG), "direction": hostile()},
        ),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "delete_module",
        "course",
        arg_cases(lambda s: {}, {"module_id": hostile(*TOO_BIG)}),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "add_lesson",
        "course",
        form_cases(
            lambda s: {"module_id": str(s.modules_a[0]), "lesson_title": "Hijacked", "kind": "lesson"},
            {"module_id": hostile(), "lesson_title": hostile()},
        ),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "move_lesson",
        "course",
        arg_cases(
            lambda s: {"lesson_slug": "bread-2", "direction": "up"},
            {"lesson_slug": NOT_A_SLUG, "direction": hostile()},
        ),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "delete_lesson",
        "course",
        arg_cases(lambda s: {}, {"lesson_slug": NOT_A_SLUG}),
        lambda state: state.module_error,
    ),
    HostileSpec(
        "preview_lesson",
        "lesson",
        arg_cases(lambda s: {}, {"markdown": hostile("empty-string")}),
        lambda state: state.lesson_errors["body"],
    ),
    HostileSpec(
        "save_lesson",
        "lesson",
        form_cases(
            good_lesson,
            {
                "title": hostile(),
                "slug": NOT_A_SLUG,
                "body": hostile("empty-string"),
                "video_url": OPTIONAL,
                "unlock_after_days": hostile("none", "empty-string", "zero"),
                "unlock_on": OPTIONAL,
            },
        ),
        lambda state: first_error(state.lesson_errors),
    ),
    HostileSpec(
        "remove_attachment",
        "lesson",
        arg_cases(lambda s: {}, {"attachment_id": hostile()}),
        lambda state: state.upload_errors["attachment"],
    ),
    HostileSpec("filter_members", "members", form_cases(lambda s: {}, {"member_query": hostile()})),
    HostileSpec("search_people", "members", form_cases(lambda s: {}, {"person_query": hostile()})),
    HostileSpec(
        "enrol_selected",
        "members",
        lambda s: {
            **form_cases(lambda _: {}, {})(s),
            **{f"value={case}": form(**{f"person-{s.newcomer}": value}) for case, value in hostile("true").items()},
            "key-not-a-number": form(**{"person-abc": "on"}),
            "key-negative": form(**{"person--1": "on"}),
            "key-huge": form(**{f"person-{10**30}": "on"}),
            "key-zero": form(**{"person-0": "on"}),
            "key-unknown": form(**{"person-999999": "on"}),
            "too-many": form(**{f"person-{n}": "on" for n in range(1, 600)}),
        },
        lambda state: state.enrol_error,
    ),
    HostileSpec(
        "unenrol",
        "members",
        arg_cases(lambda s: {}, {"account_id": hostile(*TOO_BIG)}),
        lambda state: state.enrol_error or state.builder_notice,
    ),
)


@pytest.mark.parametrize("spec", HOSTILE_SPECS, ids=str)
async def test_hostile_payloads_are_refused_without_a_change(pipeline, caplog, builder, site, spec):
    client = await open_tab(pipeline, builder, PAGES[spec.page])
    handler = getattr(builder.state, spec.name)
    before = snapshot()

    async def check(payload):
        client.clear_updates()
        await client.send(handler, payload)
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before, "the database changed"
        assert client.redirects() == [] and downloads(client) == []
        if spec.message is not None:
            assert_human_message(spec.message(await client.state(builder.state)))

    await check_each(pipeline, caplog, spec.cases(site), check)
    assert stored_files(site) == []


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        pytest.param(name, payload, id=name)
        for name, payload in (
            ("move_module", {"direction": "up"}),
            ("delete_module", {}),
            ("unenrol", {}),
        )
    ],
)
async def test_an_id_too_big_for_the_database_is_refused_without_an_exception(
    pipeline, caplog, builder, site, name, payload
):
    page = "members" if name == "unenrol" else "course"
    arg = "account_id" if name == "unenrol" else "module_id"
    client = await open_tab(pipeline, builder, PAGES[page])
    before = snapshot()

    async def check(value):
        await client.send(getattr(builder.state, name), {**payload, arg: value})
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before
        state = await client.state(builder.state)
        assert_human_message(state.enrol_error or state.builder_notice if name == "unenrol" else state.module_error)

    # The second one arrives as digits: Reflex turns a string into the int its annotation asks for.
    await check_each(pipeline, caplog, {"10**30": 10**30, "2**63": 2**63, "digits": "1" + "0" * 30}, check)


async def test_set_published_refuses_a_value_that_is_not_a_bool(pipeline, caplog, builder):
    client = await open_tab(pipeline, builder, "/baking")

    async def check(value):
        before = snapshot()
        await client.send(builder.state.set_published, {"published": value})
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before, "the database changed"
        assert course_row("baking").published is True

    await check_each(pipeline, caplog, {"none": None, "one": 1, "true-string": "true", "dict-ne": {"$ne": ""}}, check)


# --- 5. uploads sent over the socket --------------------------------------------------------------------------

FAKE_FILES = {
    "none": None,
    "empty-list": [],
    "a-dict": {"filename": "cover.png", "content_type": "image/png", "data": "iVBORw0KGgo="},
    "list-of-a-dict": [{"filename": "cover.png", "content_type": "image/png", "data": "iVBORw0KGgo="}],
    "file-like-dict": [{"file": {"read": "x"}, "filename": "notes.txt", "read": "x"}],
    "two-dicts": [{"filename": "a.png"}, {"filename": "b.png"}],
    "a-path": ["/etc/passwd"],
    "data-url": "data:image/png;base64,iVBORw0KGgo=",
    "one-mb": ["x" * ONE_MB],
    "dict-ne": {"$ne": ""},
    "true": True,
}
UPLOADS = {
    "upload_cover": ("course", "cover"),
    "upload_attachment": ("lesson", "attachment"),
    "upload_video": ("lesson", "video_file"),
}


@pytest.mark.parametrize("name", list(UPLOADS))
async def test_uploads_sent_over_the_socket_are_refused_and_store_no_file(pipeline, caplog, builder, site, name):
    page, field = UPLOADS[name]
    client = await open_tab(pipeline, builder, PAGES[page])
    before = snapshot()

    async def check(files):
        await client.send(getattr(builder.state, name), {"files": files})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(builder.state)
        assert state.upload_errors == {
            "cover": "",
            "attachment": "",
            "video_file": "",
            field: CHOOSE_ONE_FILE,
        }
        assert (state.builder_notice, state.course_cover_url, state.lesson_video_file_url) == ("", "", "")
        assert snapshot() == before
        assert stored_files(site) == []

    await check_each(pipeline, caplog, FAKE_FILES, check)


# --- pages of a course or lesson that is not there ---------------------------------------------------------


GONE_PAGES = {
    "list": "",
    "course": "/gone",
    "members": "/gone/members",
    "lesson": "/baking/lessons/gone",
}


@pytest.mark.parametrize("spec", [pytest.param(spec, id=spec.name) for spec in SPECS if spec.page != "list"])
async def test_a_page_of_a_course_or_lesson_that_is_not_there_changes_nothing(pipeline, caplog, builder, site, spec):
    """The URL is the tab's to choose, and another editor may have deleted what it shows."""
    client = await pipeline.connect(builder.base + GONE_PAGES[spec.page], cookie=builder.cookie)
    before = snapshot()
    await client.send(getattr(builder.state, spec.name), spec.payload(site))
    assert_nothing_crashed(pipeline, caplog)
    assert snapshot() == before
    assert downloads(client) == []
