"""Certificates: issued once per person and course when every lesson of a course that has them is done.

A certificate is public to whoever has its code (the link /certificates/<code>, which anyone can open,
signed out too, to check it): it shows the name, the course, the date and the business, copied at
issue time. The PDF is drawn on the server with fpdf2.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF
from sqlmodel import Session, select

from portal_app.accounts.models import Account
from portal_app.apps.courses.models import Certificate, Course
from portal_app.apps.notify import notify
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.timeline import service as activity

APP_KEY = "courses"
CERTIFICATES_ROUTE = "/certificates"
# 16 URL-safe characters (96 random bits): unguessable, short enough to read out.
CODE_BYTES = 12
_CODE = re.compile(r"[A-Za-z0-9_-]{16}")
# DejaVu covers Latin, Greek and Cyrillic names (Debian's fonts-dejavu-core, which scripts/setup.sh installs);
# without it the PDF falls back to the built-in Helvetica, which only has Latin-1.
FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")


def is_code(value: object) -> bool:
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


def issue(session: Session, account_id: int, course: Course, now: datetime, time_zone: str) -> str | None:
    """Issue the account's certificate for `course` inside the caller's transaction, when the course has
    certificates; the code (None when it has none, or when one was issued before)."""
    if not course.certificate_enabled:
        return None
    account = session.get(Account, account_id)
    business = session.get(Business, BUSINESS_ID)
    code = secrets.token_urlsafe(CODE_BYTES)
    inserted = db.insert_if_absent(
        session,
        Certificate,
        key={"account_id": account_id, "course_id": course.id},
        values={
            "code": code,
            "recipient_name": (account.full_name if account else "") or "",
            "course_title": course.title,
            "business_name": business.name if business else "",
            "issued_at": now,
            "issued_on": clock.local_date(now, time_zone),
        },
    )
    if not inserted:
        return None
    activity.record(
        session, account_id=account_id, app_key=APP_KEY, kind="certificate_issued", summary=course.title, at=now
    )
    notify(
        session,
        account_id,
        APP_KEY,
        "certificate_issued",
        {
            "course_title": course.title,
            "certificate_path": f"{CERTIFICATES_ROUTE}/{code}",
            "issued_on": _long_date(clock.local_date(now, time_zone)),
        },
    )
    return code


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class CertificateView:
    code: str
    recipient_name: str
    course_title: str
    business_name: str
    # "4 December 2026", in the business's time zone.
    issued_on: str


def certificate(code: object) -> CertificateView:
    """The certificate with this code, for anyone who has it; LookupError for any other code."""
    if not is_code(code):
        raise LookupError("not a certificate code")
    with db.read_session() as session:
        row = session.exec(select(Certificate).where(Certificate.code == code)).first()
    if row is None:
        raise LookupError("no such certificate")
    return CertificateView(
        code=row.code,
        recipient_name=row.recipient_name,
        course_title=row.course_title,
        business_name=row.business_name,
        issued_on=_long_date(row.issued_on),
    )


@dataclass(frozen=True)
class MyCertificate:
    course_title: str
    code: str
    issued_on: str


def my_certificates(session: Session, account_id: int) -> list[MyCertificate]:
    """The account's certificates, newest first (My courses lists them)."""
    rows = session.exec(
        select(Certificate.course_title, Certificate.code, Certificate.issued_on)
        .where(Certificate.account_id == account_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    return [MyCertificate(title, code, _long_date(day)) for title, code, day in rows]


# --- the PDF -----------------------------------------------------------------------------------------------


def _fonts(pdf: FPDF) -> tuple[str, str]:
    """(serif family, sans family): DejaVu when the machine has it, else the PDF's built-in fonts."""
    serif, serif_bold, sans = (
        FONT_FOLDER / name for name in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf")
    )
    if serif.is_file() and serif_bold.is_file() and sans.is_file():
        pdf.add_font("Serif", "", str(serif))
        pdf.add_font("Serif", "B", str(serif_bold))
        pdf.add_font("Sans", "", str(sans))
        return "Serif", "Sans"
    return "Times", "Helvetica"


def _text(pdf: FPDF, family: str, text: str) -> str:
    """Text the chosen font can draw: the built-in fonts only know Latin-1, so others get '?'."""
    if family in {"Times", "Helvetica"}:
        return text.encode("latin-1", "replace").decode("latin-1")
    return text


def certificate_pdf(view: CertificateView, verify_url: str) -> bytes:
    """The certificate as a one-page landscape A4 PDF, with the address that verifies it."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Certificate: {view.course_title}")
    pdf.set_author(view.business_name)
    pdf.set_creator("Client Portal")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    serif, sans = _fonts(pdf)
    width = pdf.w - 40
    pdf.set_draw_color(62, 99, 221)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)

    def line(family: str, style: str, size: int, text: str, gap: float, colour=(30, 30, 30)) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*colour)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, _text(pdf, family, text), align="C")
        pdf.ln(gap)

    pdf.set_y(34)
    line(sans, "", 14, view.business_name.upper(), 10, (90, 90, 90))
    line(serif, "B", 34, "Certificate of Completion", 12, (62, 99, 221))
    line(sans, "", 14, "This certifies that", 6, (90, 90, 90))
    line(serif, "B", 28, view.recipient_name or "A member", 8)
    line(sans, "", 14, "completed the course", 6, (90, 90, 90))
    line(serif, "B", 22, view.course_title, 12)
    line(sans, "", 13, f"on {view.issued_on}", 4, (90, 90, 90))
    pdf.set_y(pdf.h - 38)
    line(sans, "", 10, f"Certificate {view.code}. Check it at {verify_url}", 0, (110, 110, 110))
    return bytes(pdf.output())
