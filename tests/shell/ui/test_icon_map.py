"""No page ships lucide's whole icon map.

An icon whose name comes from state (`rx.icon(rx.cond(...))`, or a callout's `icon=rx.cond(...)`) compiles to
lucide's DynamicIcon, which brings the import map of all ~1,600 icons with the page (the lesson page was 1.29x
the blank Reflex app's JavaScript because of one such icon). Pick between fixed icons with rx.cond instead.
"""

from __future__ import annotations

import portal_app.portal_app as built


def _uses_dynamic_icon(component) -> bool:
    return any(getattr(name, "tag", "") == "DynamicIcon" for names in component._get_all_imports().values() for name in names)


def test_no_page_names_an_icon_from_state():
    pages = built.app._unevaluated_pages
    assert len(pages) > 40, "every page of the core and the apps is checked"
    offenders = [
        route
        for route, page in pages.items()
        if _uses_dynamic_icon(page.component() if callable(page.component) else page.component)
    ]
    assert offenders == []
