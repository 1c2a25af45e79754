"""Membership Courses: the courses and lessons that come with a membership, and each person's progress.

Members get My courses, a course's outline, lessons (Markdown shown as sanitised HTML, an optional
YouTube or Vimeo video) with "Mark complete", quizzes, drip, and certificates that anyone with the
link can check (/certificates/<code>, with a PDF). Enrolment is a service and `portal courses enrol`;
the home card comes from the app's own tables. Everything lives in this folder.
"""

from portal_app.apps.courses import service
from portal_app.apps.registry import AdminPage, AppPage, ChildApp, PeriodicTask, PublicPage, register

_STATE = "portal_app.apps.courses.ui.courses_state:CoursesState"
_PAGES = "portal_app.apps.courses.ui.builder_pages"
_ADMIN = "portal_app.apps.courses.ui.builder_state:AdminCourseBuilderState"
_TEACH = "portal_app.apps.courses.ui.builder_state:InstructorCourseBuilderState"
# The course builder's pages: (route under the base, title, page name, loader).
_BUILDER = (
    ("", "Course builder", "courses_page", "load_builder"),
    ("/[course]", "Edit course", "course_page", "load_course_editor"),
    ("/[course]/members", "Course members", "members_page", "load_members"),
    ("/[course]/lessons/[lesson]", "Edit lesson", "lesson_page", "load_lesson_editor"),
)

register(
    ChildApp(
        key=service.APP_KEY,
        title="Membership Courses",
        icon="graduation-cap",
        route="/apps/courses",
        description="The courses and lessons that come with your membership, and how far you got in each.",
        pages=(
            AppPage(
                route="/apps/courses",
                title="Membership Courses",
                page="portal_app.apps.courses.ui.courses_page:courses_page",
                on_load=f"{_STATE}.load_courses",
            ),
            AppPage(
                route="/apps/courses/[course]",
                title="Course",
                page="portal_app.apps.courses.ui.course_page:course_page",
                on_load=f"{_STATE}.load_course",
            ),
            AppPage(
                route="/apps/courses/[course]/[lesson]",
                title="Lesson",
                page="portal_app.apps.courses.ui.lesson_page:lesson_page",
                on_load=f"{_STATE}.load_lesson",
            ),
            *(
                AppPage(
                    route=f"/apps/courses/teach{route}",
                    title=f"Teach: {title}",
                    page=f"{_PAGES}:teach_{page}",
                    on_load=f"{_TEACH}.{loader}",
                )
                for route, title, page, loader in _BUILDER
            ),
        ),
        # Members by default; an instructor may also build courses (not the business's settings).
        roles=("member", "instructor"),
        admin_pages=tuple(
            AdminPage(
                route=f"/admin/apps/courses{route}",
                title=title,
                page=f"{_PAGES}:admin_{page}",
                on_load=f"{_ADMIN}.{loader}",
            )
            for route, title, page, loader in _BUILDER
        ),
        public_pages=(
            PublicPage(
                route="/certificates/[code]",
                title="Certificate",
                page="portal_app.apps.courses.ui.certificate_page:certificate_page",
                on_load="portal_app.apps.courses.ui.certificate_state:CertificateState.load_certificate",
            ),
        ),
        http_routes="portal_app.apps.courses.routes:routes",
        # The daily "lessons unlocked" digest (each person at most once in 20 hours).
        tasks=(PeriodicTask("unlock_digest", 3600, "portal_app.apps.courses.digest:send_unlock_digests"),),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=10,
        cli="portal_app.apps.courses.commands:add_commands",
        export="portal_app.apps.courses.service:export",
        deletion_removes=("your course progress, quiz answers and certificates",),
        demo_data="portal_app.apps.courses.demo_course:add_demo_course",
        demo_accounts=("main",),
    )
)
