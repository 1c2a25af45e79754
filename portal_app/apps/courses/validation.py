"""Checks on what owners and URLs hand Membership Courses: slugs, titles, descriptions, lesson text, drip and quiz settings.

Each check returns the clean value or raises FieldError naming the field, with a sentence for the person.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from portal_app.apps import fields
from portal_app.apps.courses.models import (
    LESSON_KINDS,
    MAX_CHOICE_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_LESSON_BODY_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_TITLE_LENGTH,
)
from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Drip: at most ten years after enrolment.
MAX_UNLOCK_DAYS = 3650
MAX_QUIZ_ATTEMPTS = 100
MAX_QUESTIONS = 100
MAX_CHOICES = 10


is_slug = fields.is_slug
clean_slug = fields.slug


# Course addresses the app's own pages use (/apps/courses/teach is the instructors' builder).
RESERVED_COURSE_SLUGS = frozenset({"teach"})


def clean_course_slug(value: object, field: str = "slug") -> str:
    slug = clean_slug(value, field)
    if slug in RESERVED_COURSE_SLUGS:
        raise FieldError(field, f"The address {slug} is taken by the app's own pages: choose another.")
    return slug


def clean_title(value: object, field: str = "title") -> str:
    return fields.one_line(value, field, max_length=MAX_TITLE_LENGTH, missing="Give it a title.", what="title")


def clean_description(value: object) -> str:
    return fields.written(
        value,
        "description",
        max_length=MAX_DESCRIPTION_LENGTH,
        what="description",
        missing="Describe the course in a few sentences, or leave it empty.",
    )


def clean_lesson_body(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("body", "Write the lesson in Markdown.")
    if len(value) > MAX_LESSON_BODY_LENGTH:
        raise FieldError("body", f"Keep a lesson to {MAX_LESSON_BODY_LENGTH:,} characters or fewer.")
    if has_invisible_characters(value.replace("\t", " "), allow_newlines=True):
        raise FieldError("body", "The lesson contains invisible control characters. Please paste it again.")
    return value


def clean_unlock_after_days(value: object, field: str = "unlock_after_days") -> int | None:
    """Days after enrolment before the lesson or module opens: None or empty for no wait, else 1-3650."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 5) or not 0 <= int(text) <= MAX_UNLOCK_DAYS:
        raise FieldError(field, f"Enter a number of days from 0 to {MAX_UNLOCK_DAYS}, or leave it empty.")
    return int(text) or None


def clean_unlock_on(value: object, field: str = "unlock_on") -> date | None:
    """The date the lesson or module opens (midnight in the business's time zone): None, a date, or YYYY-MM-DD."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(field, "Enter a date as YYYY-MM-DD, like 2027-03-01, or leave it empty.")


def clean_percent(value: object, field: str = "pass_percent") -> int:
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not 1 <= int(text) <= 100:
        raise FieldError(field, "Enter a pass mark from 1 to 100 (percent of questions right).")
    return int(text)


def clean_attempts(value: object, field: str = "max_attempts") -> int:
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not 0 <= int(text) <= MAX_QUIZ_ATTEMPTS:
        raise FieldError(field, f"Enter how many attempts from 1 to {MAX_QUIZ_ATTEMPTS}, or 0 for no limit.")
    return int(text)


def clean_question(prompt: object, choices: list[tuple[object, bool]], multiple: bool, field: str = "questions"):
    """A quiz question: (prompt, [(choice text, correct)]) cleaned, or FieldError saying what is missing."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise FieldError(field, "Every question needs its question text.")
    text = prompt.strip()
    if "\n" in text or "\r" in text:
        raise FieldError(field, "Keep each question on one line.")
    if len(text) > MAX_QUESTION_LENGTH or has_invisible_characters(text):
        raise FieldError(
            field, f"Keep each question to {MAX_QUESTION_LENGTH:,} characters, without control characters."
        )
    cleaned: list[tuple[str, bool]] = []
    for choice, correct in choices:
        if not isinstance(choice, str) or not choice.strip():
            continue
        label = choice.strip()
        if len(label) > MAX_CHOICE_LENGTH or has_invisible_characters(label):
            raise FieldError(field, f"Keep each answer to {MAX_CHOICE_LENGTH} characters, without control characters.")
        cleaned.append((label, bool(correct)))
    if not 2 <= len(cleaned) <= MAX_CHOICES:
        raise FieldError(field, f"Give each question from 2 to {MAX_CHOICES} answers.")
    right = sum(1 for _, correct in cleaned if correct)
    if right == 0:
        raise FieldError(field, f'Mark the right answer of the question "{text[:60]}".')
    if not multiple and right > 1:
        raise FieldError(field, f'The question "{text[:60]}" takes one answer: mark only one as right.')
    return text, cleaned


def clean_kind(value: object, field: str = "kind") -> str:
    if value not in LESSON_KINDS:
        raise FieldError(field, "Choose a lesson or a quiz.")
    return value
