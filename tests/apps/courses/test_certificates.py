"""Certificates: one per person and course, the emails that go with it, the public lookup, the PDF and its route."""

from __future__ import annotations

import re
import threading
import zlib
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts.models import Account
from portal_app.apps.courses import building, certificates, routes, service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec
from portal_app.apps.courses.models import Certificate, Course
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile.models import Profile
from portal_app.timeline import service as activity
from tests.apps.courses.support import XSS_PAYLOADS, lessons, make_course
from tests.apps.support import add_account

CODE = re.compile(r"[A-Za-z0-9_-]{16}")
GREEK_NAME = "Σωκράτης Ελληνικός"


def make_certified_course(
    slug: str = "baking", title: str = "Baking basics", *, certificate: bool = True, **extra
) -> str:
    with db.write_session() as session:
        building.create_course(
            session,
            slug=slug,
            title=title,
            published=True,
            certificate_enabled=certificate,
            modules=extra.get("modules") or (ModuleSpec("Bread", lessons("bread", 2)),),
        )
    return slug


def finish(account_id: int, slug: str = "baking") -> service.Completion:
    """Mark every lesson of the course done, in order; the last completion."""
    outline = service.course_outline(account_id, slug)
    done = None
    for module in outline.modules:
        for item in module.lessons:
            done = service.complete_lesson(account_id, slug, item.slug)
    return done


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).order_by(model.id)))


def outbox() -> list[OutboxEmail]:
    return rows(OutboxEmail)


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="courses", limit=100).items]


def set_business(**fields) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        for name, value in fields.items():
            setattr(business, name, value)
        session.add(business)


def switch_emails(account_id: int, settings: dict[str, bool], now: datetime) -> None:
    with db.write_session() as session:
        session.add(Profile(account_id=account_id, email_notifications=settings, updated_at=now))


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


# --- issuing -------------------------------------------------------------------------------------------


def test_finishing_a_course_with_certificates_issues_one(ada, frozen_clock):
    make_certified_course()
    service.enrol(ada, "baking")
    assert service.complete_lesson(ada, "baking", "bread-1").certificate_code is None
    assert rows(Certificate) == []
    done = service.complete_lesson(ada, "baking", "bread-2")
    assert done.course_completed is True and CODE.fullmatch(done.certificate_code)

    [issued] = rows(Certificate)
    assert (issued.code, issued.account_id, issued.recipient_name) == (done.certificate_code, ada, "Ada Lovelace")
    assert (issued.course_title, issued.business_name, issued.issued_at) == (
        "Baking basics",
        "Test Business",
        frozen_clock.current,
    )
    assert kinds(ada) == [
        "certificate_issued",
        "course_completed",
        "lesson_completed",
        "lesson_completed",
        "course_enrolled",
    ]
    assert activity.timeline(ada, app_key="courses").items[0].label == "Certificate issued"

    # Marking a lesson again issues nothing more.
    assert service.complete_lesson(ada, "baking", "bread-2").certificate_code is None
    assert len(rows(Certificate)) == 1 and kinds(ada).count("certificate_issued") == 1


def test_every_certificate_gets_its_own_code(database, frozen_clock):
    make_certified_course()
    make_certified_course("cakes", "Cakes")
    codes = set()
    for n in range(3):
        account = add_account(f"member{n}@example.com", f"Member {n}")
        for slug in ("baking", "cakes"):
            service.enrol(account, slug)
            codes.add(finish(account, slug).certificate_code)
    assert len(codes) == 6 and all(CODE.fullmatch(code) for code in codes)
    assert {row.code for row in rows(Certificate)} == codes


def test_a_course_without_certificates_issues_none(ada):
    make_certified_course(certificate=False)
    service.enrol(ada, "baking")
    done = finish(ada)
    assert (done.course_completed, done.certificate_code) == (True, None)
    assert rows(Certificate) == []
    assert "certificate_issued" not in kinds(ada)
    assert [email.template for email in outbox()] == ["courses:enrolled"]
    [card] = service.my_courses(ada)
    assert (card.completed, card.certificate_code) == (True, None)
    assert service.my_certificates(ada) == []


