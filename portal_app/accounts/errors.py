"""Sign-in errors a person can cause, each with a message the page can show (FieldError is the kernel's)."""

from __future__ import annotations

from datetime import timedelta


class ResendTooSoon(Exception):
    """A new code was asked for before the sending limits allow one."""

    def __init__(self, retry_after: timedelta, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


class LoginFailed(Exception):
    """A password login was refused; `retry_after` is set when a throttle refused it."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
