"""Fewer, larger script files for what every page loads (a build plugin, wired in rxconfig.py).

Reflex's root imports Radix Themes whole and its own runtime (state.js, context.jsx, socket.io, emotion,
lucide's icon base), so every page loads all of it. With the portal's ~50 routes, Vite cut those shared
modules into many small files: /login took 44 requests against a blank app's 11, and each is a round trip
on a slow phone network. Two code-splitting groups put them in two files: "radix" (Radix Themes and its
primitives) and "reflex-core" (Reflex's runtime and the lucide icons the pages use, ~9 KiB raw in all).

benchmarks/page_weight.py measures the effect (docs/benchmarks.md, "Page weight and load").
"""

from __future__ import annotations

import reflex as rx

NODE_MODULES = r"[\\/]node_modules[\\/]"


class FewerScriptFiles(rx.plugins.Plugin):
    """Adds the "radix" and "reflex-core" groups after Reflex's own one in the generated vite.config.js."""

    # The one code-splitting group of Reflex 0.10.1's generated vite.config.js; ours go after it.
    REFLEX_ENV_GROUP = '              name: "reflex-env",\n            },\n'
    RADIX_PACKAGES = (
        r"@radix-ui|radix-ui|@floating-ui|react-remove-scroll(-bar)?|react-style-singleton|use-callback-ref|"
        r"use-sidecar|aria-hidden|get-nonce|tslib|classnames"
    )
    # Reflex's frontend runtime: modules of .web/utils and .web/components/reflex, and the packages they
    # import. Whatever these import comes along (Rolldown puts a group's dependencies in its file).
    REFLEX_RUNTIME = (
        r"^(?!.*[\\/]node_modules[\\/]).*[\\/]("
        r"utils[\\/](state\.js|context\.jsx|context-registry\.js|react-theme\.js|theme\.js|helpers[\\/])|"
        r"components[\\/]reflex[\\/])|"
        + NODE_MODULES
        + r"(@emotion|@socket\.io|socket\.io-client|engine\.io-client|engine\.io-parser|universal-cookie|js-cookie|"
        r"cookie|hoist-non-react-statics|@babel[\\/]runtime|react-is)[\\/]|"
        + NODE_MODULES
        + r"lucide-react[\\/]dist[\\/]esm[\\/]((Icon|context|createLucideIcon|defaultAttributes)\.mjs|(shared|icons)[\\/])"
    )
    GROUPS = (
        "            {\n"
        f"              test: /{NODE_MODULES}({RADIX_PACKAGES})[\\\\/]/,\n"
        '              name: "radix",\n'
        "            },\n"
        "            {\n"
        f"              test: /{REFLEX_RUNTIME}/,\n"
        '              name: "reflex-core",\n'
        "            },\n"
    )

    def pre_compile(self, **context) -> None:
        context["add_modify_task"]("vite.config.js", self.add_groups)

    def add_groups(self, vite_config: str) -> str:
        if vite_config.count(self.REFLEX_ENV_GROUP) != 1:
            raise RuntimeError("vite.config.js is not Reflex 0.10.1's any more: update FewerScriptFiles in rxconfig.py")
        return vite_config.replace(self.REFLEX_ENV_GROUP, self.REFLEX_ENV_GROUP + self.GROUPS)
