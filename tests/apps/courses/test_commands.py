"""`portal courses enrol` and `portal courses list`, and the demo course `portal seed-demo` adds."""

from __future__ import annotations

from sqlmodel import select

from portal_app import cli
from portal_app.accounts.models import Account
from portal_app.apps.courses import service
from portal_app.apps.courses.demo_course import DEMO_COURSE, add_demo_course
from portal_app.apps.courses.models import Enrolment
from portal_app.kernel import db
from portal_app.timeline import service as activity
from tests.apps.courses.support import make_course
from tests.apps.support import add_account, grant


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def enrolments() -> list[tuple[int, int]]:
    with db.read_session() as session:
        return [(row.account_id, row.course_id) for row in session.exec(select(Enrolment))]


def test_enrol_by_email_then_by_id(database, frozen_clock, capsys):
    account = add_account("grace@example.com", "Grace Hopper")
    make_course()
    code, out, err = run(capsys, "courses", "enrol", "Grace@Example.com", "--course", "baking")
    assert (code, err) == (0, "")
    assert out == (
        f"Enrolled Grace Hopper <grace@example.com> (account {account}) in baking.\n"
        f"They also need Membership Courses: portal grant {account} --app courses\n"
    )
    grant(account, "courses")
    assert run(capsys, "courses", "enrol", str(account), "--course", "baking") == (
        0,
        f"Grace Hopper <grace@example.com> (account {account}) was already enrolled in baking.\n",
        "",
    )
    assert len(enrolments()) == 1
    assert [item.kind for item in activity.timeline(account, app_key="courses").items] == ["course_enrolled"]


def test_enrol_refuses_what_it_cannot_do(database, frozen_clock, capsys):
    add_account("grace@example.com", "Grace Hopper")
    add_account("shared@example.com", "One")
    add_account("shared@example.com", "Two")
    make_course()
    cases = [
        (
            ["grace@example.com", "--course", "Nope!"],
            "error: --course: Use 1-80 lower-case letters, digits or hyphens.\n",
        ),
        (["grace@example.com", "--course", "missing"], "error: --course: there is no course 'missing'"),
        (["nobody@example.com", "--course", "baking"], "error: no account uses nobody@example.com\n"),
        (["999", "--course", "baking"], "error: there is no account 999\n"),
        (["not an email", "--course", "baking"], "error: 'not an email' is neither an account id nor an email"),
        (["shared@example.com", "--course", "baking"], "error: 2 accounts use shared@example.com (ids 2, 3)"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, "courses", "enrol", *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith(message), (argv, err)
    assert enrolments() == []


def test_list_shows_every_course(database, frozen_clock, capsys):
    assert run(capsys, "courses", "list") == (0, "No courses yet.\n", "")
    make_course()
    make_course("draft", title="Draft course", published=False, for_everyone=True, position=1)
    service.enrol(add_account(), "baking")
    assert run(capsys, "courses", "list") == (
        0,
        "baking  Baking basics  (published; 4 lessons, 1 enrolled)\n"
        "draft  Draft course  (draft, for everyone; 4 lessons, 0 enrolled)\n",
        "",
    )


def test_the_demo_course_has_the_main_account_part_way_through(database, frozen_clock):
    main, second = add_account("dana@demo.example", "Dana"), add_account("dana@demo.example", "Dana Two")
    with db.write_session() as session:
        accounts = [session.get(Account, main), session.get(Account, second)]
        add_demo_course(session, accounts)
    [card] = service.my_courses(main)
    assert (card.slug, card.lessons_total, card.lessons_done, card.next_lesson.slug) == (
        DEMO_COURSE,
        7,
        2,
        "before-the-session",
    )
    outline = service.course_outline(main, DEMO_COURSE)
    assert [module.title for module in outline.modules] == [
        "Set up your space",
        "Your first session",
        "Keep clients coming back",
    ]
    assert "<table>" in service.lesson_view(main, DEMO_COURSE, "your-equipment").body_html
    assert service.my_courses(second) == []
    assert [item.kind for item in activity.timeline(main).items].count("lesson_completed") == 2
