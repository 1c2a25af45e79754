"""Lists of cards or rows, as the portal's pages and every app's show them."""

from __future__ import annotations

import reflex as rx

# No bullets, no indent, the full width, the items on a grid so one gap spaces them.
PLAIN_LIST = {"padding": 0, "margin": 0, "width": "100%", "display": "grid", "listStyle": "none"}


def plain_list(*children, gap: str = "0", ordered: bool = False, **props) -> rx.Component:
    """A `<ul>` (an `<ol>` when the order means something: lessons, channels) of `rx.el.li` items, `gap`
    apart. Screen readers still announce it as a list with its number of items; give it an `aria_label`
    ("Your orders") when a page shows more than one. `style` adds to the list's own (an indent for replies)."""
    style = {**PLAIN_LIST, "gap": gap, **props.pop("style", {})}
    return (rx.el.ol if ordered else rx.el.ul)(*children, style=style, **props)
