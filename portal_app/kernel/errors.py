"""Errors a person can cause, carrying a message the page can show next to the right field."""

from __future__ import annotations


class FieldError(ValueError):
    """One form field's input was refused; `message` is a sentence for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class FormErrors(ValueError):
    """A form was refused; `errors` maps each refused field to a sentence for the person. Nothing was stored.

    Every form of every feature and app raises this one type (signup, profile, business settings,
    an app's settings); a page shows each message next to its field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


class CommandError(Exception):
    """A failure the operator can fix, raised by any `portal` command (the core's or an app's):
    `portal` prints it on stderr as "error: ..." and exits with 1."""
