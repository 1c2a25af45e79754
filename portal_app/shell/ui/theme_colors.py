"""Radix Themes with only the colour scales the pages use (the Radix plugin, wired in rxconfig.py).

Radix Themes' one stylesheet carries all 31 colour scales as custom properties, a quarter of the CSS a page
must load before it can paint (83 KiB gzipped in all). Radix also ships it in parts (tokens/base.css, one
file per colour, components.css, utilities.css). While Reflex compiles the pages, this plugin reads each page's
whole component tree for the colours it names, and the root stylesheet then imports those parts
instead of the whole: the theme's accent and its gray, every `color_scheme` a component is given (literal
or inside `rx.cond` and `rx.match`), every `rx.color(...)` or `var(--<colour>-<step>)` in a style, and
what the project's stylesheets (assets/*.css) use. A child app's pages are read the same way, so an app
that uses another colour gets it without telling anyone.

A colour chosen at run time from state (`color_scheme=SomeState.colour`) is not in the pages: list such
colours in `ThemeColorsInUse(also=(...))` in rxconfig.py. benchmarks/page_weight.py measures the effect
(docs/benchmarks.md, "Page weight and load").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from reflex import constants
from reflex_base.components.component import Component
from reflex_components_radix.plugin import RADIX_THEMES_STYLESHEET, RadixThemesPlugin

# Radix Themes 3.3's colour scales (node_modules/@radix-ui/themes/tokens/colors/<name>.css), in the order its
# own stylesheet has them (src/styles/tokens/index.css): the grays, then the accents.
RADIX_COLORS = (
    "gray mauve slate sage olive sand amber blue bronze brown crimson cyan gold grass green indigo iris jade "
    "lime mint orange pink plum purple red ruby sky teal tomato violet yellow"
).split()
# The gray Radix pairs with an accent when the theme's gray_color is "auto" (its getMatchingGrayColor).
MATCHING_GRAY = {
    **dict.fromkeys(("tomato", "red", "ruby", "crimson", "pink", "plum", "purple", "violet"), "mauve"),
    **dict.fromkeys(("iris", "indigo", "blue", "sky", "cyan"), "slate"),
    **dict.fromkeys(("teal", "jade", "mint", "green"), "sage"),
    **dict.fromkeys(("grass", "lime"), "olive"),
    **dict.fromkeys(("yellow", "amber", "orange", "brown", "gold", "bronze"), "sand"),
    "gray": "gray",
}
_NAMES = "|".join(RADIX_COLORS)
# A colour as a string literal ("red", 'red', `red`) or as one of its custom properties (--red-9, --red-a3).
_NAMED = re.compile(rf"""["'`]({_NAMES})["'`]|--({_NAMES})-(?:a?\d|contrast|surface|indicator|track)""")


def colors_named_in(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for literal, variable in _NAMED.findall(text):
            found.add(literal or variable)
    return found


def stylesheet_parts(colors: Iterable[str]) -> tuple[str, ...]:
    """Radix Themes' stylesheet in parts, in its own order, with only `colors`' scales: the colours come
    before base.css, whose `[data-gray-color]` rules must win over gray.css's `:root, .light` ones."""
    wanted = set(colors)
    scales = tuple(f"tokens/colors/{color}.css" for color in RADIX_COLORS if color in wanted)
    return tuple(f"@radix-ui/themes/{part}" for part in (*scales, "tokens/base.css", "components.css", "utilities.css"))


@dataclasses.dataclass
class ThemeColorsInUse(RadixThemesPlugin):
    """Reflex's Radix Themes plugin, with the stylesheet cut to the colours the compiled pages name."""

    also: tuple[str, ...] = ()
    _named: set[str] = dataclasses.field(default_factory=set, init=False, repr=False)
    _unsure: bool = dataclasses.field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.also) - set(RADIX_COLORS)
        if unknown:
            raise ValueError(f"not Radix Themes colours: {sorted(unknown)} (one of {RADIX_COLORS})")

    def enter_component(self, comp, /, *, page_context=None, **context) -> None:
        super().enter_component(comp, page_context=page_context, **context)
        root = getattr(page_context, "root_component", None)
        if comp is not root or not isinstance(root, Component):
            return
        # The page's whole tree as written, before Reflex moves parts of it (rx.foreach bodies, stateful
        # components) into shared memo components that it compiles apart: one render per page.
        try:
            self._named |= colors_named_in([str(root.render())])
        except Exception:  # a page Reflex renders some other way: keep every colour rather than guess
            self._unsure = True

    def get_stylesheet_paths(self, **context) -> tuple[str, ...]:
        """Called once the pages are compiled: Radix in parts with the colours they named, or whole when
        no page was read (a compile that skipped them) or one could not be."""
        if not self.enabled:
            return ()
        if self._unsure or not self._named:
            return (RADIX_THEMES_STYLESHEET,)
        return stylesheet_parts(self.colors_in_use(self._named, _project_stylesheets()))

    def colors_in_use(self, named: Iterable[str], stylesheets: Iterable[str] = ()) -> set[str]:
        used = set(named) | colors_named_in(stylesheets) | set(self.also) | {"gray"}
        accent = _literal(getattr(self.theme, "accent_color", None)) or "indigo"
        gray = _literal(getattr(self.theme, "gray_color", None)) or "auto"
        used |= {accent, MATCHING_GRAY.get(accent, "gray") if gray == "auto" else gray}
        return used & set(RADIX_COLORS)


def _literal(var) -> str | None:
    value = getattr(var, "_var_value", None)
    return value if isinstance(value, str) else None


def _project_stylesheets() -> Iterable[str]:
    for path in sorted((Path.cwd() / constants.Dirs.APP_ASSETS).rglob("*.css")):
        yield path.read_text(errors="replace")
