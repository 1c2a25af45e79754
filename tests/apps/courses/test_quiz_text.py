"""The quiz text format owners edit in the course builder: parse_quiz reads it (naming the wrong line), quiz_as_text writes it."""

from __future__ import annotations

import pytest

from portal_app.apps.courses.building import ChoiceSpec, QuestionSpec
from portal_app.apps.courses.quiz_text import MAX_QUIZ_TEXT, parse_quiz, quiz_as_text
from portal_app.apps.courses.validation import MAX_CHOICES, MAX_QUESTIONS
from portal_app.kernel.errors import FieldError

QUIZ = """Q: How long should the opening part of a session take?
[x] About 5 minutes
[ ] About 20 minutes

Q (several): Which belong in the message before a session?
[x] Where to go
[x] What to bring
[ ] Your full price list
"""

PARSED = (
    QuestionSpec(
        "How long should the opening part of a session take?",
        (ChoiceSpec("About 5 minutes", True), ChoiceSpec("About 20 minutes", False)),
        False,
    ),
    QuestionSpec(
        "Which belong in the message before a session?",
        (ChoiceSpec("Where to go", True), ChoiceSpec("What to bring", True), ChoiceSpec("Your full price list", False)),
        True,
    ),
)


def refused(text: object) -> str:
    with pytest.raises(FieldError) as caught:
        parse_quiz(text)
    assert caught.value.field == "questions"
    return caught.value.message


def as_tuples(questions) -> list[tuple[str, bool, list[tuple[str, bool]]]]:
    return [(q.prompt, q.multiple, [(c.text, c.correct) for c in q.choices]) for q in questions]


# --- what parses ----------------------------------------------------------------------------------------


def test_single_and_several_answer_questions_parse_in_order():
    assert parse_quiz(QUIZ) == PARSED


def test_a_single_answer_question_with_one_right_answer():
    [question] = parse_quiz("Q: Two plus two?\n[ ] Three\n[x] Four\n[ ] Five")
    assert question == QuestionSpec(
        "Two plus two?", (ChoiceSpec("Three"), ChoiceSpec("Four", True), ChoiceSpec("Five")), False
    )


def test_a_several_answer_question_may_have_one_right_answer_or_all():
    one, every = parse_quiz("Q (several): Pick\n[x] a\n[ ] b\n\nQ (several): All\n[x] a\n[x] b")
    assert one.multiple and [c.correct for c in one.choices] == [True, False]
    assert every.multiple and [c.correct for c in every.choices] == [True, True]


@pytest.mark.parametrize(
    "line",
    ["q: Two plus two?", "Q : Two plus two?", "Q:Two plus two?", "   Q:   Two plus two?   "],
    ids=["lower-case", "space-before-colon", "no-space", "indented"],
)
def test_the_question_marker_is_forgiving(line):
    [question] = parse_quiz(f"{line}\n[x] Four\n[ ] Five")
    assert (question.prompt, question.multiple) == ("Two plus two?", False)


@pytest.mark.parametrize("marker", ["Q (several):", "q (SEVERAL):", "Q(several):", "Q  (Several) :"])
def test_the_several_marker_is_case_and_space_insensitive(marker):
    [question] = parse_quiz(f"{marker} Pick two\n[x] a\n[x] b\n[ ] c")
    assert question.multiple and question.prompt == "Pick two"


def test_an_upper_case_x_marks_a_right_answer_too():
    [question] = parse_quiz("Q: Pick\n[X] Right\n[ ] Wrong")
    assert [(c.text, c.correct) for c in question.choices] == [("Right", True), ("Wrong", False)]


def test_windows_line_endings_parse_the_same():
    assert parse_quiz(QUIZ.replace("\n", "\r\n")) == PARSED


def test_blank_lines_and_surrounding_space_do_not_matter():
    spaced = "\n\n  " + QUIZ.replace("\n", "\n\n   \n") + "\n\n\t\n"
    assert parse_quiz(spaced) == PARSED


def test_questions_need_no_blank_line_between_them():
    assert parse_quiz(QUIZ.replace("\n\n", "\n")) == PARSED


def test_answer_text_may_contain_brackets_and_markers():
    [question] = parse_quiz("Q: Which is a task list item?\n[x] [x] done\n[ ] Q: no")
    assert [c.text for c in question.choices] == ["[x] done", "Q: no"]


def test_the_largest_quiz_allowed_parses():
    text = "\n\n".join(
        f"Q: Question {n}\n" + "\n".join(f"[{'x' if i == 0 else ' '}] Answer {i}" for i in range(MAX_CHOICES))
        for n in range(MAX_QUESTIONS)
    )
    questions = parse_quiz(text)
    assert len(questions) == MAX_QUESTIONS and all(len(q.choices) == MAX_CHOICES for q in questions)


