"""The owner's enrolment and progress pages' service: members with progress, search, enrol many or everyone, unenrol, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.courses import enrolments, service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec
from portal_app.apps.courses.models import Enrolment, LessonCompletion
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.courses.support import lessons, make_course
from tests.apps.support import add_account, grant, set_business

OWNER = Actor("owner@example.com")
QUIZ = LessonSpec(
    "check",
    "Check",
    kind="quiz",
    pass_percent=100,
    questions=(QuestionSpec("Flour?", (ChoiceSpec("Yes", True), ChoiceSpec("No"))),),
)


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


@pytest.fixture
def course(database, frozen_clock) -> str:
    set_business(enabled_apps=["courses"])
    return make_course(modules=(ModuleSpec("M", (*lessons("bread", 3), QUIZ)),))


def member(email: str, name: str, *, with_app: bool = True) -> int:
    account = add_account(email, name)
    if with_app:
        grant(account, "courses")
    return account


def test_members_show_progress_last_activity_and_quiz_results(course, frozen_clock):
    ada, grace = member("ada@example.com", "Ada Lovelace"), member("grace@example.com", "Grace Hopper")
    for account in (ada, grace):
        service.enrol(account, course)
    service.complete_lesson(ada, course, "bread-1")
    frozen_clock.advance(hours=2)
    service.complete_lesson(ada, course, "bread-2")
    [question] = service.lesson_view(ada, course, "check").quiz.questions
    [wrong] = [choice.id for choice in question.choices if choice.text == "No"]
    service.submit_quiz(ada, course, "check", {str(question.id): [wrong]})
    page = enrolments.members(course)
    first, second = page.members
    assert (page.course_title, page.enrolled, page.next_after) == ("Baking basics", 2, None)
    assert (first.full_name, first.lessons_done, first.lessons_total, first.percent) == ("Ada Lovelace", 2, 4, 50)
    assert first.last_activity == frozen_clock.current
    assert [(q.lesson_title, q.best_score, q.attempts, q.passed) for q in first.quizzes] == [("Check", 0, 1, False)]
    assert (second.lessons_done, second.last_activity, second.quizzes) == (0, None, ())


def test_members_page_by_keyset_and_search(course):
    ids = [member(f"m{n}@example.com", f"Member {n:03d}") for n in range(enrolments.PAGE_SIZE + 5)]
    for account in ids:
        service.enrol(account, course)
    first = enrolments.members(course)
    assert len(first.members) == enrolments.PAGE_SIZE and first.next_after == ids[enrolments.PAGE_SIZE - 1]
    second = enrolments.members(course, after=first.next_after)
    assert [m.account_id for m in second.members] == ids[enrolments.PAGE_SIZE :] and second.next_after is None
    assert [m.full_name for m in enrolments.members(course, query="member 007").members] == ["Member 007"]
    assert enrolments.members(course, query="%").members == ()


def test_search_finds_people_with_the_app_who_are_not_in_the_course(course):
    ada = member("ada@example.com", "Ada Lovelace")
    member("adam@example.com", "Adam Noapp", with_app=False)
    enrolled = member("adela@example.com", "Adela In")
    service.enrol(enrolled, course)
    assert [c.email for c in enrolments.candidates(course, "ADA")] == ["ada@example.com"]
    assert enrolments.candidates(course, "") == [] and enrolments.candidates(course, {"$ne": 1}) == []
    assert [c.account_id for c in enrolments.candidates(course, "lovelace")] == [ada]


def test_enrolling_many_checks_each_has_the_app_and_logs_once(course):
    ada, grace = member("ada@example.com", "Ada"), member("grace@example.com", "Grace")
    outsider = member("out@example.com", "Out", with_app=False)
    with pytest.raises(FormErrors) as refused:
        enrolments.enrol_accounts(OWNER, course, [ada, outsider])
    assert "grant them the app" in refused.value.errors["accounts"] and rows(Enrolment) == []
    for bad in ([], "1", [True], ["1"], list(range(1, enrolments.MAX_SELECTED + 2))):
        with pytest.raises(FormErrors):
            enrolments.enrol_accounts(OWNER, course, bad)
    assert enrolments.enrol_accounts(OWNER, course, [ada, grace, ada]) == 2
    assert enrolments.enrol_accounts(OWNER, course, [ada]) == 0
    assert sorted(row.account_id for row in rows(Enrolment)) == [ada, grace]
    assert [entry.action for entry in rows(AuditEntry)] == ["courses.members_enrolled", "courses.members_enrolled"]


def test_enrol_everyone_with_the_app_then_unenrol_one(course):
    ada, grace = member("ada@example.com", "Ada"), member("grace@example.com", "Grace")
    member("out@example.com", "Out", with_app=False)
    assert enrolments.enrol_everyone(OWNER, course) == 2
    assert enrolments.enrol_everyone(OWNER, course) == 0
    service.complete_lesson(ada, course, "bread-1")
    assert enrolments.unenrol(OWNER, course, ada) is True
    assert enrolments.unenrol(OWNER, course, ada) is False
    assert [row.account_id for row in rows(Enrolment)] == [grace]
    # Progress stays, should they come back; the course is closed to them meanwhile.
    assert len(rows(LessonCompletion)) == 1
    with pytest.raises(LookupError):
        service.course_outline(ada, course)
    for bad in ("1", None, True):
        with pytest.raises(LookupError):
            enrolments.unenrol(OWNER, course, bad)


def test_everyone_means_every_account_when_the_business_gives_the_app_to_all(course):
    set_business(enabled_apps=["courses"], apps_for_everyone=["courses"])
    member("a@example.com", "A", with_app=False)
    member("b@example.com", "B", with_app=False)
    assert enrolments.enrol_everyone(OWNER, course) == 2


def test_the_csv_has_a_row_per_member_and_defuses_formulas(course):
    ada = member("ada@example.com", '=HYPERLINK("http://evil.example")')
    service.enrol(ada, course)
    service.complete_lesson(ada, course, "bread-1")
    table = list(csv.reader(io.StringIO(enrolments.progress_csv(course))))
    assert table[0] == list(enrolments.CSV_HEADER)
    assert table[1][0].startswith("'=") and table[1][1:2] == ["ada@example.com"]
    assert table[1][3:6] == ["1", "4", "25"]
    with pytest.raises(LookupError):
        enrolments.progress_csv("../etc")
