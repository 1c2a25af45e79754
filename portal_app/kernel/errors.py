"""Errors a person can cause, carrying a message the page can show next to the right field."""

from __future__ import annotations


class FieldError(ValueError):
    """One form field's input was refused; `message` is a sentence for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
