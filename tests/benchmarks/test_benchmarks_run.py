"""The benchmarks still run: each script, on a tiny data set, ends and prints its table.

Their figures are not checked here (they belong in docs/benchmarks.md, measured on a quiet machine);
this only keeps the scripts from rotting as the tables they seed change.
"""

from __future__ import annotations

import subprocess
import sys

from portal_app.kernel.settings import PROJECT_DIR


def run(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "benchmarks" / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


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
