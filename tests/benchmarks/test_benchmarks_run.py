"""The benchmarks still run: each script, on a tiny data set, ends and prints its table.

Their figures are not checked here (they belong in docs/benchmarks.md, measured on a quiet machine);
this only keeps the scripts from rotting as the tables they seed change.
"""

from __future__ import annotations

import os
import subprocess
import sys

from portal_app.kernel.settings import PROJECT_DIR


def run(*arguments: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "benchmarks" / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_DIR,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_argon2_benchmark_measures_in_the_process_environment_the_server_gets():
    # Cheap argon2 settings keep it quick; what matters is where it runs: under scripts/server_env.sh, as serve.sh
    # runs the server, so its figures are the server's (argon2's memory on huge pages).
    env = {name: value for name, value in os.environ.items() if name != "GLIBC_TUNABLES"}
    env.update(PORTAL_ARGON2_TIME_COST="1", PORTAL_ARGON2_MEMORY_KIB="1024", PORTAL_ARGON2_PARALLELISM="1")
    out = run("argon2_cost.py", env=env)
    assert "GLIBC_TUNABLES=glibc.malloc.hugetlb=1" in out
    assert "argon2id t=1 m=1024 KiB p=1" in out
    assert "verify: median of 20:" in out


def test_the_login_steps_benchmark_counts_a_logins_and_a_principals_statements():
    out = run("login_steps.py", "--logins", "5", "--principals", "20")
    assert "password login's database steps:" in out and "12 statements" in out  # the ticket bound as written
    assert "principal_for_token:" in out and "2 statements" in out


def test_the_courses_benchmark_runs_on_a_small_course_population():
    out = run("courses_scale.py", "--members", "40", "--rounds", "2", "--sqlite-only")
    assert "full scans of a big table (lessoncompletion, enrolment, account, activity, certificate): none" in out
    assert "Mark complete, already done (idempotent)" in out


def test_the_communities_benchmark_runs_on_a_small_group():
    out = run(
        "communities_scale.py",
        *("--posts", "200", "--comments", "1000", "--big-comments", "50", "--members", "30"),
        *("--viewers", "3", "--fanout-posts", "2", "--rounds", "2", "--sqlite-only"),
    )
    assert "full scans of a big table (post, comment, postlike, commentlike), or reads of a tenth of one:" in out
    assert "search, two words (glaze kiln)" in out
    # The live fan-out runs when Redis answers; when it does, every viewer saw every post.
    assert "live fan-out: 3 viewers in 2 processes, 2 posts: 6 of 6 arrivals" in out or "not measured: Redis" in out


def test_the_affiliates_benchmark_runs_on_a_small_programme():
    out = run(
        "affiliates_scale.py",
        *("--affiliates", "60", "--sales", "3000", "--referrals", "300", "--clicks", "500"),
        *("--webhook-calls", "20", "--replays", "10", "--rounds", "2", "--sqlite-only"),
    )
    assert "seed check (payout = SUM of its commissions; every paid commission in a payout): ok" in out
    assert "full scans of a big table (commission, sale, click, referral, payout), or reads of a tenth of one:" in out
    assert "admin: overview, programme totals (programme_overview)" in out
    # Every signed call was accepted once, and replaying them stored nothing more.
    assert "webhook: 62 sales stored by the calls (expected 62); after the replays 62" in out
    assert "the webhook stored a different number" not in out and "!! " not in out.split("webhook:")[-1]


def test_the_websocket_floor_benchmark_serves_each_app_on_both_servers_and_prints_a_figure_for_each():
    out = run("websocket_floor.py", "--connections", "20")
    rows = [line for line in out.splitlines() if line.startswith("| bare |") or line.startswith("| socket.io |")]
    assert len(rows) == 2, out
    for row in rows:
        granian, uvicorn = (cell.strip() for cell in row.strip("|").split("|")[1:])
        float(granian), float(uvicorn)  # a figure for each server, not an error
