"""What any socket client can send, and the checks that such input did no harm.

Every public handler of a state takes whatever payload a client sends; these values and checks
let a state test feed each bad value in turn and report every case that failed at once.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import func, select

from portal_app.accounts.models import Account, EmailCode, LoginTicket, PendingSignup, UserSession
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from tests.support.pipeline import Pipeline

ONE_MB = 1024 * 1024

# Tables that bad input must leave alone (RateEvent is left out: counting attempts is the point).
GUARDED_TABLES = (Account, PendingSignup, OutboxEmail, EmailCode, UserSession, LoginTicket)

# Values that are not a form's dict of strings, for every place a dict (or a string) is expected.
NOT_A_FORM = {
    "none": None,
    "zero": 0,
    "int": 42,
    "float": 1.5,
    "true": True,
    "empty-list": [],
    "list": ["Ada", "ada@example.com", "pw"],
    "list-of-pairs": [["email", "ada@example.com"]],
    "query-string": "full_name=Ada&email=ada%40example.com&password=plum-velvet-orbit-42",
    "json-string": '{"full_name": "Ada", "email": "ada@example.com", "password": "plum-velvet-orbit-42"}',
    "empty-string": "",
    "empty-dict": {},
    "nested": {"form_data": {"full_name": "Ada", "email": "ada@example.com", "code": "123456"}},
    "one-mb-string": "x" * ONE_MB,
}

# Values that are not a usable string, for one field of an otherwise good form.
NOT_A_STRING = {
    "none": None,
    "int": 123456,
    "float": 1.0,
    "bool": False,
    "list": ["ada@example.com"],
    "dict": {"$ne": ""},
    "nested-dict": {"value": {"value": "ada@example.com"}},
}


def row_counts() -> dict[str, int]:
    with db.read_session() as session:
        return {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in GUARDED_TABLES}


def assert_nothing_crashed(pipeline: Pipeline, caplog) -> None:
    """No exception escaped a handler, and nothing was logged as an unhandled error."""
    escaped = [f"{type(error).__name__}: {str(error)[:200]}" for error in pipeline.escaped]
    assert escaped == [], f"exceptions escaped event handlers: {escaped}"
    errors = [record.getMessage()[:300] for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [], "errors logged: " + "\n".join(errors)


def assert_human_message(message: object) -> None:
    """A sentence for a person: short, printable, no exception text, no echo of a huge payload."""
    assert isinstance(message, str) and message.strip(), f"expected a message, got {message!r}"
    assert len(message) <= 200, f"message too long ({len(message)} chars): {message[:200]!r}..."
    assert message.isprintable(), f"message has unprintable characters: {message!r}"
    assert message[0].isupper() and message.rstrip()[-1] in ".!?", f"not a sentence: {message!r}"
    for marker in ("Traceback", "Error", "Exception", "None", "object", "<", "\\x", "\\u"):
        assert marker not in message, f"{marker!r} in message {message!r}"


async def check_each(pipeline: Pipeline, caplog, cases: dict[str, Any], check) -> None:
    """Run `await check(value)` for every case (each opens its own tab); report every failing case at once.

    Escaped exceptions and logged errors are counted per case, so `check` may call
    assert_nothing_crashed for its own case only.
    """
    failures = []
    for case_id, value in cases.items():
        pipeline.escaped.clear()
        caplog.clear()
        try:
            await check(value)
        except AssertionError as error:
            failures.append(f"[{case_id}] {str(error)[:600]}")
    pipeline.escaped.clear()
    caplog.clear()
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)
