"""Radix Themes cut to the colour scales the pages use (shell/ui/theme_colors.py), checked without a build:
which colours a compiled component names, and the stylesheets the root stylesheet then imports.

tests/e2e/test_page_files.py reads the served stylesheet; benchmarks/page_weight.py measures the effect.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import reflex as rx
from reflex_base.config import get_config

from portal_app.shell.ui.theme_colors import ThemeColorsInUse, colors_named_in


class ColourState(rx.State):
    paid: bool = False
    rows: list[str] = []


def _compiled(plugin: ThemeColorsInUse, *pages) -> tuple[str, ...]:
    """What the root stylesheet imports after Reflex's compiler has walked `pages` (each a page's root)."""
    for root in pages:
        page = SimpleNamespace(root_component=root)
        for visited in [root, *root.children]:  # the compiler enters every component; the root comes first
            plugin.enter_component(visited, page_context=page, compile_context=None)
    return plugin.get_stylesheet_paths()


def _colours(sheets: tuple[str, ...]) -> list[str]:
    return [sheet.rsplit("/", 1)[1].removesuffix(".css") for sheet in sheets if "/tokens/colors/" in sheet]


def test_the_portal_builds_with_it_as_its_radix_plugin():
    plugins = [plugin for plugin in get_config().plugins if isinstance(plugin, ThemeColorsInUse)]
    assert len(plugins) == 1 and plugins[0].enabled


@pytest.mark.parametrize(
    "component, colour",
    [
        (rx.badge("Paid", color_scheme="teal"), "teal"),
        (rx.badge("?", color_scheme=rx.cond(ColourState.paid, "jade", "gray")), "jade"),
        (rx.badge("?", color_scheme=rx.match(ColourState.paid, (True, "lime"), "gray")), "lime"),
        (rx.text("Late", color=rx.color("tomato", 11)), "tomato"),
        (rx.box(style={"borderColor": "var(--crimson-a7)"}), "crimson"),
        (rx.box(rx.callout("Inside", color_scheme="ruby")), "ruby"),
        # rx.foreach's body: Reflex compiles it into a shared memo component, apart from the page
        (rx.box(rx.foreach(ColourState.rows, lambda row: rx.badge(row, color_scheme="violet"))), "violet"),
    ],
)
def test_a_colour_a_component_is_given_is_imported(component, colour):
    assert colour in _colours(_compiled(ThemeColorsInUse(theme=rx.theme(accent_color="indigo")), component))


def test_radix_comes_in_its_parts_with_the_accent_its_gray_and_the_colours_named():
    plugin = ThemeColorsInUse(theme=rx.theme(accent_color="indigo"))
    sheets = _compiled(plugin, rx.button("Delete", color_scheme="red"), rx.box(color="var(--amber-9)"))
    assert sheets == (
        # Radix's own order: the grays first (slate: the one it pairs with indigo), then the accents, then
        # base.css, whose rules mapping --gray-* to the theme's gray must come after gray.css
        *(f"@radix-ui/themes/tokens/colors/{c}.css" for c in ("gray", "slate", "amber", "indigo", "red")),
        "@radix-ui/themes/tokens/base.css",
        "@radix-ui/themes/components.css",
        "@radix-ui/themes/utilities.css",
    )


def test_words_that_only_contain_a_colour_name_are_not_colours():
    assert colors_named_in(['redirect("/login")', "reduce", '"Greenhouse"', "--radius-3", "gold-plated"]) == set()


def test_a_theme_with_its_own_gray_or_colours_listed_by_hand_gets_those():
    plugin = ThemeColorsInUse(theme=rx.theme(accent_color="grass", gray_color="mauve"), also=("sky",))
    assert plugin.colors_in_use([]) == {"gray", "grass", "mauve", "sky"}
    with pytest.raises(ValueError, match="not Radix Themes colours"):
        ThemeColorsInUse(also=("chartreuse",))


def test_with_no_page_read_the_whole_stylesheet_is_kept():
    assert ThemeColorsInUse().get_stylesheet_paths() == ("@radix-ui/themes/styles.css",)
