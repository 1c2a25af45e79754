"""plain_list (shell/ui/lists.py): the list every page and app draws its cards and rows in, checked in the
JSX Reflex compiles from it (the pages that use it are walked in the browser suites)."""

from __future__ import annotations

import reflex as rx

from portal_app.shell.ui.lists import plain_list


def test_a_plain_list_has_no_bullets_or_indent_and_spaces_its_items_by_the_gap():
    compiled = str(plain_list(rx.el.li("Pottery basics"), rx.el.li("Glazing"), gap="12px", aria_label="My courses"))

    assert compiled.startswith('jsx("ul",{"aria-label":"My courses"')
    for rule in ('["listStyle"] : "none"', '["padding"] : 0', '["margin"] : 0', '["gap"] : "12px"'):
        assert rule in compiled
    assert compiled.count('jsx("li"') == 2


def test_an_ordered_list_is_an_ol_and_a_style_given_adds_to_its_own():
    compiled = str(plain_list(rx.el.li("Welcome"), ordered=True, style={"paddingLeft": "24px"}))

    assert compiled.startswith('jsx("ol",')
    # The indent given comes after the list's own padding, so it wins; the rest of the list's style stays.
    assert compiled.index('["padding"] : 0') < compiled.index('["paddingLeft"] : "24px"')
    assert '["listStyle"] : "none"' in compiled and '["gap"] : "0"' in compiled
