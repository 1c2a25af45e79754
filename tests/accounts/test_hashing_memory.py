"""A password check in the server's environment (scripts/server_env.sh, which scripts/serve.sh sources) gets
argon2's 64 MiB work area in huge pages instead of faulting it in 4 KiB at a time: 16,384 page faults and about
a sixth of every login's CPU fewer (docs/benchmarks.md, "argon2's memory on huge pages")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HUGE_PAGES = Path("/sys/kernel/mm/transparent_hugepage/enabled")
WORK_AREA_PAGES = 64 * 1024 // 4  # the default argon2 memory (64 MiB) in 4 KiB pages

# One login's verification with the portal's default argon2 settings, on the hashing pool as a login runs it
# (a thread of its own, so glibc serves it from a thread arena, not the main heap): its minor page faults.
ONE_LOGIN = """
import resource
from portal_app.accounts import passwords
stored = passwords.hash_password("plum orchard lantern 7")
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
assert passwords.verify_password(stored, "plum orchard lantern 7")
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults_of_one_login(*, in_server_environment: bool) -> int:
    # The portal's default argon2 settings (the suite's cheap ones are dropped) and no tunables of the caller's.
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_ARGON2_")}
    env.pop("GLIBC_TUNABLES", None)
    setup = "source scripts/server_env.sh && " if in_server_environment else ""
    finished = subprocess.run(
        ["bash", "-c", f'{setup}exec "$0" -c "$1"', sys.executable, ONE_LOGIN],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    return int(finished.stdout.split()[-1])


@pytest.mark.skipif(
    not HUGE_PAGES.exists() or "[never]" in HUGE_PAGES.read_text(),
    reason="transparent huge pages are off on this machine: the setting changes nothing here",
)
def test_a_login_in_the_servers_environment_does_not_fault_argon2s_memory_in_page_by_page():
    # Without it, every verification maps its 64 MiB afresh and touches each 4 KiB page once.
    assert page_faults_of_one_login(in_server_environment=False) >= WORK_AREA_PAGES
    assert page_faults_of_one_login(in_server_environment=True) < WORK_AREA_PAGES // 2


def test_serve_sh_runs_the_portal_in_that_environment():
    serve = (PROJECT_DIR / "scripts" / "serve.sh").read_text()
    assert "source scripts/server_env.sh" in serve
    assert serve.index("source scripts/server_env.sh") < serve.index("exec .venv/bin/reflex run")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "glibc.malloc.hugetlb=1"),
        ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
        ("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"),  # an operator who turned it off keeps it off
    ],
)
def test_an_operators_own_tunables_are_kept(given, expected):
    env = {**os.environ, "GLIBC_TUNABLES": given}
    finished = subprocess.run(
        ["bash", "-c", 'source scripts/server_env.sh && printf %s "$GLIBC_TUNABLES"'],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert finished.stdout == expected
