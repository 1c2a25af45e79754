"""A quiz written as text, the way owners edit it: one block per question, its answers under it.

    Q: How long should the opening part of a session take?
    [x] About 5 minutes
    [ ] About 20 minutes

    Q (several): Which belong in the message before a session?
    [x] Where to go
    [x] What to bring
    [ ] Your full price list

"Q:" asks for one answer (radio buttons); "Q (several):" lets the member tick several (check boxes).
"[x]" marks a right answer and "[ ]" a wrong one, as in a Markdown task list. Blank lines separate
questions. Parsing says which line is wrong, for the message beside the field.
"""

from __future__ import annotations

import re

from portal_app.apps.courses.building import ChoiceSpec, QuestionSpec
from portal_app.apps.courses.validation import MAX_QUESTIONS, clean_question
from portal_app.kernel.errors import FieldError

FIELD = "questions"
MAX_QUIZ_TEXT = 100_000
_QUESTION = re.compile(r"Q(?P<several>\s*\(several\))?\s*:\s*(?P<prompt>.*)", re.IGNORECASE)
_ANSWER = re.compile(r"\[(?P<mark>[ xX])\]\s*(?P<text>.*)")


def parse_quiz(text: object) -> tuple[QuestionSpec, ...]:
    """The questions of a quiz written as above; FieldError("questions") naming the line that is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise FieldError(FIELD, "Write at least one question: a line starting with Q: and its answers under it.")
    if len(text) > MAX_QUIZ_TEXT:
        raise FieldError(FIELD, f"Keep a quiz to {MAX_QUIZ_TEXT:,} characters or fewer.")
    questions: list[tuple[str, bool, list[ChoiceSpec], int]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if question := _QUESTION.fullmatch(line):
            questions.append((question.group("prompt").strip(), bool(question.group("several")), [], number))
        elif answer := _ANSWER.fullmatch(line):
            if not questions:
                raise FieldError(FIELD, f"Line {number}: start with a question (Q: ...) before its answers.")
            if not answer.group("text").strip():
                raise FieldError(FIELD, f"Line {number}: write the answer after [x] or [ ].")
            questions[-1][2].append(ChoiceSpec(answer.group("text").strip(), answer.group("mark") in "xX"))
        else:
            raise FieldError(FIELD, f"Line {number}: start it with Q: for a question, or [x] or [ ] for an answer.")
    if len(questions) > MAX_QUESTIONS:
        raise FieldError(FIELD, f"Keep a quiz to {MAX_QUESTIONS} questions or fewer.")
    specs = []
    for prompt, several, choices, number in questions:
        try:
            clean_question(prompt, [(choice.text, choice.correct) for choice in choices], several)
        except FieldError as error:
            raise FieldError(FIELD, f"Question on line {number}: {error.message}") from None
        specs.append(QuestionSpec(prompt, tuple(choices), several))
    return tuple(specs)


def quiz_as_text(questions: list[tuple[str, bool, list[tuple[str, bool]]]]) -> str:
    """Questions as (prompt, several, [(answer, right)]) written back in the format above."""
    blocks = []
    for prompt, several, choices in questions:
        lines = [f"Q (several): {prompt}" if several else f"Q: {prompt}"]
        lines += [f"[{'x' if right else ' '}] {text}" for text, right in choices]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
