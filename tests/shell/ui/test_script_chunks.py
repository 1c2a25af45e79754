"""What the page-weight fixes rely on, checked without a build: the shared script files
(shell/ui/script_chunks.py) and the favicon.

benchmarks/page_weight.py measures their effect in a browser (docs/benchmarks.md, "Page weight");
tests/e2e/test_security_headers.py counts the script files of the served pages.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image
from reflex.utils import frontend_skeleton
from reflex_base.config import get_config

from portal_app.kernel.settings import PROJECT_DIR
from portal_app.shell.ui.script_chunks import FewerScriptFiles

WEB = "/srv/portal/.web"


def _groups() -> dict[str, re.Pattern]:
    changed = FewerScriptFiles().add_groups(frontend_skeleton._compile_vite_config(get_config()))
    groups = changed[changed.index("codeSplitting") : changed.index("experimental")]
    found = re.findall(r"test: /(.*)/,\n\s*name: \"([\w-]+)\"", groups)
    return {name: re.compile(pattern) for pattern, name in found}


def test_the_shared_groups_join_reflexs_own_once():
    assert list(_groups()) == ["reflex-env", "radix", "reflex-core"]


@pytest.mark.parametrize(
    "module",
    [
        f"{WEB}/utils/state.js",
        f"{WEB}/utils/context.jsx",
        f"{WEB}/utils/helpers/upload.js",
        f"{WEB}/components/reflex/radix_themes_color_mode_provider.js",
        f"{WEB}/node_modules/socket.io-client/build/esm/socket.js",
        f"{WEB}/node_modules/@emotion/react/dist/emotion-react.browser.esm.js",
        f"{WEB}/node_modules/lucide-react/dist/esm/createLucideIcon.mjs",
        f"{WEB}/node_modules/lucide-react/dist/esm/icons/graduation-cap.mjs",
    ],
)
def test_reflexs_runtime_and_the_icons_go_in_one_file(module):
    groups = _groups()
    assert groups["reflex-core"].search(module) and not groups["radix"].search(module)


@pytest.mark.parametrize(
    "module",
    [
        f"{WEB}/app/routes/[login]._index.jsx",  # a page: its own file, loaded with that page only
        f"{WEB}/app_components/portal_app/apps/courses/ui/pages.jsx",
        f"{WEB}/node_modules/react-dropzone/dist/index.js",  # upload pages only
        f"{WEB}/node_modules/some-package/utils/state.js",  # a package's own "utils", not Reflex's
        f"{WEB}/node_modules/lucide-react/dist/esm/dynamicIconImports.mjs",  # the map of every icon
    ],
)
def test_page_code_stays_out_of_the_shared_files(module):
    assert not any(group.search(module) for group in _groups().values())


def test_radix_themes_goes_in_its_own_file():
    assert _groups()["radix"].search(f"{WEB}/node_modules/@radix-ui/themes/dist/esm/components/button.js")


def test_a_vite_config_of_another_reflex_stops_the_build():
    with pytest.raises(RuntimeError, match="update FewerScriptFiles"):
        FewerScriptFiles().add_groups("export default {};")


def test_the_favicon_is_an_icon_at_the_sizes_browsers_ask_for():
    with Image.open(PROJECT_DIR / "assets" / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
