"""The script files a served page makes the browser fetch: on a phone's network each file is a round
trip, so the shared code comes in a few files (shell/ui/script_chunks.py; docs/benchmarks.md,
"Page weight and load")."""

from __future__ import annotations

import re
import urllib.request

import pytest

# A blank Reflex 0.10.1 app's page loads 9 script files; benchmarks/page_weight.py compares the two.
MOST_SCRIPT_FILES = 9
PAGES = ("/login", "/signup", "/", "/apps/courses", "/apps/affiliates", "/profile")


def _script_files(url: str) -> set[str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        html = response.read().decode()
    return set(re.findall(r"/assets/[\w.-]+\.js", html))


@pytest.mark.parametrize("path", PAGES)
def test_a_page_loads_its_scripts_in_few_files(portal_url, path):
    files = _script_files(portal_url + path)
    assert len(files) <= MOST_SCRIPT_FILES, sorted(files)


def test_every_page_shares_one_file_of_reflexs_runtime_and_one_of_radix(portal_url):
    for path in PAGES:
        names = {re.sub(r"-[\w-]{8}\.js$", "", file.rsplit("/", 1)[1]) for file in _script_files(portal_url + path)}
        assert {"reflex-core", "radix"} <= names, (path, sorted(names))
        assert not names & {"state", "context", "emotion-react.browser.esm", "createLucideIcon"}, (path, sorted(names))
