"""Pages of a long list (contacts, audit entries) for the admin screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: tuple[Item, ...]
    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def clean_page_number(raw: object) -> int:
    """A page number from the page (any type) as 1..MAX_PAGE; anything unusable is page 1."""
    if isinstance(raw, bool):
        return 1
    if isinstance(raw, str) and 0 < len(raw) <= 7 and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, int) and 1 <= raw <= MAX_PAGE:
        return raw
    return 1


def last_page_if_beyond(number: int, total: int, per_page: int) -> int:
    """Asking for a page past the end shows the last one."""
    return min(number, max(1, -(-total // per_page)))
