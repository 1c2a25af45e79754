"""What a served page makes the browser fetch before it can paint: on a phone's network each file is a
round trip, so the shared code comes in a few files (shell/ui/script_chunks.py), and every byte of the
stylesheet counts, so it holds only the colour scales the pages use (shell/ui/theme_colors.py);
docs/benchmarks.md, "Page weight and load"."""

from __future__ import annotations

import re
import urllib.request

import pytest

# A blank Reflex 0.10.1 app's page loads 9 script files; benchmarks/page_weight.py compares the two.
MOST_SCRIPT_FILES = 9
PAGES = ("/login", "/signup", "/", "/apps/courses", "/apps/affiliates", "/profile")


def _text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read().decode()


def _script_files(url: str) -> set[str]:
    return set(re.findall(r"/assets/[\w.-]+\.js", _text(url)))


@pytest.mark.parametrize("path", PAGES)
def test_a_page_loads_its_scripts_in_few_files(portal_url, path):
    files = _script_files(portal_url + path)
    assert len(files) <= MOST_SCRIPT_FILES, sorted(files)


def test_every_page_shares_one_file_of_reflexs_runtime_and_one_of_radix(portal_url):
    for path in PAGES:
        names = {re.sub(r"-[\w-]{8}\.js$", "", file.rsplit("/", 1)[1]) for file in _script_files(portal_url + path)}
        assert {"reflex-core", "radix"} <= names, (path, sorted(names))
        assert not names & {"state", "context", "emotion-react.browser.esm", "createLucideIcon"}, (path, sorted(names))


def test_the_stylesheet_holds_the_colours_the_pages_use_and_no_others(portal_url):
    (sheet,) = set(re.findall(r"/assets/__reflex_global_styles-[\w-]+\.css", _text(portal_url + "/login")))
    css = _text(portal_url + sheet)
    # The accent (indigo) and its gray (slate), and colours components are given: errors, callouts, badges.
    for colour in ("indigo", "slate", "gray", "red", "green", "amber", "blue", "orange", "violet"):
        assert f"--{colour}-9:" in css, colour
    for unused in ("tomato", "ruby", "teal", "jade", "grass", "lime", "yellow", "bronze"):
        assert f"--{unused}-9:" not in css, unused
    assert ".rt-Button" in css and ".rt-r-p-4" in css  # Radix's components and utilities are all there
