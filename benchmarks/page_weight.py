"""Page weight and load of the portal beside a blank Reflex 0.10.1 app, built and served in the same run.

Run: .venv/bin/python benchmarks/page_weight.py [--runs 5] [--lighthouse-runs 3] [--no-lighthouse]
                                               [--requests] [--json results.json] [--keep]

In a temporary directory it builds and serves, each with `reflex run --env prod --single-port` on a free
port: the portal (scripts/serve.sh's steps after the set-up, on its own SQLite file, data dir, secret
file and Reflex web/states workdirs, with the demo data, so the project's .web and database are never
touched) and a blank app made with `reflex init --template blank` (telemetry and the "Built with Reflex"
badge off, as in the portal). Signed-in pages get a session cookie for the demo account
dana@demo.example, made in that temporary database.

1. Headless Chromium (Debian's /usr/bin/chromium through Playwright): for /login, / (signed in) and a
   lesson of the demo course, and the blank app's page: the JS and CSS bytes of a cold load, as sent
   (compressed bodies), raw, and gzipped here (level 9, to compare with what was sent), the response
   headers apart, the number of requests, and the load event, cold (a new browser profile each time)
   and warm (the same page again in that profile); medians of --runs, pages interleaved so the
   machine's noise hits all alike.
2. Lighthouse 12.2.3 (npm, installed pinned into .tools/lighthouse on first use; mobile defaults,
   simulated throttling): performance, accessibility, best practices and SEO for login, home, one page
   of each app and the blank page; the median run by performance of --lighthouse-runs. Chromium is
   started as the CLI starts it and given the session cookie first (see chromium_for_lighthouse).

Then the targets (docs/benchmarks.md): every page's JS at most 1.25x the blank app's wire bytes, load
event at most 1.25x the blank app's, Lighthouse performance at least the blank app's and accessibility
100. Every browser run holds /tmp/portal-browser.lock (flock), so it never overlaps another one.
The portal's build rewrites reflex.lock/; the script puts those files back as they were.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import gzip
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.served import Server, free_port, stop_server, wait_until_up  # noqa: E402
from benchmarks.served import start_server as start  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: E402  (the browser suite's flags)

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_LOCK = Path("/tmp/portal-browser.lock")
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = PROJECT_DIR / ".tools" / "lighthouse"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BUN_BIN = PROJECT_DIR / ".tools" / "node_modules" / ".bin"
SESSION_COOKIE = "portal_session"  # portal_app.accounts.tickets.SESSION_COOKIE
# Targets (issue 12).
MAX_JS_RATIO = 1.25
MAX_LOAD_RATIO = 1.25
ACCESSIBILITY = 100
KIB = 1024
# Set for the portal only: the blank app keeps Reflex's defaults inside its own folder.
PORTAL_ONLY = ("REFLEX_DB_URL", "REFLEX_WEB_WORKDIR", "REFLEX_STATES_WORKDIR", "REFLEX_UPLOADED_FILES_DIR")


# --- serving both apps -------------------------------------------------------------------------------


def tool_env() -> dict:
    """The environment both builds need: the project's bun (Reflex's own download needs the internet)."""
    env = {**os.environ, "PATH": f"{BUN_BIN}:{os.environ['PATH']}", "REFLEX_USE_SYSTEM_BUN": "1"}
    for name in (*PORTAL_ONLY, "SENDGRID_API_KEY", "REFLEX_REDIS_URL", "GRANIAN_WORKERS", "PORTAL_DEMO_DATA"):
        env.pop(name, None)
    return env


def portal_env(work: Path, port: int) -> dict:
    data = work / "portal"
    data.mkdir()
    return {
        **tool_env(),
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": f"http://localhost:{port}",
        "REFLEX_DB_URL": f"sqlite:///{data / 'portal.db'}",
        "PORTAL_SECRET_FILE": str(data / "secret"),
        "PORTAL_DATA_DIR": str(data / "files"),
        # Its own build and Reflex state, never the project's .web or .states.
        "REFLEX_WEB_WORKDIR": str(data / "web"),
        "REFLEX_STATES_WORKDIR": str(data / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(data / "uploaded_files"),
    }


def reflex_run(port: int) -> list[str]:
    """How scripts/serve.sh serves the portal, and how the blank app is served here too."""
    reflex = str(PROJECT_DIR / ".venv" / "bin" / "reflex")
    return [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port), "--loglevel", "warning"]


def start_portal(work: Path) -> tuple[Server, dict]:
    """scripts/serve.sh's steps after the set-up (already done): migrate, demo data, serve."""
    port = free_port()
    env = portal_env(work, port)
    portal = str(PROJECT_DIR / ".venv" / "bin" / "portal")
    for step in (["db", "migrate"], ["seed-demo", "--if-empty"], ["init-business"]):
        subprocess.run([portal, *step], cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    return start("portal", reflex_run(port), cwd=PROJECT_DIR, env=env, port=port, log=work / "portal.log"), env


def make_blank_app(work: Path, *, checkbox: bool = False) -> Path:
    """`reflex init --template blank` (it works offline), with telemetry and the badge off as in the portal.

    With `checkbox`, its page also has one checkbox whose handler sets a bool, as the portal's
    "Remember this choice" does (benchmarks/load.py's cheap event, measured on both apps)."""
    root = work / "blank"
    root.mkdir()
    reflex = str(PROJECT_DIR / ".venv" / "bin" / "reflex")
    subprocess.run(
        [reflex, "init", "--template", "blank", "--loglevel", "warning"],
        cwd=root,
        env=tool_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = root / "rxconfig.py"
    text = config.read_text()
    marker = 'app_name="blank",'
    if marker not in text:
        raise RuntimeError(f"unexpected blank template rxconfig.py:\n{text}")
    config.write_text(
        text.replace(marker, f"{marker}\n    telemetry_enabled=False,\n    show_built_with_reflex=False,")
    )
    if checkbox:
        add_checkbox(root / "blank" / "blank.py")
    return root


BLANK_STATE = '''class State(rx.State):
    """The app state."""
'''
CHECKBOX_STATE = '''class State(rx.State):
    """The app state."""

    remember: bool = False

    @rx.event
    def set_remember(self, value: bool):
        self.remember = value is True
'''
BLANK_STACK = "        rx.vstack(\n"
CHECKBOX_STACK = (
    '        rx.vstack(\n            rx.checkbox("Remember", checked=State.remember, on_change=State.set_remember),\n'
)


def add_checkbox(page: Path) -> None:
    text = page.read_text()
    if BLANK_STATE not in text or text.count(BLANK_STACK) != 1:
        raise RuntimeError(f"unexpected blank template {page.name}:\n{text}")
    page.write_text(text.replace(BLANK_STATE, CHECKBOX_STATE).replace(BLANK_STACK, CHECKBOX_STACK))


def start_blank(work: Path, *, env: dict | None = None, cpus: set[int] | None = None, checkbox: bool = False) -> Server:
    root = make_blank_app(work, checkbox=checkbox)
    port = free_port()
    env = {**tool_env(), **(env or {})}
    return start("blank app", reflex_run(port), cwd=root, env=env, port=port, log=work / "blank.log", cpus=cpus)


@contextlib.contextmanager
def reflex_lock_kept():
    """Put reflex.lock/ back as it was: the portal's build rewrites its package.json."""
    folder = PROJECT_DIR / "reflex.lock"
    saved = {path: path.read_bytes() for path in folder.iterdir() if path.is_file()} if folder.is_dir() else {}
    try:
        yield
    finally:
        for path, content in saved.items():
            if not path.exists() or path.read_bytes() != content:
                path.write_bytes(content)


# --- the demo account's sessions, made in the served portal's database ---------------------------------


@dataclass(frozen=True)
class DemoSessions:
    main: str  # Dana Demo: courses and communities
    second: str  # Dana Demo (second account): affiliates
    lesson_path: str


def demo_sessions(env: dict) -> DemoSessions:
    """Sign the demo accounts in (as a login would, in the served portal's database) and find a lesson."""
    for name in ("REFLEX_DB_URL", "PORTAL_SECRET_FILE", "PORTAL_DATA_DIR"):
        os.environ[name] = env[name]
    from sqlmodel import col, select

    from portal_app.accounts.models import Account
    from portal_app.accounts.sessions import create_session
    from portal_app.apps.courses.demo_course import DEMO_COURSE
    from portal_app.apps.courses.models import Course, Lesson, Module
    from portal_app.demo import DEMO_EMAIL, DEMO_PHONE, DEMO_TIME_ZONE
    from portal_app.kernel import clock, db
    from portal_app.kernel.settings import get_settings
    from portal_app.profile.models import Profile

    get_settings.cache_clear()
    db.engine_for.cache_clear()
    with db.write_session() as session:
        main, second = session.exec(select(Account).where(Account.email == DEMO_EMAIL).order_by(Account.id)).all()
        # The second demo account has no phone yet, so the profile gate would stop it before its app.
        if session.get(Profile, second.id) is None:
            now = clock.now()
            session.add(
                Profile(
                    account_id=second.id, phone=DEMO_PHONE, time_zone=DEMO_TIME_ZONE, completed_at=now, updated_at=now
                )
            )
        tokens = [
            create_session(session, account_id=account.id, auth_method="password", user_agent="page_weight", ip="")
            for account in (main, second)
        ]
        lesson = session.exec(
            select(Lesson.slug)
            .join(Module, col(Module.id) == Lesson.module_id)
            .join(Course, col(Course.id) == Module.course_id)
            .where(Course.slug == DEMO_COURSE)
            .order_by(Module.position, Module.id, Lesson.position, Lesson.id)
        ).first()
    return DemoSessions(main=tokens[0], second=tokens[1], lesson_path=f"/apps/courses/{DEMO_COURSE}/{lesson}")


# --- headless Chromium: bytes, requests, load event -----------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    url: str
    session: str | None = None


@dataclass
class Weight:
    """One cold load's requests; "wire" is a body as sent (compressed), headers are counted apart."""

    requests: int = 0
    js_wire: int = 0
    js_raw: int = 0
    js_gzip: int = 0
    css_wire: int = 0
    css_raw: int = 0
    css_gzip: int = 0
    other_wire: int = 0
    headers: int = 0  # every response's headers
    listing: list[tuple[str, int, int, int, int, str]] = field(
        default_factory=list
    )  # kind status headers wire raw path


@dataclass
class Loads:
    weight: Weight | None = None
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    final_paths: set[str] = field(default_factory=set)


@contextlib.contextmanager
def browser_lock():
    """Hold the lock every Chromium run on this machine takes (the same lock as `flock /tmp/portal-browser.lock`)."""
    with BROWSER_LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def session_cookie(target: Target) -> dict:
    """The portal's session cookie as a sign-in leaves it: the whole site (path /), so the websocket gets it too."""
    return {"name": SESSION_COOKIE, "value": target.session, "domain": urlsplit(target.url).hostname, "path": "/"}


LOAD_EVENT = "performance.getEntriesByType('navigation')[0].loadEventEnd"


def kind_of(request, content_type: str) -> str:
    path = urlsplit(request.url).path
    if request.resource_type == "script" or "javascript" in content_type or path.endswith((".js", ".mjs")):
        return "js"
    if request.resource_type == "stylesheet" or "text/css" in content_type or path.endswith(".css"):
        return "css"
    return request.resource_type


def weigh(requests: list) -> Weight:
    weight = Weight(requests=len(requests))
    for request in requests:
        response = request.response()
        path = urlsplit(request.url).path
        if response is None:
            weight.listing.append((request.resource_type, 0, 0, 0, 0, path))
            continue
        try:
            sizes = request.sizes()
            headers, wire = sizes["responseHeadersSize"], sizes["responseBodySize"]
        except Exception:  # the response never finished
            headers = wire = 0
        kind = kind_of(request, response.headers.get("content-type", ""))
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted response has no body
            body = b""
        weight.headers += headers
        weight.listing.append((kind, response.status, headers, wire, len(body), path))
        if kind == "js":
            weight.js_wire += wire
            weight.js_raw += len(body)
            weight.js_gzip += len(gzip.compress(body, compresslevel=9))
        elif kind == "css":
            weight.css_wire += wire
            weight.css_raw += len(body)
            weight.css_gzip += len(gzip.compress(body, compresslevel=9))
        else:
            weight.other_wire += wire
    return weight


def load_once(browser, target: Target, loads: Loads, *, record: bool) -> None:
    """One cold load (a new profile: empty cache) and one warm load of the same page in that profile."""
    context = browser.new_context()
    if target.session:
        context.add_cookies([session_cookie(target)])
    page = context.new_page()
    seen: list = []
    page.on("request", lambda request: seen.append(request))
    try:
        for visit in ("cold", "warm"):
            seen.clear()
            page.goto(target.url, wait_until="load")
            page.wait_for_function(f"{LOAD_EVENT} > 0")
            load_ms = page.evaluate(LOAD_EVENT)
            page.wait_for_load_state("networkidle")
            if not record:
                continue
            if visit == "cold":
                loads.cold.append(load_ms)
                loads.final_paths.add(urlsplit(page.url).path.rstrip("/") or "/")
                if loads.weight is None:
                    loads.weight = weigh(list(seen))
            else:
                loads.warm.append(load_ms)
    finally:
        context.close()


def measure_pages(targets: list[Target], runs: int) -> dict[str, Loads]:
    from playwright.sync_api import sync_playwright

    results = {target.label: Loads() for target in targets}
    with browser_lock(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for target in targets:  # a first visit of each page, not measured: the servers' first renders
                load_once(browser, target, results[target.label], record=False)
            for _ in range(runs):
                for target in targets:
                    load_once(browser, target, results[target.label], record=True)
        finally:
            browser.close()
    return results


# --- Lighthouse -------------------------------------------------------------------------------------------


def lighthouse_cli() -> Path:
    """Lighthouse's CLI, installed (pinned) into .tools/lighthouse when missing."""
    package = LIGHTHOUSE_DIR / "node_modules" / "lighthouse"
    installed = json.loads((package / "package.json").read_text())["version"] if package.is_dir() else None
    if installed != LIGHTHOUSE_VERSION:
        if shutil.which("npm") is None:
            raise SystemExit("npm is needed to install Lighthouse: apt-get install -y npm")
        print(f"==> Installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR}", flush=True)
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "-E",
                "--prefix",
                str(LIGHTHOUSE_DIR),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return package / "cli" / "index.js"


@dataclass
class Scores:
    performance: float
    accessibility: float
    best_practices: float
    seo: float
    lcp_ms: float
    fcp_ms: float
    tbt_ms: float
    final_path: str
    failed: list[str]  # audits below full marks in accessibility, best practices and SEO


def chrome_launcher_flags() -> list[str]:
    """The flags Lighthouse's CLI starts Chrome with (chrome-launcher's defaults), asked of the installed copy."""
    script = "import('chrome-launcher').then(m => console.log(JSON.stringify(m.Launcher.defaultFlags())))"
    output = subprocess.run(["node", "-e", script], cwd=LIGHTHOUSE_DIR, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


@contextlib.contextmanager
def chromium_for_lighthouse(flags: list[str], profile: Path, target: Target):
    """Chromium started as Lighthouse's CLI starts it (its flags plus --headless=new --no-sandbox), holding
    the target's session cookie; yields its debugging port.

    The session cookie must be a real cookie: `lighthouse --extra-headers '{"Cookie": ...}'` sends it with
    the page's HTTP requests but not with the websocket's handshake, where Reflex reads it, so a portal
    page seen that way is signed out (it ends on /login).
    """
    port = free_port()
    command = [str(CHROMIUM), *flags, "--headless=new", "--no-sandbox", f"--remote-debugging-port={port}"]
    command += [f"--user-data-dir={profile}", "about:blank"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/json/version", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("Chromium did not open its debugging port") from None
                time.sleep(0.2)
        if target.session:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.connect_over_cdp(endpoint)
                browser.contexts[0].add_cookies([session_cookie(target)])
                browser.close()  # disconnects; the browser and its default profile's cookie stay
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def lighthouse_once(cli: Path, flags: list[str], target: Target, out: Path) -> Scores:
    command = [
        "node",
        str(cli),
        target.url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
    ]
    with browser_lock(), tempfile.TemporaryDirectory(prefix="lighthouse-profile-") as profile:
        with chromium_for_lighthouse(flags, Path(profile), target) as port:
            subprocess.run([*command, f"--port={port}"], check=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    report = json.loads(out.read_text())
    categories = report["categories"]
    audits = report["audits"]
    failed = sorted(
        ref["id"]
        for name in ("accessibility", "best-practices", "seo")
        for ref in categories[name]["auditRefs"]
        if ref["weight"] > 0 and (audits[ref["id"]].get("score") is not None) and audits[ref["id"]]["score"] < 1
    )
    return Scores(
        performance=round(categories["performance"]["score"] * 100),
        accessibility=round(categories["accessibility"]["score"] * 100),
        best_practices=round(categories["best-practices"]["score"] * 100),
        seo=round(categories["seo"]["score"] * 100),
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        fcp_ms=audits["first-contentful-paint"]["numericValue"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        final_path=urlsplit(report["finalDisplayedUrl"]).path.rstrip("/") or "/",
        failed=failed,
    )


def run_lighthouse(targets: list[Target], runs: int, work: Path) -> dict[str, Scores]:
    cli = lighthouse_cli()
    flags = chrome_launcher_flags()
    every: dict[str, list[Scores]] = {target.label: [] for target in targets}
    for run in range(runs):
        for number, target in enumerate(targets):
            print(f"    lighthouse {run + 1}/{runs}: {target.label}", flush=True)
            every[target.label].append(lighthouse_once(cli, flags, target, work / f"lighthouse-{number}-{run}.json"))
    # The median run by performance (with an even count, the lower middle one).
    return {
        label: sorted(scores, key=lambda s: s.performance)[(len(scores) - 1) // 2] for label, scores in every.items()
    }


# --- the report -------------------------------------------------------------------------------------------


def kib(value: float) -> str:
    return f"{value / KIB:.1f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list) -> str:
        cells = (str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def command_version(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"


def machine() -> str:
    return (
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}, "
        f"Reflex {importlib.metadata.version('reflex')}, {command_version(str(CHROMIUM), '--version')}, "
        f"Node {command_version('node', '--version')}; load average {os.getloadavg()[0]:.2f} at the end"
    )


def report(pages: dict[str, Loads], blank_label: str, scores: dict[str, Scores] | None, show_requests: bool) -> list:
    """Print the tables and the targets; returns the targets missed."""
    blank = pages[blank_label]
    blank_cold, blank_warm = statistics.median(blank.cold), statistics.median(blank.warm)
    rows, load_rows = [], []
    for label, loads in pages.items():
        w = loads.weight
        rows.append(
            [label, w.requests, kib(w.js_wire), kib(w.js_raw), kib(w.js_gzip), kib(w.css_wire), kib(w.css_raw),
             kib(w.css_gzip), kib(w.other_wire), kib(w.headers), f"{w.js_wire / blank.weight.js_wire:.2f}x"]
        )  # fmt: skip
        cold, warm = statistics.median(loads.cold), statistics.median(loads.warm)
        load_rows.append(
            [label, f"{cold:.0f}", f"{warm:.0f}", f"{min(loads.cold):.0f}-{max(loads.cold):.0f}",
             f"{cold / blank_cold:.2f}x", f"{warm / blank_warm:.2f}x"]
        )  # fmt: skip
    print("\nBytes of a cold load (KiB; wire = bodies as sent, compressed; gzip = the raw bodies gzipped here at")
    print("level 9; headers = every response's headers, sent uncompressed over HTTP/1.1)")
    header = ["page", "requests", "JS wire", "JS raw", "JS gzip", "CSS wire", "CSS raw", "CSS gzip", "other wire",
              "headers", "JS wire / blank"]  # fmt: skip
    print(table(header, rows))
    print(f"\nLoad event (ms, median of {len(blank.cold)}; cold = empty cache, warm = the same page again)")
    print(table(["page", "cold", "warm", "cold range", "cold / blank", "warm / blank"], load_rows))
    if show_requests:
        for label, loads in pages.items():
            print(f"\nRequests of {label} (cold): kind, status, header bytes, wire bytes, raw bytes, path")
            for kind, status, headers, wire, raw, path in loads.weight.listing:
                print(f"  {kind:10} {status:3} {headers:6} {wire:8} {raw:8}  {path}")
    missed = []
    print("\nTargets")

    def check(ok: bool, text: str) -> None:
        print(f"  {'ok  ' if ok else 'MISS'} {text}")
        if not ok:
            missed.append(text)

    for label, loads in pages.items():
        if label == blank_label:
            continue
        ratio = loads.weight.js_wire / blank.weight.js_wire
        check(ratio <= MAX_JS_RATIO, f"{label}: JS wire {ratio:.2f}x the blank app's (at most {MAX_JS_RATIO}x)")
        cold = statistics.median(loads.cold) / blank_cold
        check(
            cold <= MAX_LOAD_RATIO, f"{label}: cold load event {cold:.2f}x the blank app's (at most {MAX_LOAD_RATIO}x)"
        )
        warm = statistics.median(loads.warm) / blank_warm
        check(
            warm <= MAX_LOAD_RATIO, f"{label}: warm load event {warm:.2f}x the blank app's (at most {MAX_LOAD_RATIO}x)"
        )
    if scores:
        blank_scores = scores[blank_label]
        lh_rows = [
            [
                label,
                s.performance,
                s.accessibility,
                s.best_practices,
                s.seo,
                f"{s.fcp_ms:.0f}",
                f"{s.lcp_ms:.0f}",
                f"{s.tbt_ms:.0f}",
                " ".join(s.failed) or "-",
            ]
            for label, s in scores.items()
        ]
        print("\nLighthouse (mobile, simulated throttling; the median run by performance)")
        print(
            table(
                ["page", "perf", "a11y", "best pr.", "SEO", "FCP ms", "LCP ms", "TBT ms", "audits not passed"], lh_rows
            )
        )
        for label, s in scores.items():
            if label == blank_label:
                continue
            check(
                s.performance >= blank_scores.performance,
                f"{label}: Lighthouse performance {s.performance} (the blank app's {blank_scores.performance})",
            )
            check(s.accessibility >= ACCESSIBILITY, f"{label}: accessibility {s.accessibility} (100 wanted)")
    return missed


# --- the run ----------------------------------------------------------------------------------------------


def check_prerequisites() -> None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(
            "Debian's Chromium is missing: run `bash scripts/test.sh` (it installs it) or `apt-get install -y chromium`"
        )
    if not (BUN_BIN / "bun").exists():
        problems.append("bun is missing: run `bash scripts/setup.sh`")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("Playwright is missing: run `bash scripts/setup.sh`")
    if shutil.which("node") is None:
        problems.append("Node is missing (Lighthouse runs on it): apt-get install -y npm")
    if problems:
        raise SystemExit("\n".join(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold+warm loads of each page (default 5)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs of each page (default 3)")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    parser.add_argument("--requests", action="store_true", help="list every request of each page's cold load")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (builds, logs, reports)")
    args = parser.parse_args()
    check_prerequisites()
    # Stopped with SIGTERM, still stop both servers and put reflex.lock/ back (the `finally` blocks below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="page-weight-"))
    servers: list[Server] = []
    print(f"==> Building and serving the portal and a blank Reflex app in {work} (a few minutes)", flush=True)
    try:
        with reflex_lock_kept():  # both build at once; the portal's build rewrites reflex.lock/
            blank = start_blank(work)
            servers.append(blank)
            portal, env = start_portal(work)
            servers.append(portal)
            wait_until_up(blank, "/")
            wait_until_up(portal, "/login")
        demo = demo_sessions(env)
        page_targets = [
            Target("blank /", blank.url + "/"),
            Target("portal /login", portal.url + "/login"),
            Target("portal / (signed in)", portal.url + "/", demo.main),
            Target("portal lesson", portal.url + demo.lesson_path, demo.main),
        ]
        print(f"==> Chromium: {args.runs} cold and warm loads of each page (lesson: {demo.lesson_path})", flush=True)
        pages = measure_pages(page_targets, args.runs)
        for target in page_targets:
            wanted = urlsplit(target.url).path
            if pages[target.label].final_paths != {wanted}:
                print(f"    warning: {target.label} ended on {pages[target.label].final_paths}, not {wanted}")
        scores = None
        if not args.no_lighthouse:
            lighthouse_targets = [
                page_targets[0],
                page_targets[1],
                page_targets[2],
                Target("portal /apps/courses", portal.url + "/apps/courses", demo.main),
                Target("portal /apps/communities", portal.url + "/apps/communities", demo.main),
                Target("portal /apps/affiliates", portal.url + "/apps/affiliates", demo.second),
            ]
            print(f"==> Lighthouse: {args.lighthouse_runs} runs of each page", flush=True)
            scores = run_lighthouse(lighthouse_targets, args.lighthouse_runs, work)
            for target in lighthouse_targets:
                wanted = urlsplit(target.url).path
                if scores[target.label].final_path != wanted:
                    print(f"    warning: Lighthouse's {target.label} ended on {scores[target.label].final_path}")
    finally:
        for server in servers:
            stop_server(server)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nMachine: {machine()}")
    missed = report(pages, "blank /", scores, args.requests)
    print(f"\n{'All targets met.' if not missed else f'{len(missed)} target(s) missed.'}")
    if args.keep:
        print(f"Builds, logs and Lighthouse reports kept in {work}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "pages": {
                        label: {
                            "weight": {k: v for k, v in vars(loads.weight).items()},
                            "cold_ms": loads.cold,
                            "warm_ms": loads.warm,
                        }
                        for label, loads in pages.items()
                    },
                    "lighthouse": {label: vars(s) for label, s in (scores or {}).items()},
                    "missed": missed,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
