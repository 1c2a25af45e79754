"""Browser tests: the portal as scripts/serve.sh serves it, driven by Debian's Chromium.

One server for the session, on its own SQLite file and port. The tests read emails from the dev
mailbox (as a person would) and reach into the same database file only to travel in time or to
count what was stored.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR, get_settings

ARTIFACTS = PROJECT_DIR / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the portal exited with {process.returncode}; see {log_path}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the portal did not answer within {SERVER_START_SECONDS} s; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    """End the server and everything it started (Reflex runs the app in child processes)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory):
    """Start the portal with the README's run command, on a fresh database, and yield its URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    url = f"http://localhost:{port}"
    data_dir = tmp_path_factory.mktemp("portal-e2e")
    env = {
        **os.environ,
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": url,
        "REFLEX_DB_URL": f"sqlite:///{data_dir / 'portal.db'}",
        "PORTAL_SECRET_FILE": str(data_dir / "secret"),
        "PORTAL_DATA_DIR": str(data_dir / "files"),
        "PORTAL_EMAIL_POLL_SECONDS": "1",
    }
    env.pop("SENDGRID_API_KEY", None)
    log_path = ARTIFACTS / "e2e-server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["bash", str(PROJECT_DIR / "scripts" / "serve.sh")],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(url, process, log_path)
        # The test process shares the server's database file (for time travel and counting rows).
        os.environ["REFLEX_DB_URL"] = env["REFLEX_DB_URL"]
        os.environ["PORTAL_SECRET_FILE"] = env["PORTAL_SECRET_FILE"]
        os.environ["PORTAL_DATA_DIR"] = env["PORTAL_DATA_DIR"]
        get_settings.cache_clear()
        # The demo data allows duplicate contacts (its two accounts share an email); the tests start
        # from the product's default and turn it on only where they say so.
        from portal_app.business import service as business

        business.set_allow_duplicate_contacts(False)
        yield url
    finally:
        _stop(process)
        db.engine_for.cache_clear()


@pytest.fixture(scope="session")
def base_url(portal_url):
    return portal_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def fresh_ip_limits(portal_url):
    """Every request here comes from 127.0.0.1: start each test as if the last hour's per-IP counts had passed."""
    from datetime import timedelta

    from tests.e2e.support import age_rate_events

    age_rate_events(kinds_matching="_ip", by=timedelta(hours=1))


@pytest.fixture
def duplicates_allowed(portal_url):
    """Turn the business setting allow_duplicate_contacts on for one test."""
    from portal_app.business import service as business

    business.set_allow_duplicate_contacts(True)
    yield
    business.set_allow_duplicate_contacts(False)


READY = '#page-ready[data-ready="true"]'


@pytest.fixture(scope="session", autouse=True)
def pages_wait_until_ready(portal_url):
    """After every navigation, wait as a person would until the page has loaded and answered.

    A click that lands before the page's script and state are ready does nothing, so each goto,
    reload and wait_for_url on a portal page also waits for the page's ready mark.
    """
    from playwright.sync_api import Page

    originals = {name: getattr(Page, name) for name in ("goto", "reload", "wait_for_url")}

    def waiting(name):
        original = originals[name]

        def navigate_and_wait(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if self.url.startswith(portal_url) and "/dev/mailbox" not in self.url:
                self.wait_for_selector(READY, state="attached")
            return result

        return navigate_and_wait

    for name in originals:
        setattr(Page, name, waiting(name))
    yield
    for name, original in originals.items():
        setattr(Page, name, original)