# --- what is refused, and where -------------------------------------------------------------------------


def test_an_answer_before_any_question_names_its_line():
    message = refused("\n\n[x] Four\nQ: Two plus two?\n[ ] Five")
    assert message.startswith("Line 3:") and "question" in message


@pytest.mark.parametrize(
    "text, line",
    [
        ("Q: Two plus two?\n[x] Four\n[ ] Five\nSix", 4),
        ("Q: Two plus two?\n(x) Four\n[ ] Five", 2),
        ("Question: Two plus two?\n[x] Four\n[ ] Five", 1),
        ("Q: Two plus two?\n[x] Four\n\n\n- [ ] Five", 5),
        ("Q: Two plus two?\n[] Four\n[x] Five", 2),
        ("Q: Two plus two?\n[v] Four\n[x] Five", 2),
        ("Q: Two plus two?\r\n[x] Four\r\nFive", 3),
    ],
    ids=["plain-text", "round-brackets", "question-word", "markdown-task", "empty-brackets", "other-mark", "crlf"],
)
def test_an_unknown_line_start_names_its_line(text, line):
    message = refused(text)
    assert message.startswith(f"Line {line}:") and "Q:" in message


def test_a_question_with_one_answer_is_refused_with_its_line():
    message = refused("Q: First\n[x] a\n[ ] b\n\nQ: Second\n[x] only")
    assert message.startswith("Question on line 5:") and "2 to" in message


def test_a_question_without_answers_is_refused_with_its_line():
    assert refused("Q: First\n[x] a\n[ ] b\nQ: Lonely").startswith("Question on line 4:")


def test_a_question_with_too_many_answers_is_refused():
    answers = "\n".join(f"[{'x' if i == 0 else ' '}] Answer {i}" for i in range(MAX_CHOICES + 1))
    assert refused(f"Q: Many\n{answers}").startswith("Question on line 1:")


def test_a_question_without_a_right_answer_is_refused_with_its_line():
    message = refused("Q: First\n[x] a\n[ ] b\n\n\nQ: Second\n[ ] c\n[ ] d")
    assert message.startswith("Question on line 6:") and "right answer" in message and "Second" in message


def test_a_several_answer_question_still_needs_a_right_answer():
    assert refused("Q (several): Pick\n[ ] a\n[ ] b").startswith("Question on line 1:")


def test_two_right_answers_on_a_single_answer_question_are_refused():
    message = refused("Q: First\n[x] a\n[ ] b\nQ: Second\n[x] c\n[X] d")
    assert message.startswith("Question on line 4:") and "one answer" in message


def test_a_question_without_its_text_is_refused():
    assert refused("Q:\n[x] a\n[ ] b").startswith("Question on line 1:")


def test_an_answer_with_control_characters_is_refused():
    assert refused("Q: Pick\n[x] a\x07b\n[ ] c").startswith("Question on line 1:")


def test_too_many_questions_are_refused():
    text = "\n".join(f"Q: Question {n}\n[x] a\n[ ] b" for n in range(MAX_QUESTIONS + 1))
    assert str(MAX_QUESTIONS) in refused(text)


def test_over_long_text_is_refused_before_it_is_read():
    text = "Q: Long\n[x] a\n[ ] b\n" + " " * MAX_QUIZ_TEXT
    assert "characters" in refused(text)


@pytest.mark.parametrize(
    "text",
    [None, 5, b"Q: a\n[x] b\n[ ] c", ["Q: a", "[x] b", "[ ] c"], {"Q": "a"}, "", "   \n\r\n\t"],
    ids=["none", "int", "bytes", "list", "dict", "empty", "blank"],
)
def test_anything_but_quiz_text_is_refused(text):
    assert "at least one question" in refused(text)


# --- writing it back ------------------------------------------------------------------------------------


def test_quiz_as_text_writes_the_format_it_documents():
    assert quiz_as_text(as_tuples(PARSED)) == QUIZ.strip()


def test_quiz_as_text_then_parse_quiz_gives_the_same_questions():
    questions = parse_quiz(QUIZ.replace("\n", "\r\n").replace("[x]", "[X]").replace("Q:", "q:"))
    assert parse_quiz(quiz_as_text(as_tuples(questions))) == questions == PARSED


def test_round_trip_keeps_tricky_but_valid_texts():
    tuples = [
        ("Is (several): a question?", False, [("[x] literal", True), ("Q: not a question", False)]),
        ("Ünïcödé 🍞 & <b>tags</b>", True, [("Ja", True), ("Nein", True), ("Vielleicht", False)]),
    ]
    assert as_tuples(parse_quiz(quiz_as_text(tuples))) == tuples


def test_no_questions_write_as_empty_text():
    assert quiz_as_text([]) == ""
