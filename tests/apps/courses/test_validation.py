"""The checks on drip and quiz settings: what an owner may type, and everything else refused with a sentence."""

from __future__ import annotations

from datetime import date

import pytest

from portal_app.apps.courses import validation
from portal_app.apps.courses.validation import (
    clean_attempts,
    clean_percent,
    clean_question,
    clean_unlock_after_days,
    clean_unlock_on,
)
from portal_app.kernel.errors import FieldError

# --- days after enrolment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "days"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (0, None),
        ("0", None),
        (1, 1),
        (7, 7),
        ("7", 7),
        (" 7 ", 7),
        ("007", 7),
        ("\u00a014\u00a0", 14),
        (3650, 3650),
        ("3650", 3650),
    ],
)
def test_days_after_enrolment_may_be_empty_or_up_to_ten_years(value, days):
    assert clean_unlock_after_days(value) == days


BAD_DAYS = {
    "true": True,
    "false": False,
    "negative": -1,
    "negative-text": "-1",
    "plus": "+7",
    "over-ten-years": 3651,
    "huge": 10**100,
    "huge-text": "9" * 10_000,
    "float": 7.0,
    "float-text": "7.5",
    "exponent": "1e3",
    "arabic-indic-digit": "٣",
    "fullwidth-digits": "７",
    "superscript": "²",
    "zero-width-space": "7\u200b",
    "bidi-mark": "\u200f7",
    "nul": "7\x00",
    "words": "seven",
    "list": [7],
    "dict": {"days": 7},
    "bytes": b"7",
    "date": date(2026, 1, 1),
}


@pytest.mark.parametrize("value", BAD_DAYS.values(), ids=BAD_DAYS.keys())
def test_anything_but_a_number_of_days_is_refused(value):
    with pytest.raises(FieldError) as refused:
        clean_unlock_after_days(value)
    assert refused.value.field == "unlock_after_days"
    assert refused.value.message == "Enter a number of days from 0 to 3650, or leave it empty."


def test_the_days_check_names_the_field_it_is_given():
    with pytest.raises(FieldError) as refused:
        clean_unlock_after_days(-3, "module_unlock_after_days")
    assert refused.value.field == "module_unlock_after_days"


