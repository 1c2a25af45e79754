"""Radix Themes in one JS file (a build plugin, wired in rxconfig.py).

benchmarks/page_weight.py measures the effect (docs/benchmarks.md, "Page weight and load").
"""

from __future__ import annotations

import reflex as rx


class OneRadixFile(rx.plugins.Plugin):
    """Radix Themes in one JS file. Reflex's root imports the whole package (for its dynamically evaluated
    components), so every page loads all of it; with the portal's many routes Vite cut it into ~30 small
    shared files, and /login took 44 requests against a blank app's 11 (docs/benchmarks.md, "Page weight")."""

    # The one code-splitting group of Reflex 0.10.1's generated vite.config.js; the Radix group goes after it.
    REFLEX_ENV_GROUP = '              name: "reflex-env",\n            },\n'
    RADIX_GROUP = (
        "            {\n"
        r"              test: /[\\/]node_modules[\\/](@radix-ui|radix-ui|@floating-ui|react-remove-scroll(-bar)?|"
        r"react-style-singleton|use-callback-ref|use-sidecar|aria-hidden|get-nonce|tslib|classnames)[\\/]/,"
        "\n"
        '              name: "radix",\n'
        "            },\n"
    )

    def pre_compile(self, **context) -> None:
        context["add_modify_task"]("vite.config.js", self.add_radix_group)

    def add_radix_group(self, vite_config: str) -> str:
        if vite_config.count(self.REFLEX_ENV_GROUP) != 1:
            raise RuntimeError("vite.config.js is not Reflex 0.10.1's any more: update OneRadixFile in rxconfig.py")
        return vite_config.replace(self.REFLEX_ENV_GROUP, self.REFLEX_ENV_GROUP + self.RADIX_GROUP)
