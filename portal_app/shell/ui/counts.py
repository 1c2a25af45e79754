"""A number held in state with its noun, as people write it: "1 comment", "0 comments", "12 comments"."""

from __future__ import annotations

import reflex as rx


def counted(count: rx.Var, one: str, many: str) -> rx.Var:
    """The count and the noun that agrees with it, worked out in the browser as the state changes:
    `counted(row.replies, "reply", "replies")`. Use it in text and in accessible names alike."""
    return rx.cond(count == 1, f"1 {one}", count.to_string() + f" {many}")
