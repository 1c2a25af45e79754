"""Membership Courses in the browser: enrol -> My courses -> course -> lesson -> Mark complete -> progress;
drip, a quiz failed then passed, the certificate opened signed out with its PDF; and hostile lesson
text that stays inert (no dialog, no script or event attribute in the page)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.apps.courses import service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec
from portal_app.apps.courses.models import Enrolment
from portal_app.kernel import db
from tests.apps.courses.support import XSS_PAYLOADS, make_course
from tests.e2e.support import HOME, create_account, give_phone, log_in, new_email
from tests.e2e.test_accessibility import assert_no_violations


def _member(page: Page, name: str) -> int:
    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name, apps=("courses",))
    give_phone(account_id)
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return account_id


def test_enrol_open_a_lesson_mark_it_complete_and_see_progress(page: Page, portal_url):
    slug = f"baking-{secrets.token_hex(4)}"
    make_course(slug, title=f"Baking {slug[-8:]}")
    account_id = _member(page, "Cal Course")
    service.enrol(account_id, slug)

    page.goto("/apps/courses")
    course = page.get_by_role("listitem").filter(has_text=f"Baking {slug[-8:]}")
    expect(course.get_by_text("0 of 4 lessons done")).to_be_visible()
    assert_no_violations(page, "My courses")
    course.get_by_role("link", name=re.compile(r"^Start: ")).click()
    page.wait_for_url(re.compile(rf".*/apps/courses/{slug}/bread-1/?$"))
    expect(page.get_by_role("heading", name="Bread 1", level=1)).to_be_visible()
    expect(page.get_by_text("Lesson 1 of 4")).to_be_visible()
    assert_no_violations(page, "a lesson")

    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Lesson marked complete.")).to_be_visible()
    expect(page.get_by_role("heading", name="Up next")).to_be_visible()
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)
    page.get_by_role("link", name="Bread 2").first.click()
    page.wait_for_url(re.compile(rf".*/apps/courses/{slug}/bread-2/?$"))
    expect(page.get_by_role("heading", name="Bread 2", level=1)).to_be_visible()

    page.get_by_role("link", name=f"Baking {slug[-8:]}").click()
    page.wait_for_url(re.compile(rf".*/apps/courses/{slug}/?$"))
    expect(page.get_by_text("1 of 4 lessons done")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Course progress")).to_have_attribute("aria-valuenow", "25")
    expect(page.get_by_role("link", name="Resume")).to_have_attribute("href", f"/apps/courses/{slug}/bread-2")
    assert_no_violations(page, "a course")

    page.goto("/apps/courses")
    expect(page.get_by_text("1 of 4 lessons done")).to_be_visible()
    page.goto("/")
    expect(page.get_by_text("1 course in progress")).to_be_visible()


def test_a_course_not_open_to_the_member_says_so(page: Page, portal_url):
    slug = f"closed-{secrets.token_hex(4)}"
    make_course(slug, title="Closed course")
    _member(page, "Nia Noaccess")
    page.goto(f"/apps/courses/{slug}/bread-1")
    expect(page.get_by_role("heading", name="That lesson is not open to you")).to_be_visible()
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)


def test_hostile_lesson_text_is_inert_in_the_browser(page: Page, portal_url):
    slug = f"xss-{secrets.token_hex(4)}"
    body = "Before the payloads.\n\n" + "\n\n".join(XSS_PAYLOADS.values()) + "\n\nAfter the payloads."
    make_course(
        slug, title="Hostile course", for_everyone=True, modules=(ModuleSpec("M", (LessonSpec("x", "X", body),)),)
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _member(page, "Xia Xss")
    page.goto(f"/apps/courses/{slug}/x")
    expect(page.get_by_text("After the payloads.")).to_be_visible()
    # The raw HTML shows as text.
    expect(page.get_by_text("<img src=x onerror=alert(1)>")).to_be_visible()
    for link in page.locator(".lesson-body a").all():
        link.click(timeout=2000, no_wait_after=True)
    page.wait_for_timeout(1000)
    assert dialogs == []
    body_html = page.locator(".lesson-body").inner_html()
    assert page.locator(".lesson-body script, .lesson-body iframe, .lesson-body svg, .lesson-body style").count() == 0
    assert page.locator(".lesson-body [onerror], .lesson-body [onload], .lesson-body [srcdoc]").count() == 0
    for href in page.locator(".lesson-body a[href], .lesson-body img[src]").evaluate_all(
        "nodes => nodes.map(node => node.getAttribute('href') || node.getAttribute('src'))"
    ):
        assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), body_html
    assert page.evaluate("[...document.scripts].some(script => script.textContent.includes('alert(1)'))") is False


def _quiz_course(slug: str) -> None:
    quiz = LessonSpec(
        "check",
        "Quick check",
        "Two questions.",
        kind="quiz",
        pass_percent=100,
        max_attempts=3,
        show_answers=True,
        questions=(
            QuestionSpec("Flour or sand?", (ChoiceSpec("Flour", True), ChoiceSpec("Sand"))),
            QuestionSpec(
                "Which rise? <img src=x onerror=alert(1)>",
                (ChoiceSpec("Bread", True), ChoiceSpec("Brioche", True), ChoiceSpec("Rock")),
                multiple=True,
            ),
        ),
    )
    make_course(
        slug,
        title=f"Quiz course {slug[-8:]}",
        certificate_enabled=True,
        modules=(
            ModuleSpec("Basics", (LessonSpec("knead", "Kneading", "Knead for ten minutes."), quiz)),
            ModuleSpec("Later", (LessonSpec("patience", "Patience", "Wait a day."),), unlock_after_days=3),
        ),
    )


def _enrolled_days_ago(account_id: int, days: int) -> None:
    """Travel in time: the enrolment happened `days` ago (drip counts from it)."""
    with db.write_session() as session:
        for enrolment in session.exec(select(Enrolment).where(Enrolment.account_id == account_id)):
            enrolment.enrolled_at -= timedelta(days=days)
            session.add(enrolment)


def test_drip_then_quiz_fail_and_pass_then_a_certificate_anyone_can_check(page: Page, portal_url):
    slug = f"quiz-{secrets.token_hex(4)}"
    _quiz_course(slug)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    account_id = _member(page, "Quinn Quiz")
    service.enrol(account_id, slug)

    # Drip: the last module waits three days after enrolment, on the course page and at its own address.
    page.goto(f"/apps/courses/{slug}")
    expect(page.get_by_text(re.compile(r"^Unlocks \d+ \w+, in 3 days$"))).to_be_visible()
    expect(page.get_by_role("link", name="Patience")).to_have_count(0)
    page.goto(f"/apps/courses/{slug}/patience")
    expect(page.get_by_role("heading", name="This lesson is not open yet")).to_be_visible()
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)

    page.goto(f"/apps/courses/{slug}/knead")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Lesson marked complete.")).to_be_visible()

    # The quiz: a wrong answer first, marked as such, then a pass.
    page.goto(f"/apps/courses/{slug}/check")
    expect(page.get_by_text("Pass mark 100%. 3 of 3 attempts left.")).to_be_visible()
    expect(page.get_by_text("<img src=x onerror=alert(1)>", exact=False)).to_be_visible()
    page.get_by_label("Flour").check()
    page.get_by_label("Bread", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Not passed yet. You scored 50% (1 of 2 right).", exact=False)).to_be_visible()
    expect(page.get_by_text("Wrong in your last attempt")).to_have_count(1)
    expect(page.get_by_text("Pass mark 100%. 2 of 3 attempts left.")).to_be_visible()
    assert_no_violations(page, "a quiz")
    page.get_by_label("Flour").check()
    page.get_by_label("Bread", exact=True).check()
    page.get_by_label("Brioche").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed. You scored 100% (2 of 2 right).")).to_be_visible()
    expect(page.get_by_role("button", name="Submit answers")).to_have_count(0)

    # Three days later the last lesson opens; finishing it completes the course and issues the certificate.
    _enrolled_days_ago(account_id, 3)
    page.goto(f"/apps/courses/{slug}/patience")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text(f"You completed Quiz course {slug[-8:]}", exact=False)).to_be_visible()
    page.get_by_role("link", name="See your certificate").click()
    page.wait_for_url(re.compile(r".*/certificates/[A-Za-z0-9_-]{16}/?$"))
    certificate_url = page.url
    page.goto("/apps/courses")
    expect(page.get_by_role("link", name=f"Certificate for Quiz course {slug[-8:]}")).to_be_visible()
    page.goto("/")
    expect(page.get_by_text("Certificate issued", exact=False).first).to_be_visible()
    assert dialogs == []

    # Anyone with the link, signed out, sees it and downloads the PDF.
    stranger = page.context.browser.new_context(base_url=portal_url)
    try:
        visitor = stranger.new_page()
        visitor.goto(certificate_url)
        expect(visitor.get_by_role("heading", name="Quinn Quiz")).to_be_visible()
        expect(visitor.get_by_role("heading", name=f"Quiz course {slug[-8:]}")).to_be_visible()
        assert_no_violations(visitor, "a certificate")
        with visitor.expect_download() as download:
            visitor.get_by_role("button", name="Download PDF").click()
        path = download.value.path()
        assert open(path, "rb").read(5) == b"%PDF-"
        assert download.value.suggested_filename.endswith(".pdf")
    finally:
        stranger.close()
