"""The course builder's state, shared by the owner's admin pages (/admin/apps/courses/...) and the
instructor's pages (/apps/courses/teach/...): one mixin, two gates.

Every handler first asks `_editor()` who is editing (a staff member, or an account whose grant has
the "instructor" role) and refuses otherwise; the course, lesson and module it acts on come from
the tab's URL or are checked by the service to belong to that course.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps import audit
from portal_app.apps.courses import course_builder, course_files, enrolments
from portal_app.apps.courses.progress import APP_KEY
from portal_app.apps.registry import match_route
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.shell.ui.app_guard import AppAccessState
from portal_app.shell.ui.formatting import date_time

ADMIN_BASE = "/admin/apps/courses"
TEACH_BASE = "/apps/courses/teach"
INSTRUCTOR = "instructor"
COURSE_FIELDS = ("title", "slug", "description", "confirm")
UPLOAD_FIELDS = ("cover", "attachment", "video_file")
LESSON_FIELDS = (
    "title",
    "slug",
    "body",
    "video_url",
    "unlock_after_days",
    "unlock_on",
    "pass_percent",
    "max_attempts",
    "questions",
)


@dataclasses.dataclass
class BuilderCourseRow:
    slug: str = ""
    title: str = ""
    status: str = ""
    lessons: int = 0
    enrolled: int = 0
    href: str = ""


@dataclasses.dataclass
class BuilderLessonRow:
    slug: str = ""
    title: str = ""
    is_quiz: bool = False
    drip: str = ""
    href: str = ""


@dataclasses.dataclass
class BuilderModuleRow:
    id: int = 0
    title: str = ""
    unlock_after_days: str = ""
    unlock_on: str = ""
    drip: str = ""
    lessons: list[BuilderLessonRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class AttachmentRow:
    id: int = 0
    name: str = ""
    size: str = ""
    url: str = ""


@dataclasses.dataclass
class MemberRow:
    account_id: int = 0
    name: str = ""
    email: str = ""
    progress: str = ""
    percent: int = 0
    last_activity: str = ""
    quizzes: str = ""


@dataclasses.dataclass
class CandidateRow:
    account_id: int = 0
    label: str = ""
    field_id: str = ""


def _drip_text(days, on) -> str:
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''} after enrolment")
    if on:
        parts.append(f"from {on.isoformat()}")
    return "Unlocks " + " and ".join(parts) if parts else ""


def _int_or_none(value: object) -> int | None:
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


class CourseBuilderMixin(rx.State, mixin=True):
    base_path: str = ""
    editor_ready: bool = False
    builder_notice: str = ""
    # The course list.
    builder_courses: list[BuilderCourseRow] = []
    new_course_error: str = ""
    # One course.
    course_slug: str = ""
    course_title: str = ""
    course_description: str = ""
    course_published: bool = False
    course_for_everyone: bool = False
    course_certificate: bool = False
    course_errors: dict[str, str] = dict.fromkeys(COURSE_FIELDS, "")
    course_modules: list[BuilderModuleRow] = []
    course_cover_url: str = ""
    # Refusals of an upload (cover, attachment, video), shown beside its picker.
    upload_errors: dict[str, str] = dict.fromkeys(UPLOAD_FIELDS, "")
    module_error: str = ""
    course_missing: bool = False
    # Changes whenever stored values are shown afresh, so forms show them (they are uncontrolled).
    form_version: int = 0
    # One lesson.
    lesson_slug: str = ""
    lesson_title: str = ""
    lesson_kind: str = ""
    lesson_body: str = ""
    lesson_video_url: str = ""
    lesson_unlock_after_days: str = ""
    lesson_unlock_on: str = ""
    lesson_pass_percent: str = ""
    lesson_max_attempts: str = ""
    lesson_show_answers: bool = False
    lesson_quiz_text: str = ""
    lesson_attachments: list[AttachmentRow] = []
    lesson_video_file_url: str = ""
    lesson_errors: dict[str, str] = dict.fromkeys(LESSON_FIELDS, "")
    # Sanitised by the same function members' lessons go through (course_builder.preview).
    preview_html: str = ""
    lesson_missing: bool = False
    # Members and progress.
    members: list[MemberRow] = []
    members_enrolled: int = 0
    members_next_after: int = 0
    members_query: str = ""
    candidates: list[CandidateRow] = []
    enrol_error: str = ""

    # --- what each page of the two sets of pages implements ---------------------------------------

    # The two hooks every concrete builder state defines (AdminCourseBuilderState for staff,
    # InstructorCourseBuilderState for the instructor role); the mixin alone is never a page's state.

    async def _editor(self) -> audit.Actor | None:
        """Who is editing, asked now (None: refused)."""
        raise NotImplementedError("a builder state says who may edit")

    def _denied(self):
        """What a refused tab gets (the event the handler returns)."""
        raise NotImplementedError("a builder state says what a refused tab gets")

    def _param(self, name: str) -> str:
        """A route parameter of the builder page in the tab's URL ("" when none)."""
        for suffix in ("/[course]", "/[course]/members", "/[course]/lessons/[lesson]"):
            params = match_route(self.base_path + suffix, self.router.url.path)
            if params:
                return params.get(name, "")
        return ""

    def _clear_builder(self) -> None:
        self.editor_ready = False
        self.builder_notice = self.new_course_error = self.module_error = self.enrol_error = ""
        self.builder_courses, self.course_modules, self.members, self.candidates = [], [], [], []
        self.course_slug = self.course_title = self.course_description = ""
        self.course_published = self.course_for_everyone = self.course_certificate = self.course_missing = False
        self.course_errors = dict.fromkeys(COURSE_FIELDS, "")
        self.upload_errors = dict.fromkeys(UPLOAD_FIELDS, "")
        self.course_cover_url = ""
        self._clear_lesson()
        self.members_enrolled = self.members_next_after = 0
        self.members_query = ""

    def _clear_lesson(self) -> None:
        self.lesson_slug = self.lesson_title = self.lesson_kind = self.lesson_body = self.lesson_video_url = ""
        self.lesson_unlock_after_days = self.lesson_unlock_on = self.lesson_pass_percent = ""
        self.lesson_max_attempts = self.lesson_quiz_text = self.preview_html = ""
        self.lesson_show_answers = self.lesson_missing = False
        self.lesson_attachments, self.lesson_video_file_url = [], ""
        self.lesson_errors = dict.fromkeys(LESSON_FIELDS, "")

    def _course_href(self, slug: str) -> str:
        return f"{self.base_path}/{slug}"

    # --- the course list -------------------------------------------------------------------------

    async def _show_courses(self) -> None:
        rows = await asyncio.to_thread(course_builder.list_courses)
        self.builder_courses = [
            BuilderCourseRow(
                row.slug,
                row.title,
                "Published" if row.published else "Draft",
                row.lessons,
                row.enrolled,
                self._course_href(row.slug),
            )
            for row in rows
        ]

    @rx.event
    async def load_builder(self):
        self._clear_builder()
        if await self._editor() is None:
            return self._denied()
        await self._show_courses()
        self.editor_ready = True

    @rx.event
    async def create_course(self, form_data: dict):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        self.new_course_error = ""
        try:
            slug = await asyncio.to_thread(course_builder.create_course, actor, title=data.get("new_title"))
        except FormErrors as refused:
            self.new_course_error = " ".join(refused.errors.values())
            return
        return rx.redirect(self._course_href(slug))

    # --- one course ------------------------------------------------------------------------------

    async def _show_course(self, slug: str) -> None:
        draft = await asyncio.to_thread(course_builder.course_for_editing, slug)
        self.course_slug, self.course_title, self.course_description = draft.slug, draft.title, draft.description
        self.course_published, self.course_for_everyone = draft.published, draft.for_everyone
        self.course_certificate = draft.certificate_enabled
        self.course_cover_url = draft.cover_url
        self.course_modules = [
            BuilderModuleRow(
                id=module.id,
                title=module.title,
                unlock_after_days=str(module.unlock_after_days or ""),
                unlock_on=module.unlock_on.isoformat() if module.unlock_on else "",
                drip=_drip_text(module.unlock_after_days, module.unlock_on),
                lessons=[
                    BuilderLessonRow(
                        slug=lesson.slug,
                        title=lesson.title,
                        is_quiz=lesson.kind == "quiz",
                        drip=_drip_text(lesson.unlock_after_days, lesson.unlock_on),
                        href=f"{self.base_path}/{draft.slug}/lessons/{lesson.slug}",
                    )
                    for lesson in module.lessons
                ],
            )
            for module in draft.modules
        ]
        self.form_version += 1

    async def _course_action(self, action, *args, notice: str = "", **kwargs) -> tuple[object, object]:
        """Run a builder change on the course in the URL, then show the course afresh (or say what was refused).

        Returns (the event the handler returns: the refusal when nobody may edit here, else None; the
        change's result, None when refused). Every handler returns that event, so a refused tab goes
        where _denied() sends it.
        """
        actor = await self._editor()
        if actor is None:
            return self._denied(), None
        self.builder_notice = self.module_error = ""
        slug = self._param("course")
        try:
            result = await asyncio.to_thread(action, actor, slug, *args, **kwargs)
        except FormErrors as refused:
            self.module_error = " ".join(refused.errors.values())
            return None, None
        except (LookupError, FieldError):
            self.module_error = "That is not part of this course any more. The page now shows it as stored."
            result = None
        try:
            await self._show_course(slug)
        except LookupError:
            self._clear_builder()
            self.course_missing = True
            return None, None
        self.builder_notice = notice
        return None, result

    @rx.event
    async def load_course_editor(self):
        self._clear_builder()
        if await self._editor() is None:
            return self._denied()
        try:
            await self._show_course(self._param("course"))
        except LookupError:
            self.course_missing = True
        self.editor_ready = True

    @rx.event
    async def save_course(self, form_data: dict):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        self.course_errors = dict.fromkeys(COURSE_FIELDS, "")
        self.builder_notice = ""
        try:
            slug = await asyncio.to_thread(
                course_builder.update_course,
                actor,
                self._param("course"),
                title=data.get("title"),
                new_slug=data.get("slug"),
                description=data.get("description", ""),
                published=data.get("published"),
                for_everyone=data.get("for_everyone"),
                certificate_enabled=data.get("certificate_enabled"),
            )
        except FormErrors as refused:
            self.course_errors = {field: refused.errors.get(field, "") for field in COURSE_FIELDS}
            self.builder_notice = "Nothing was saved. Correct the fields marked below."
            return
        except LookupError:
            self.course_missing = True
            return
        if slug != self._param("course"):
            return rx.redirect(self._course_href(slug))
        await self._show_course(slug)
        self.builder_notice = "Course saved."

    @rx.event
    async def set_published(self, published: bool):
        if not isinstance(published, bool):
            if await self._editor() is None:
                return self._denied()
            return None
        event, _ = await self._course_action(
            course_builder.set_published,
            published,
            notice="Published: members with access see it now." if published is True else "Unpublished: back to draft.",
        )
        return event

    @rx.event
    async def delete_course(self, form_data: dict):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        self.course_errors = dict.fromkeys(COURSE_FIELDS, "")
        try:
            await asyncio.to_thread(
                course_builder.delete_course, actor, self._param("course"), confirm=data.get("confirm")
            )
        except FormErrors as refused:
            self.course_errors = {field: refused.errors.get(field, "") for field in COURSE_FIELDS}
            return
        except LookupError:
            self.course_missing = True
            return
        return rx.redirect(self.base_path)

    @rx.event
    async def add_module(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        event, _ = await self._course_action(
            course_builder.add_module, title=data.get("module_title"), notice="Module added."
        )
        return event

    @rx.event
    async def save_module(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        event, _ = await self._course_action(
            course_builder.update_module,
            _int_or_none(data.get("module_id")),
            title=data.get("title"),
            unlock_after_days=data.get("unlock_after_days"),
            unlock_on=data.get("unlock_on"),
            notice="Module saved.",
        )
        return event

    @rx.event
    async def move_module(self, module_id: int, direction: str):
        event, _ = await self._course_action(course_builder.move_module, module_id, direction)
        return event

    @rx.event
    async def delete_module(self, module_id: int):
        event, _ = await self._course_action(course_builder.delete_module, module_id, notice="Module deleted.")
        return event

    @rx.event
    async def add_lesson(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        kind = "quiz" if data.get("kind") == "quiz" else "lesson"
        event, slug = await self._course_action(
            course_builder.add_lesson,
            _int_or_none(data.get("module_id")),
            title=data.get("lesson_title"),
            kind=kind,
            notice="Lesson added.",
        )
        if event is None and isinstance(slug, str):
            return rx.redirect(f"{self.base_path}/{self.course_slug}/lessons/{slug}")
        return event

    @rx.event
    async def move_lesson(self, lesson_slug: str, direction: str):
        event, _ = await self._course_action(course_builder.move_lesson, lesson_slug, direction)
        return event

    @rx.event
    async def delete_lesson(self, lesson_slug: str):
        event, _ = await self._course_action(course_builder.delete_lesson, lesson_slug, notice="Lesson deleted.")
        return event

    # --- one lesson ------------------------------------------------------------------------------

    async def _show_lesson(self, course_slug: str, lesson_slug: str) -> None:
        draft = await asyncio.to_thread(course_builder.lesson_for_editing, course_slug, lesson_slug)
        self.course_slug, self.course_title = draft.course_slug, draft.course_title
        self.lesson_slug, self.lesson_title, self.lesson_kind = draft.slug, draft.title, draft.kind
        self.lesson_body, self.lesson_video_url = draft.body_markdown, draft.video_url
        self.lesson_unlock_after_days = str(draft.unlock_after_days or "")
        self.lesson_unlock_on = draft.unlock_on.isoformat() if draft.unlock_on else ""
        self.lesson_pass_percent, self.lesson_max_attempts = str(draft.pass_percent), str(draft.max_attempts)
        self.lesson_show_answers, self.lesson_quiz_text = draft.show_answers, draft.quiz_text
        self.lesson_attachments = [AttachmentRow(item.id, item.name, item.size, item.url) for item in draft.attachments]
        self.lesson_video_file_url = draft.video_file_url
        self.preview_html = await asyncio.to_thread(course_builder.preview, draft.body_markdown)
        self.form_version += 1

    @rx.event
    async def load_lesson_editor(self):
        self._clear_builder()
        if await self._editor() is None:
            return self._denied()
        try:
            await self._show_lesson(self._param("course"), self._param("lesson"))
        except LookupError:
            self.lesson_missing = True
        self.editor_ready = True

    @rx.event
    async def preview_lesson(self, markdown: str):
        """Show the lesson text being written as members would see it (nothing is saved)."""
        if await self._editor() is None:
            return self._denied()
        try:
            self.preview_html = await asyncio.to_thread(course_builder.preview, markdown)
            self.lesson_errors = {**self.lesson_errors, "body": ""}
        except FieldError as error:
            self.lesson_errors = {**self.lesson_errors, "body": error.message}

    @rx.event
    async def save_lesson(self, form_data: dict):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        course_slug, lesson_slug = self._param("course"), self._param("lesson")
        self.lesson_errors = dict.fromkeys(LESSON_FIELDS, "")
        self.builder_notice = ""
        try:
            slug = await asyncio.to_thread(
                course_builder.update_lesson,
                actor,
                course_slug,
                lesson_slug,
                title=data.get("title"),
                new_slug=data.get("slug"),
                body_markdown=data.get("body", ""),
                video_url=data.get("video_url", ""),
                unlock_after_days=data.get("unlock_after_days", ""),
                unlock_on=data.get("unlock_on", ""),
                pass_percent=data.get("pass_percent", ""),
                max_attempts=data.get("max_attempts", ""),
                show_answers=data.get("show_answers"),
                quiz_text=data.get("quiz_text", ""),
            )
        except FormErrors as refused:
            self.lesson_errors = {field: refused.errors.get(field, "") for field in LESSON_FIELDS}
            self.builder_notice = "Nothing was saved. Correct the fields marked below."
            return
        except LookupError:
            self._clear_lesson()
            self.lesson_missing = True
            return
        if slug != lesson_slug:
            return rx.redirect(f"{self.base_path}/{course_slug}/lessons/{slug}")
        await self._show_lesson(course_slug, slug)
        self.builder_notice = "Lesson saved."

    # --- files ------------------------------------------------------------------------------------

    async def _upload(self, field: str, files: object, store) -> bool | None:
        """Hand the one uploaded file to `store(actor, source, filename)`: True when kept, False when refused
        (said beside the picker), None when nobody may edit here (the caller returns self._denied())."""
        actor = await self._editor()
        if actor is None:
            return None
        self.upload_errors = dict.fromkeys(UPLOAD_FIELDS, "")
        self.builder_notice = ""
        chosen = [item for item in files if isinstance(item, rx.UploadFile)] if isinstance(files, list) else []
        if len(chosen) != 1:
            self.upload_errors = {**self.upload_errors, field: "Choose one file, then upload it."}
            return False
        try:
            await asyncio.to_thread(store, actor, chosen[0].file, chosen[0].filename)
        except FormErrors as refused:
            self.upload_errors = {**self.upload_errors, field: " ".join(refused.errors.values())}
            return False
        except LookupError:
            self.upload_errors = {**self.upload_errors, field: "That course or lesson is not there any more."}
            return False
        return True

    @rx.event
    async def upload_cover(self, files: list[rx.UploadFile]):
        slug = self._param("course")
        kept = await self._upload(
            "cover", files, lambda actor, source, _name: course_files.set_cover(actor, slug, source)
        )
        if kept is None:
            return self._denied()
        if kept:
            await self._show_course(slug)
            self.builder_notice = "Cover uploaded."

    @rx.event
    async def remove_cover(self):
        event, _ = await self._course_action(course_files.remove_cover, notice="Cover removed.")
        return event

    async def _lesson_file_action(self, actor, action, *args, notice: str) -> None:
        course_slug, lesson_slug = self._param("course"), self._param("lesson")
        self.upload_errors = dict.fromkeys(UPLOAD_FIELDS, "")
        try:
            await asyncio.to_thread(action, actor, course_slug, lesson_slug, *args)
        except LookupError:
            self.upload_errors = {**self.upload_errors, "attachment": "That file is not on this lesson any more."}
        else:
            self.builder_notice = notice
        try:
            await self._show_lesson(course_slug, lesson_slug)
        except LookupError:
            self._clear_lesson()
            self.lesson_missing = True

    @rx.event
    async def upload_attachment(self, files: list[rx.UploadFile]):
        course_slug, lesson_slug = self._param("course"), self._param("lesson")

        def store(actor, source, filename):
            course_files.add_attachment(actor, course_slug, lesson_slug, filename, source)

        kept = await self._upload("attachment", files, store)
        if kept is None:
            return self._denied()
        if kept:
            await self._show_lesson(course_slug, lesson_slug)
            self.builder_notice = "File attached."

    @rx.event
    async def remove_attachment(self, attachment_id: int):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        await self._lesson_file_action(actor, course_files.remove_attachment, attachment_id, notice="File removed.")

    @rx.event
    async def upload_video(self, files: list[rx.UploadFile]):
        course_slug, lesson_slug = self._param("course"), self._param("lesson")

        def store(actor, source, _filename):
            course_files.set_video_file(actor, course_slug, lesson_slug, source)

        kept = await self._upload("video_file", files, store)
        if kept is None:
            return self._denied()
        if kept:
            await self._show_lesson(course_slug, lesson_slug)
            self.builder_notice = "Video uploaded."

    @rx.event
    async def remove_video(self):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        await self._lesson_file_action(actor, course_files.remove_video_file, notice="Video removed.")

    # --- members and progress --------------------------------------------------------------------

    async def _show_members(self, *, after: int = 0, append: bool = False) -> None:
        page = await asyncio.to_thread(
            enrolments.members, self._param("course"), after=after or None, query=self.members_query
        )
        rows = [
            MemberRow(
                account_id=member.account_id,
                name=member.full_name,
                email=member.email,
                progress=f"{member.lessons_done} of {member.lessons_total}",
                percent=member.percent,
                last_activity=date_time(member.last_activity, missing="Not started"),
                quizzes="; ".join(
                    f"{quiz.lesson_title}: {quiz.best_score}%{' passed' if quiz.passed else ''} ({quiz.attempts} tries)"
                    for quiz in member.quizzes
                ),
            )
            for member in page.members
        ]
        self.members = [*self.members, *rows] if append else rows
        self.members_enrolled = page.enrolled
        self.members_next_after = page.next_after or 0
        self.course_title = page.course_title
        self.course_slug = self._param("course")

    async def _members_action(self, action, *args, notice_of=None):
        actor = await self._editor()
        if actor is None:
            return self._denied()
        self.enrol_error = self.builder_notice = ""
        try:
            result = await asyncio.to_thread(action, actor, self._param("course"), *args)
        except FormErrors as refused:
            self.enrol_error = " ".join(refused.errors.values())
            return None
        except LookupError:
            self.enrol_error = "That person or course is not there any more."
            result = None
        self.candidates = []
        if not await self._show_members_or_missing():
            return None
        if notice_of is not None and result is not None:
            self.builder_notice = notice_of(result)
        return None

    async def _show_members_or_missing(self) -> bool:
        """Show the course's members afresh; False (the page says so) when the course is not there any more."""
        try:
            await self._show_members()
        except LookupError:
            self._clear_builder()
            self.course_missing = True
            return False
        return True

    @rx.event
    async def load_members(self):
        self._clear_builder()
        if await self._editor() is None:
            return self._denied()
        try:
            await self._show_members()
        except LookupError:
            self.course_missing = True
        self.editor_ready = True

    @rx.event
    async def more_members(self):
        if await self._editor() is None:
            return self._denied()
        if self.members_next_after:
            try:
                await self._show_members(after=self.members_next_after, append=True)
            except LookupError:
                self._clear_builder()
                self.course_missing = True

    @rx.event
    async def filter_members(self, form_data: dict):
        if await self._editor() is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        query = data.get("member_query")
        self.members_query = query.strip()[: enrolments.MAX_SEARCH_LENGTH] if isinstance(query, str) else ""
        await self._show_members_or_missing()

    @rx.event
    async def search_people(self, form_data: dict):
        if await self._editor() is None:
            return self._denied()
        data = form_data if isinstance(form_data, dict) else {}
        try:
            found = await asyncio.to_thread(enrolments.candidates, self._param("course"), data.get("person_query"))
        except LookupError:
            self._clear_builder()
            self.course_missing = True
            return None
        self.candidates = [
            CandidateRow(person.account_id, f"{person.full_name} <{person.email}>", f"person-{person.account_id}")
            for person in found
        ]
        self.enrol_error = "" if found else "Nobody with the app matches, or everyone who does is enrolled already."

    @rx.event
    async def enrol_selected(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        chosen = [
            _int_or_none(key.removeprefix("person-"))
            for key, value in data.items()
            if isinstance(key, str) and key.startswith("person-") and (value == "on" or value is True)
        ]
        return await self._members_action(
            enrolments.enrol_accounts,
            [item for item in chosen if item is not None],
            notice_of=lambda added: f"Enrolled {added} {'person' if added == 1 else 'people'}.",
        )

    @rx.event
    async def enrol_everyone(self):
        return await self._members_action(
            enrolments.enrol_everyone,
            notice_of=lambda added: f"Enrolled {added} more {'person' if added == 1 else 'people'} with the app.",
        )

    @rx.event
    async def unenrol(self, account_id: int):
        return await self._members_action(
            enrolments.unenrol, account_id, notice_of=lambda done: "Unenrolled." if done else "They were not enrolled."
        )

    @rx.event
    async def download_progress(self):
        if await self._editor() is None:
            return self._denied()
        slug = self._param("course")
        try:
            data = await asyncio.to_thread(enrolments.progress_csv, slug)
        except LookupError:
            self.course_missing = True
            return None
        return rx.download(data=data, filename=f"progress-{slug}.csv")


class AdminCourseBuilderState(CourseBuilderMixin, AppAdminState):
    """The builder for staff, under /admin/apps/courses."""

    base_path: str = ADMIN_BASE

    async def _editor(self) -> audit.Actor | None:
        staff = await self._staff_gate(APP_KEY)
        return staff.actor if staff is not None else None

    def _denied(self):
        return self._refuse()

    def _clear_page(self) -> None:
        super()._clear_page()
        self._clear_builder()


class InstructorCourseBuilderState(CourseBuilderMixin, AppAccessState):
    """The builder for instructors (the app's "instructor" role), under /apps/courses/teach."""

    base_path: str = TEACH_BASE

    async def _editor(self) -> audit.Actor | None:
        principal, _ = await self._gate(APP_KEY, role=INSTRUCTOR, send_to_login=False, send_to_profile=False)
        if principal is None:
            return None
        return audit.member_actor(principal.account_id, principal.email, INSTRUCTOR)

    def _denied(self):
        self._clear_builder()

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self._clear_builder()