# --- a date --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        (date(2027, 3, 1), date(2027, 3, 1)),
        ("2027-03-01", date(2027, 3, 1)),
        (" 2027-03-01 ", date(2027, 3, 1)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_an_unlock_date_is_a_date_or_yyyy_mm_dd(value, day):
    assert clean_unlock_on(value) == day


BAD_DATES = {
    "not-a-leap-year": "2027-02-29",
    "month-13": "2027-13-01",
    "day-32": "2027-01-32",
    "short-form": "2027-3-1",
    "compact": "20270301",
    "day-first": "01/03/2027",
    "words": "next week",
    "with-time": "2027-03-01T00:00",
    "arabic-indic-digits": "٢٠٢٧-٠٣-٠١",
    "fullwidth-digits": "２０２７-０３-０１",
    "zero-width-space": "2027-03-01\u200b",
    "int": 20270301,
    "true": True,
    "list": ["2027-03-01"],
    "huge": "2" * 10_000,
}


@pytest.mark.parametrize("value", BAD_DATES.values(), ids=BAD_DATES.keys())
def test_anything_but_a_date_is_refused(value):
    with pytest.raises(FieldError) as refused:
        clean_unlock_on(value)
    assert refused.value.field == "unlock_on"
    assert "YYYY-MM-DD" in refused.value.message


# date.fromisoformat (Python 3.11) also takes other ISO 8601 forms of ten characters, such as a week
# date or a basic date with an hour, which the message ("Enter a date as YYYY-MM-DD") does not offer.
@pytest.mark.parametrize("value", ["2027-W10-1", "20270301T0"], ids=["week-date", "basic-with-hour"])
def test_only_the_yyyy_mm_dd_form_is_taken(value):
    with pytest.raises(FieldError):
        clean_unlock_on(value)


# --- the pass mark and attempts ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "percent"), [(1, 1), (70, 70), ("70", 70), (" 85 ", 85), ("100", 100), (100, 100)])
def test_a_pass_mark_is_1_to_100_percent(value, percent):
    assert clean_percent(value) == percent


BAD_NUMBERS = {
    "true": True,
    "false": False,
    "none": None,
    "empty": "",
    "negative": -5,
    "float": 50.0,
    "percent-sign": "50%",
    "huge": 10**30,
    "arabic-indic-digit": "٣",
    "devanagari-digits": "५०",
    "fullwidth-digits": "５０",
    "zero-width-joiner": "5\u200d0",
    "soft-hyphen": "5\u00ad0",
    "list": [50],
}


@pytest.mark.parametrize(
    "value", [*BAD_NUMBERS.values(), 0, "0", 101, "1000"], ids=[*BAD_NUMBERS.keys(), "0", "0-text", "101", "1000"]
)
def test_any_other_pass_mark_is_refused(value):
    with pytest.raises(FieldError) as refused:
        clean_percent(value)
    assert refused.value.field == "pass_percent"
    assert refused.value.message == "Enter a pass mark from 1 to 100 (percent of questions right)."


@pytest.mark.parametrize(("value", "attempts"), [(0, 0), ("0", 0), (1, 1), ("3", 3), (" 100 ", 100)])
def test_attempts_are_0_for_no_limit_up_to_100(value, attempts):
    assert clean_attempts(value) == attempts


@pytest.mark.parametrize(
    "value", [*BAD_NUMBERS.values(), 101, "999", "1000"], ids=[*BAD_NUMBERS.keys(), "101", "999", "1000"]
)
def test_any_other_number_of_attempts_is_refused(value):
    with pytest.raises(FieldError) as refused:
        clean_attempts(value)
    assert refused.value.field == "max_attempts"
    assert refused.value.message == "Enter how many attempts from 1 to 100, or 0 for no limit."


# --- a question ----------------------------------------------------------------------------------------


def test_a_question_is_trimmed_and_blank_answers_dropped():
    prompt, choices = clean_question(
        "  Which flour? Pick one.  ",
        [(" Strong ", True), ("", False), ("   ", False), (None, True), ("Plain", 0)],
        False,
    )
    assert prompt == "Which flour? Pick one."
    assert choices == [("Strong", True), ("Plain", False)]


def test_a_question_with_several_right_answers_takes_check_boxes():
    _, choices = clean_question("Which are grains?", [("Wheat", True), ("Rye", True), ("Salt", False)], True)
    assert choices == [("Wheat", True), ("Rye", True), ("Salt", False)]


def test_a_question_may_have_ten_answers_and_use_non_latin_text():
    ten = [(f"Ответ {n}", n == 3) for n in range(10)]
    prompt, choices = clean_question("Какая мука? 🍞", ten, False)
    assert prompt == "Какая мука? 🍞" and len(choices) == 10 and choices[3] == ("Ответ 3", True)


BAD_QUESTIONS = {
    "no-prompt": (None, [("A", True), ("B", False)], False, "Every question needs its question text."),
    "blank-prompt": ("   ", [("A", True), ("B", False)], False, "Every question needs its question text."),
    "prompt-not-text": (42, [("A", True), ("B", False)], False, "Every question needs its question text."),
    "prompt-too-long": ("x" * 1001, [("A", True), ("B", False)], False, "Keep each question to 1,000 characters"),
    "prompt-control": ("Which\x1b[2J?", [("A", True), ("B", False)], False, "Keep each question to 1,000 characters"),
    "prompt-bidi": ("Which\u202e?", [("A", True), ("B", False)], False, "Keep each question to 1,000 characters"),
    "prompt-zero-width": ("Wh\u200bich?", [("A", True), ("B", False)], False, "Keep each question to 1,000"),
    "one-answer": ("Q?", [("A", True)], False, "Give each question from 2 to 10 answers."),
    "one-answer-and-blanks": ("Q?", [("A", True), (" ", False), ("", False)], False, "from 2 to 10 answers"),
    "no-answers": ("Q?", [], False, "Give each question from 2 to 10 answers."),
    "eleven-answers": ("Q?", [(str(n), n == 0) for n in range(11)], False, "Give each question from 2 to 10 answers."),
    "answer-too-long": ("Q?", [("A" * 301, True), ("B", False)], False, "Keep each answer to 300 characters"),
    "answer-newline": ("Q?", [("A\nB", True), ("B", False)], False, "Keep each answer to 300 characters"),
    "answer-bidi": ("Q?", [("A\u202e", True), ("B", False)], False, "Keep each answer to 300 characters"),
    "no-right-answer": ("Q?", [("A", False), ("B", False)], False, 'Mark the right answer of the question "Q?".'),
    "no-right-answer-multiple": ("Q?", [("A", False), ("B", False)], True, "Mark the right answer"),
    "two-right-single": ("Q?", [("A", True), ("B", True)], False, 'The question "Q?" takes one answer'),
    "right-answer-blank": ("Q?", [("", True), ("A", False), ("B", False)], False, "Mark the right answer"),
}


@pytest.mark.parametrize(("prompt", "choices", "multiple", "message"), BAD_QUESTIONS.values(), ids=BAD_QUESTIONS.keys())
def test_a_bad_question_is_refused_with_what_to_fix(prompt, choices, multiple, message):
    with pytest.raises(FieldError) as refused:
        clean_question(prompt, choices, multiple)
    assert refused.value.field == "questions"
    assert message in refused.value.message


def test_the_question_named_in_a_refusal_is_cut_to_60_characters():
    with pytest.raises(FieldError) as refused:
        clean_question("Q" * 200, [("A", False), ("B", False)], False)
    assert refused.value.message == f'Mark the right answer of the question "{"Q" * 60}".'


def test_limits_are_what_the_messages_say():
    assert (validation.MAX_UNLOCK_DAYS, validation.MAX_QUIZ_ATTEMPTS, validation.MAX_CHOICES) == (3650, 100, 10)


@pytest.mark.parametrize("prompt", ["Which flour?\nPick one.", "Which flour?\r\nPick one.", "Which\rflour?"])
def test_a_question_is_one_line(prompt):
    with pytest.raises(FieldError, match="Keep each question on one line."):
        clean_question(prompt, [("Strong", True), ("Plain", False)], False)