def test_passing_the_last_quiz_issues_the_certificate(ada):
    quiz = LessonSpec(
        "final",
        "Final quiz",
        kind="quiz",
        questions=(QuestionSpec("Ready?", (ChoiceSpec("Yes", correct=True), ChoiceSpec("No"))),),
    )
    make_certified_course(modules=(ModuleSpec("Bread", (LessonSpec("read", "Read", "x"), quiz)),))
    service.enrol(ada, "baking")
    service.complete_lesson(ada, "baking", "read")
    view = service.lesson_view(ada, "baking", "final").quiz
    [question] = view.questions
    yes = next(choice.id for choice in question.choices if choice.text == "Yes")
    submitted = service.submit_quiz(ada, "baking", "final", {str(question.id): [yes]})
    assert submitted.course_completed is True and CODE.fullmatch(submitted.certificate_code)
    assert [row.code for row in rows(Certificate)] == [submitted.certificate_code]


def test_the_last_two_lessons_marked_at_once_issue_one_certificate(shared_database):
    account = add_account()
    make_certified_course(modules=(ModuleSpec("Bread", lessons("bread", 3)),))
    service.enrol(account, "baking")
    service.complete_lesson(account, "baking", "bread-1")
    barrier = threading.Barrier(4)
    results: list = []

    def mark(slug):
        barrier.wait()
        results.append(service.complete_lesson(account, "baking", slug))

    threads = [threading.Thread(target=mark, args=(slug,)) for slug in ("bread-2", "bread-3") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4
    codes = [result.certificate_code for result in results if result.certificate_code]
    assert len(codes) == 1 and [row.code for row in rows(Certificate)] == codes
    assert kinds(account).count("certificate_issued") == 1
    assert [email.template for email in outbox()].count("courses:certificate_issued") == 1


# --- emails --------------------------------------------------------------------------------------------


def test_enrolling_and_earning_a_certificate_each_send_one_email(ada):
    make_certified_course()
    service.enrol(ada, "baking")
    service.enrol(ada, "baking")
    [enrolled] = outbox()
    assert (enrolled.to_email, enrolled.template, enrolled.subject) == (
        "ada@example.com",
        "courses:enrolled",
        "You're enrolled: Baking basics",
    )
    assert "http://localhost:3000/apps/courses/baking" in enrolled.text_body

    code = finish(ada).certificate_code
    enrolled, issued = outbox()
    assert (issued.to_email, issued.template, issued.subject) == (
        "ada@example.com",
        "courses:certificate_issued",
        "Your certificate: Baking basics",
    )
    assert f"http://localhost:3000/certificates/{code}" in issued.text_body
    assert "Hi Ada Lovelace" in issued.text_body and "on 15 January 2026" in issued.text_body
    assert f"/certificates/{code}" in issued.html_body


def test_enrolling_in_a_draft_sends_no_email(ada):
    make_course(published=False)
    assert service.enrol(ada, "baking") is True
    assert outbox() == []


def test_someone_who_switched_course_emails_off_gets_the_certificate_without_emails(ada, frozen_clock):
    switch_emails(ada, {"courses": False}, frozen_clock.current)
    make_certified_course()
    service.enrol(ada, "baking")
    code = finish(ada).certificate_code
    assert CODE.fullmatch(code) and len(rows(Certificate)) == 1
    assert "certificate_issued" in kinds(ada)
    assert outbox() == []


def test_switching_another_apps_emails_off_keeps_course_emails(ada, frozen_clock):
    switch_emails(ada, {"notes": False, "courses": True}, frozen_clock.current)
    make_certified_course()
    service.enrol(ada, "baking")
    finish(ada)
    assert [email.template for email in outbox()] == ["courses:enrolled", "courses:certificate_issued"]


def test_an_html_looking_course_title_is_escaped_in_the_email(ada):
    make_certified_course(title="<img src=x onerror=alert(1)> Baking")
    service.enrol(ada, "baking")
    finish(ada)
    for email in outbox():
        assert "<img src=x" not in email.html_body
        assert "&lt;img src=x onerror=alert(1)&gt; Baking" in email.html_body


# --- looking a certificate up --------------------------------------------------------------------------


def test_anyone_with_the_code_sees_name_course_business_and_date(ada):
    make_certified_course()
    service.enrol(ada, "baking")
    code = finish(ada).certificate_code
    assert certificates.certificate(code) == certificates.CertificateView(
        code=code,
        recipient_name="Ada Lovelace",
        course_title="Baking basics",
        business_name="Test Business",
        issued_on="15 January 2026",
    )


def test_the_date_is_the_business_calendar_day(ada, frozen_clock):
    set_business(time_zone="Pacific/Auckland")
    frozen_clock.current = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    make_certified_course()
    service.enrol(ada, "baking")
    code = finish(ada).certificate_code
    # 23:30 UTC on 15 January is 12:30 on 16 January in Auckland.
    assert certificates.certificate(code).issued_on == "16 January 2026"
    assert "on 16 January 2026" in outbox()[-1].text_body
    assert service.my_certificates(ada)[0].issued_on == "16 January 2026"


def test_a_certificate_reads_the_same_after_renames(ada):
    make_certified_course()
    service.enrol(ada, "baking")
    code = finish(ada).certificate_code
    with db.write_session() as session:
        session.exec(select(Course).where(Course.slug == "baking")).one().title = "Advanced baking"
        session.get(Account, ada).full_name = "Ada King"
        session.get(Business, BUSINESS_ID).name = "Renamed Ltd"
    view = certificates.certificate(code)
    assert (view.recipient_name, view.course_title, view.business_name) == (
        "Ada Lovelace",
        "Baking basics",
        "Test Business",
    )


BAD_CODES = {
    "none": None,
    "int": 1234567890123456,
    "list": ["abcdefghijklmnop"],
    "empty": "",
    "short": "abcdefghijklmno",
    "long": "abcdefghijklmnopq",
    "slash": "abcdefgh/ijklmnop",
    "dots": "..%2f..%2fetc%2fpw",
    "space": "abcdefgh ijklmnop",
    "newline": "abcdefghijklmnop\n",
    "nul": "abcdefghijklmno\x00",
    "sql": "' OR 1=1 --abcde",
    "non-ascii": "abcdefghijklmnoé",
    "wildcard": "%%%%%%%%%%%%%%%%",
    "underscore-like": "________________",
}


@pytest.mark.parametrize("code", BAD_CODES.values(), ids=BAD_CODES.keys())
def test_unknown_or_malformed_codes_find_nothing(ada, code):
    make_certified_course()
    service.enrol(ada, "baking")
    finish(ada)
    with pytest.raises(LookupError):
        certificates.certificate(code)


def test_a_well_formed_code_that_was_never_issued_finds_nothing(ada):
    make_certified_course()
    service.enrol(ada, "baking")
    code = finish(ada).certificate_code
    other = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(LookupError):
        certificates.certificate(other)
    with pytest.raises(LookupError):
        certificates.certificate(code.swapcase() if code.swapcase() != code else "Z" * 16)


# --- My courses, the outline, the export ---------------------------------------------------------------


def test_my_courses_and_my_certificates_list_the_certificate(ada, frozen_clock):
    make_certified_course()
    make_certified_course("cakes", "Cakes")
    service.enrol(ada, "baking")
    service.enrol(ada, "cakes")
    first = finish(ada).certificate_code
    frozen_clock.advance(days=3)
    second = finish(ada, "cakes").certificate_code
    assert {card.slug: card.certificate_code for card in service.my_courses(ada)} == {"baking": first, "cakes": second}
    assert service.course_outline(ada, "baking").certificate_code == first
    assert service.my_certificates(ada) == [
        certificates.MyCertificate("Cakes", second, "18 January 2026"),
        certificates.MyCertificate("Baking basics", first, "15 January 2026"),
    ]
    grace = add_account("grace@example.com", "Grace Hopper")
    assert service.my_certificates(grace) == []


def test_the_export_holds_quiz_attempts_and_certificates(ada, frozen_clock):
    quiz = LessonSpec(
        "final",
        "Final quiz",
        kind="quiz",
        questions=(QuestionSpec("Ready?", (ChoiceSpec("Yes", correct=True), ChoiceSpec("No"))),),
        max_attempts=3,
    )
    make_certified_course(modules=(ModuleSpec("Bread", (LessonSpec("read", "Read", "x"), quiz)),))
    service.enrol(ada, "baking")
    service.complete_lesson(ada, "baking", "read")
    [question] = service.lesson_view(ada, "baking", "final").quiz.questions
    yes, no = (choice.id for choice in question.choices)
    first_try = frozen_clock.current
    service.submit_quiz(ada, "baking", "final", {str(question.id): [no]})
    frozen_clock.advance(hours=1)
    code = service.submit_quiz(ada, "baking", "final", {str(question.id): [yes]}).certificate_code
    exported = service.export(ada)
    assert exported["quiz_attempts"] == [
        {
            "course": "baking",
            "lesson": "final",
            "score_percent": 0,
            "passed": False,
            "submitted_at": first_try.isoformat(),
        },
        {
            "course": "baking",
            "lesson": "final",
            "score_percent": 100,
            "passed": True,
            "submitted_at": frozen_clock.current.isoformat(),
        },
    ]
    assert exported["certificates"] == [
        {
            "code": code,
            "course": "Baking basics",
            "name": "Ada Lovelace",
            "business": "Test Business",
            "issued_at": frozen_clock.current.isoformat(),
        }
    ]
    grace = add_account("grace@example.com", "Grace Hopper")
    assert (service.export(grace)["quiz_attempts"], service.export(grace)["certificates"]) == ([], [])


# --- the PDF -------------------------------------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}


def _stream(body: bytes) -> bytes | None:
    found = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
    if found is None:
        return None
    return zlib.decompress(found.group(1)) if b"/FlateDecode" in body[: found.start()] else found.group(1)


def _unescape(raw: bytes) -> bytes:
    """A PDF literal string's bytes (backslash escapes undone)."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match: re.Match) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return simple.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_text(pdf: bytes) -> str:
    """The text a PDF reader shows, line by line: each Tj string decoded through its font's ToUnicode map
    (fpdf2 embeds TrueType fonts as two-byte glyph ids) or as Latin-1 for the built-in fonts."""
    objects = _objects(pdf)
    maps: dict[str, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            cmap: dict[int, str] = {}
            if to_unicode:
                text = _stream(objects[int(to_unicode.group(1))]).split(b"endcodespacerange")[1]
                for code, unicode in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", text):
                    cmap[int(code, 16)] = bytes.fromhex(unicode.decode()).decode("utf-16-be")
            maps[name.decode()] = cmap
    shown = []
    for body in objects.values():
        content = _stream(body)
        if content is None or b" Tj" not in content:
            continue
        font = None
        for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            if match.group(1):
                font = match.group(1).decode()
                continue
            raw = _unescape(match.group(2))
            cmap = maps.get(font, {})
            if cmap:
                shown.append(
                    "".join(cmap.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2))
                )
            else:
                shown.append(raw.decode("latin-1"))
    return "\n".join(shown)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def view(name: str = "Ada Lovelace", course: str = "Baking basics", business: str = "Test Business"):
    return certificates.CertificateView("AbCdEfGh-_123456", name, course, business, "15 January 2026")


VERIFY = "http://localhost:3000/certificates/AbCdEfGh-_123456"


def test_the_pdf_is_one_page_with_everything_a_reader_checks():
    pdf = certificates.certificate_pdf(view(), VERIFY)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1 and re.search(rb"/Count 1\b", pdf)
    assert pdf_text(pdf).splitlines() == [
        "TEST BUSINESS",
        "Certificate of Completion",
        "This certifies that",
        "Ada Lovelace",
        "completed the course",
        "Baking basics",
        "on 15 January 2026",
        f"Certificate AbCdEfGh-_123456. Check it at {VERIFY}",
    ]
    assert b"/Title (Certificate: Baking basics)" in pdf and b"/Author (Test Business)" in pdf


def test_the_pdf_writes_a_greek_name_as_it_is():
    pdf = certificates.certificate_pdf(view(GREEK_NAME, "Ελληνική αρτοποιία", "Φούρνος Αθηνών"), VERIFY)
    assert page_count(pdf) == 1
    lines = pdf_text(pdf).splitlines()
    assert lines[0] == "ΦΟΎΡΝΟΣ ΑΘΗΝΏΝ" and lines[3] == GREEK_NAME and lines[5] == "Ελληνική αρτοποιία"


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_the_pdf_draws_an_html_looking_name_as_plain_text(payload):
    pdf = certificates.certificate_pdf(view(payload, payload), VERIFY)
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 1
    assert b"/JavaScript" not in pdf and b"/JS" not in pdf and b"/URI" not in pdf
    # Long names wrap onto several lines: compare without the spaces and line breaks.
    assert re.sub(r"\s", "", payload) in re.sub(r"\s", "", pdf_text(pdf))


def test_a_very_long_name_and_title_stay_on_one_page():
    pdf = certificates.certificate_pdf(view("Wolfeschlegelsteinhausen " * 8, "Sourdough " * 20, "B" * 200), VERIFY)
    assert page_count(pdf) == 1


def test_an_empty_name_reads_a_member():
    assert pdf_text(certificates.certificate_pdf(view(""), VERIFY)).splitlines()[3] == "A member"


def test_without_dejavu_the_pdf_falls_back_to_latin_1(monkeypatch, tmp_path):
    monkeypatch.setattr(certificates, "FONT_FOLDER", tmp_path)
    pdf = certificates.certificate_pdf(view(f"Zoë {GREEK_NAME}"), VERIFY)
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 1
    assert b"DejaVu" not in pdf
    assert pdf_text(pdf).splitlines()[3] == "Zoë ???????? ?????????"


# --- the PDF route -------------------------------------------------------------------------------------


def client() -> TestClient:
    return TestClient(Starlette(routes=routes.routes()), base_url="http://localhost:3000")


def test_the_pdf_route_downloads_the_certificate(database, frozen_clock):
    account = add_account(full_name=GREEK_NAME)
    make_certified_course()
    service.enrol(account, "baking")
    code = finish(account).certificate_code
    response = client().get(f"/certificates/{code}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="certificate-{code}.pdf"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith(b"%PDF-") and page_count(response.content) == 1
    text = pdf_text(response.content)
    assert GREEK_NAME in text.splitlines()
    assert f"Certificate {code}. Check it at http://localhost:3000/certificates/{code}" in text


@pytest.mark.parametrize(
    "path",
    [
        "/certificates/AAAAAAAAAAAAAAAA.pdf",
        "/certificates/short.pdf",
        "/certificates/AAAAAAAAAAAAAAAAA.pdf",
        "/certificates/..%2F..%2Fetc%2Fpasswd.pdf",
        "/certificates/%00AAAAAAAAAAAAAAA.pdf",
        "/certificates/AAAAAAAA%20AAAAAAA.pdf",
        "/certificates/.pdf",
    ],
)
def test_the_pdf_route_is_404_for_unknown_and_malformed_codes(database, frozen_clock, path):
    account = add_account()
    make_certified_course()
    service.enrol(account, "baking")
    finish(account)
    response = client().get(path)
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_the_pdf_route_only_answers_get(database, frozen_clock):
    account = add_account()
    make_certified_course()
    service.enrol(account, "baking")
    code = finish(account).certificate_code
    assert client().post(f"/certificates/{code}.pdf").status_code == 405
