"""What the page-weight fixes rely on, checked without a build: the one Radix file (shell/ui/radix_bundle.py) and the favicon.

benchmarks/page_weight.py measures their effect in a browser (docs/benchmarks.md, "Page weight").
"""

from __future__ import annotations

import pytest
from PIL import Image
from reflex.utils import frontend_skeleton
from reflex_base.config import get_config

from portal_app.kernel.settings import PROJECT_DIR
from portal_app.shell.ui.radix_bundle import OneRadixFile


def test_radix_joins_reflexs_code_splitting_groups_once():
    generated = frontend_skeleton._compile_vite_config(get_config())

    changed = OneRadixFile().add_radix_group(generated)

    groups = changed[changed.index("codeSplitting") : changed.index("experimental")]
    assert groups.count('name: "reflex-env"') == 1
    assert groups.count('name: "radix"') == 1
    assert "node_modules[\\\\/](@radix-ui|radix-ui|" in groups


def test_a_vite_config_of_another_reflex_stops_the_build():
    with pytest.raises(RuntimeError, match="update OneRadixFile"):
        OneRadixFile().add_radix_group("export default {};")


def test_the_favicon_is_an_icon_at_the_sizes_browsers_ask_for():
    with Image.open(PROJECT_DIR / "assets" / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
