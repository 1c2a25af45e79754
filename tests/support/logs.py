"""Log records cut to a few KB, so a failure report does not print the 1 MB payloads a test fed in."""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Iterator

MAX_LOG_CHARS = 4000


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LOG_CHARS else f"{text[:MAX_LOG_CHARS]}... [{len(text)} characters]"


@contextlib.contextmanager
def cut_long_log_records() -> Iterator[None]:
    """Every log record made inside the block has its message and traceback cut to MAX_LOG_CHARS."""
    original = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        if len(message) > MAX_LOG_CHARS:
            record.msg, record.args = _shorten(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = _shorten("".join(traceback.format_exception(*record.exc_info)))
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(original)
