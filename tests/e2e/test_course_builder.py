"""The owner builds a course in the admin and a member sees it; an instructor builds one from the portal;
bad input gets its message beside the field; hostile titles and lesson text stay inert."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from portal_app.apps import grants
from portal_app.kernel import db
from tests.e2e.support import HOME, admin_log_in, create_account, create_owner, give_phone, log_in, new_email
from tests.e2e.test_accessibility import assert_no_violations

HOSTILE = "<img src=x onerror=alert(1)>"
HTML = b"<!doctype html><script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def page_cover_url(member: Page, title: str) -> str:
    """The cover's address as My courses shows it."""
    member.goto("/apps/courses")
    card = member.get_by_role("listitem").filter(has_text=title)
    return card.locator("img").first.get_attribute("src")


def _member(browser, base_url: str, name: str, *, role: str | None = None) -> tuple[Page, int, str]:
    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name)
    give_phone(account_id)
    with db.write_session() as session:
        grants.grant_app(session, account_id=account_id, app_key="courses", role=role)
    page = browser.new_context(base_url=base_url).new_page()
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return page, account_id, email


def test_the_owner_builds_a_course_and_a_member_sees_it(page: Page, base_url: str, browser):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    owner = new_email("builder")
    create_owner(owner)
    member, _, member_email = _member(browser, base_url, "Mia Member")
    member.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    title = f"Sourdough {secrets.token_hex(3)} {HOSTILE}"

    admin_log_in(page, base_url, owner)
    page.goto("/admin/apps/courses")
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_text("Give it a title.")).to_be_visible()
    page.get_by_label("New course title").fill(title)
    page.get_by_role("button", name="Create course").click()
    page.wait_for_url(re.compile(r".*/admin/apps/courses/sourdough-[0-9a-f]{6}-img-src-x-onerror-alert-1/?$"))
    slug = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    assert_no_violations(page, "the course editor")

    # A bad address is refused beside its field, and nothing is saved.
    page.get_by_label("Course address").fill("Not A Slug")
    page.get_by_label("Description").fill("Bake bread at home.")
    page.get_by_role("button", name="Save course").click()
    expect(page.locator("#slug-error")).to_have_text("Use 1-80 lower-case letters, digits or hyphens.")
    page.reload()
    expect(page.get_by_label("Description")).to_have_value("")
    page.get_by_label("Description").fill("Bake bread at home.")
    page.get_by_role("button", name="Save course").click()
    expect(page.get_by_text("Course saved.")).to_be_visible()

    # A lesson, with Markdown previewed exactly as members will see it.
    page.get_by_label("New lesson title").fill("Feeding the starter")
    page.get_by_role("button", name="Add lesson").click()
    page.wait_for_url(re.compile(rf".*/admin/apps/courses/{slug}/lessons/feeding-the-starter/?$"))
    body = page.get_by_label("Lesson text (Markdown)")
    body.fill(f"## Every day\n\nFeed it **flour** and water.\n\n{HOSTILE}\n\n[x](javascript:alert(1))")
    body.blur()
    preview = page.locator(".lesson-preview")
    expect(preview.get_by_role("heading", name="Every day")).to_be_visible()
    expect(preview.get_by_text(HOSTILE)).to_be_visible()
    page.get_by_label("Video address").fill("https://evil.example/watch?v=abc")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.locator("#video_url-error")).to_contain_text("Paste a YouTube or Vimeo address")
    page.get_by_label("Video address").fill("https://youtu.be/aqz-KE-bpKQ")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_text("Lesson saved.")).to_be_visible()
    assert_no_violations(page, "the lesson editor")

    # Files: a page of HTML posing as a PDF is refused beside its picker; a real PDF is attached.
    attachments = page.locator("#attachment-upload input[type=file]")
    attachments.set_input_files(files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": HTML}])
    page.get_by_role("button", name="Attach file").click()
    expect(page.locator("#attachment-upload-error")).to_contain_text("That kind of file is not taken here.")
    attachments.set_input_files(files=[{"name": "starter notes.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_text("File attached.")).to_be_visible()
    expect(page.get_by_role("list", name="Attached files").get_by_text("starter notes.pdf")).to_be_visible()

    # A quiz: a question without a right answer is refused with its line, then a good one is kept.
    page.get_by_role("link", name="← Back to the course").click()
    page.get_by_label("New lesson title").fill("Starter check")
    page.get_by_label("Kind").select_option("quiz")
    page.get_by_role("button", name="Add lesson").click()
    page.wait_for_url(re.compile(r".*/lessons/starter-check/?$"))
    page.get_by_label("Questions").fill("Q: Flour or sand?\n[ ] Flour\n[ ] Sand")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.locator("#quiz_text-error")).to_contain_text("Question on line 1: Mark the right answer")
    page.get_by_label("Questions").fill("Q: Flour or sand?\n[x] Flour\n[ ] Sand")
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_text("Lesson saved.")).to_be_visible()

    page.get_by_role("link", name="← Back to the course").click()
    # Order and deletion: the quiz moves above the first lesson, and a stray lesson goes after asking.
    page.get_by_role("button", name="Move up: Starter check").click()
    lessons = page.get_by_role("listitem").filter(has=page.get_by_role("button", name=re.compile("^Move up: ")))
    expect(lessons.first).to_contain_text("Starter check")
    page.get_by_label("New lesson title").first.fill("Stray lesson")
    page.get_by_role("button", name="Add lesson").first.click()
    page.wait_for_url(re.compile(r".*/lessons/stray-lesson/?$"))
    page.get_by_role("link", name="← Back to the course").click()
    page.get_by_role("button", name="Delete: Stray lesson").click()
    page.get_by_role("button", name="Keep it").click()
    expect(page.get_by_role("link", name="Stray lesson")).to_be_visible()
    page.get_by_role("button", name="Delete: Stray lesson").click()
    page.get_by_role("button", name="Delete lesson").click()
    expect(page.get_by_text("Lesson deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Stray lesson")).to_have_count(0)
    page.locator("#cover-upload input[type=file]").set_input_files(
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Upload cover").click()
    expect(page.get_by_text("Cover uploaded.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: members with access see it now.")).to_be_visible()

    # Enrol the member by searching for them.
    page.get_by_role("link", name="Members and progress").click()
    page.get_by_label("Find people with the app").fill(member_email)
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile(r"^Mia Member")).check()
    page.get_by_role("button", name="Enrol selected").click()
    expect(page.get_by_text("Enrolled 1 person.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^Mia Member"))).to_be_visible()
    expect(page.get_by_role("button", name="Unenrol Mia Member")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download progress (CSV)").click()
    assert open(download.value.path(), encoding="utf-8").read().startswith("name,email,enrolled_at")

    member.goto("/apps/courses")
    member.get_by_role("link", name=title, exact=True).click()
    expect(member.get_by_role("link", name="Feeding the starter")).to_be_visible()
    member.get_by_role("link", name="Feeding the starter").click()
    expect(member.get_by_role("heading", name="Every day")).to_be_visible()
    expect(member.locator("iframe[src='https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ']")).to_have_count(1)
    assert member.locator(".lesson-body [onerror], .lesson-body script").count() == 0
    with member.expect_download() as download:
        member.get_by_role("button", name="Download starter notes.pdf").click()
    assert open(download.value.path(), "rb").read() == PDF
    cover = member.context.request.get(page_cover_url(member, title))
    assert cover.status == 200 and cover.headers["content-type"] == "image/png"
    assert dialogs == []
    member.context.close()


def test_an_instructor_builds_from_the_portal_and_a_member_may_not(base_url: str, browser):
    instructor, _, _ = _member(browser, base_url, "Ian Instructor", role="instructor")
    instructor.goto("/apps/courses")
    instructor.get_by_role("link", name="Course builder").click()
    instructor.wait_for_url(re.compile(r".*/apps/courses/teach/?$"))
    instructor.get_by_label("New course title").fill(f"Rye {secrets.token_hex(3)}")
    instructor.get_by_role("button", name="Create course").click()
    instructor.wait_for_url(re.compile(r".*/apps/courses/teach/rye-[0-9a-f]{6}/?$"))
    expect(instructor.get_by_role("heading", name=re.compile(r"^Rye "), level=1)).to_be_visible()
    instructor.context.close()

    member, _, _ = _member(browser, base_url, "Max Member")
    member.goto("/apps/courses")
    expect(member.get_by_role("heading", name="Membership Courses")).to_be_visible()
    expect(member.get_by_role("link", name="Course builder")).to_have_count(0)
    member.goto("/apps/courses/teach")
    expect(member.get_by_role("heading", name="You do not have access to Membership Courses")).to_be_visible()
    expect(member.get_by_label("New course title")).to_have_count(0)
    member.context.close()
