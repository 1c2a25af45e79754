"""Browser tests: the portal as scripts/serve.sh serves it, driven by Debian's Chromium.

One server for the session, on its own database and port. The tests read emails from the dev
mailbox (as a person would) and reach into the same database only to travel in time or to count
what was stored.

Two topologies, chosen by PORTAL_E2E_TOPOLOGY:
- unset (or "single"): one backend worker on a SQLite file, the browser talking to it directly;
- "scale-out": the production shape of docs/deploy.md on one machine: a fresh PostgreSQL database,
  Reflex's Redis state manager on a Redis database of its own, GRANIAN_WORKERS=3, and nginx in front
  (docs/deploy.md's server block, on plain http and a local port) with the websocket upgrade on
  /_event, X-Forwarded-For and PORTAL_TRUSTED_PROXY_HOPS=1. The browser and PORTAL_PUBLIC_URL use
  the proxy's URL; only the dev mailbox is read on the backend's own port, since it refuses every
  request that came through a proxy.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
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

TOPOLOGY = os.environ.get("PORTAL_E2E_TOPOLOGY", "").strip() or "single"
if TOPOLOGY not in ("single", "scale-out"):
    raise pytest.UsageError(f"PORTAL_E2E_TOPOLOGY={TOPOLOGY!r}: use 'scale-out', or leave it unset")
SCALE_OUT = TOPOLOGY == "scale-out"
SCALE_OUT_WORKERS = 3
# Databases 9 (benchmarks/communities_scale.py), 11 (test_communities_workers.py) and 12
# (benchmarks/load.py) are taken by others on this Redis.
SCALE_OUT_REDIS_URL = "redis://127.0.0.1:6379/13"
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{}"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# docs/deploy.md's nginx server block on plain http and a local port, with its own pid, logs and
# temporary files; run in the foreground (-g 'daemon off;') as a child of the test process.
NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream portal {{
        server 127.0.0.1:{backend_port};
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{proxy_port};
{listen_ipv6}        server_name localhost;

        client_max_body_size 512m;

        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }}

        location /_event {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}
    }}
}}
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kills_a_worker: kills a backend worker of the session's server; runs after every other test"
    )


def pytest_collection_modifyitems(config, items):
    """Tests that kill a backend worker go last: if the server did not survive, no later test depends on it."""
    items.sort(key=lambda item: item.get_closest_marker("kills_a_worker") is not None)


@dataclass(frozen=True)
class PortalServer:
    """The session's served portal: what the browser opens, and what the scale-out tests reach behind it."""

    url: str  # PORTAL_PUBLIC_URL: the proxy's in scale-out mode
    direct_url: str  # the backend's own port (the same as url without a proxy)
    pid: int  # scripts/serve.sh, which execs Reflex: Granian's main process, whose children are the workers
    db_url: str
    redis_url: str | None
    workers: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve_sh(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """scripts/serve.sh (the README's run command) with `env`, in a process group of its own, logging to `log_path`."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            ["bash", str(PROJECT_DIR / "scripts" / "serve.sh")],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, *, what: str = "the portal") -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with {process.returncode}; see {log_path}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{what} did not answer within {SERVER_START_SECONDS} s; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    """End the server and everything it started (Reflex runs the app in child processes)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def _create_database() -> str:
    """A fresh PostgreSQL database for this run; returns its name."""
    import psycopg

    name = f"portal_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_nginx(work_dir: Path, *, backend_port: int, proxy_port: int) -> tuple[subprocess.Popen, Path]:
    """nginx in the foreground on 127.0.0.1:proxy_port (and [::1] when there is one), proxying to the backend."""
    work_dir.mkdir()
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work_dir / name).mkdir()
    config = work_dir / "nginx.conf"
    config.write_text(
        NGINX_CONF.format(
            # As root, nginx's workers would run as a user that cannot read this 0700 temp dir.
            user="user root;\n" if os.geteuid() == 0 else "",
            dir=work_dir,
            backend_port=backend_port,
            proxy_port=proxy_port,
            listen_ipv6=f"        listen [::1]:{proxy_port};\n" if _ipv6_loopback() else "",
        )
    )
    log_path = ARTIFACTS / "e2e-nginx.log"
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(work_dir), "-c", str(config), "-g", "daemon off;"], capture_output=True, text=True
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused {config}:\n{checked.stderr}")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [NGINX, "-p", str(work_dir), "-c", str(config), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log_path


def _stop_nginx(process: subprocess.Popen) -> None:
    """nginx's fast shutdown (SIGTERM to its master, which ends its workers)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory):
    """Start the portal with the README's run command, on a fresh database, and yield where it is.

    PORTAL_E2E_TOPOLOGY=scale-out serves it as docs/deploy.md runs it (see the module's docstring).
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("portal-e2e")
    database = redis_client = nginx = None
    if SCALE_OUT:
        import redis

        redis_client = redis.Redis.from_url(SCALE_OUT_REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
        redis_client.flushdb()
        database = _create_database()
        proxy_port = _free_port()
        while proxy_port == port:
            proxy_port = _free_port()
        url = f"http://localhost:{proxy_port}"
        db_url = POSTGRES_URL.format(database)
        topology_env = {
            "REFLEX_REDIS_URL": SCALE_OUT_REDIS_URL,
            "GRANIAN_WORKERS": str(SCALE_OUT_WORKERS),
            "PORTAL_TRUSTED_PROXY_HOPS": "1",
        }
    else:
        url = f"http://localhost:{port}"
        db_url = f"sqlite:///{data_dir / 'portal.db'}"
        topology_env = {}
    direct_url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": url,
        "REFLEX_DB_URL": db_url,
        "PORTAL_SECRET_FILE": str(data_dir / "secret"),
        "PORTAL_DATA_DIR": str(data_dir / "files"),
        "PORTAL_EMAIL_POLL_SECONDS": "1",
        **topology_env,
    }
    env.pop("SENDGRID_API_KEY", None)
    # The pages' websocket goes to PORTAL_PUBLIC_URL (rxconfig's api_url): nothing of the caller's may change it.
    env.pop("REFLEX_API_URL", None)
    for name in ("REFLEX_REDIS_URL", "GRANIAN_WORKERS", "PORTAL_TRUSTED_PROXY_HOPS"):
        if name not in topology_env:
            env.pop(name, None)
    log_path = ARTIFACTS / "e2e-server.log"
    process = None
    try:
        process = start_serve_sh(env, log_path)
        _wait_until_up(direct_url, process, log_path)
        if SCALE_OUT:
            nginx, nginx_log = _start_nginx(data_dir / "nginx", backend_port=port, proxy_port=proxy_port)
            _wait_until_up(url, nginx, nginx_log, what="nginx")
        # The test process shares the server's database (for time travel and counting rows).
        os.environ["REFLEX_DB_URL"] = env["REFLEX_DB_URL"]
        os.environ["PORTAL_SECRET_FILE"] = env["PORTAL_SECRET_FILE"]
        os.environ["PORTAL_DATA_DIR"] = env["PORTAL_DATA_DIR"]
        get_settings.cache_clear()
        # The tests read the dev mailbox on the backend's own port: it refuses anything a proxy forwarded.
        from tests.e2e.support import MAILBOX_URLS

        MAILBOX_URLS[url] = direct_url
        # The demo data allows duplicate contacts (its two accounts share an email); the tests start
        # from the product's default and turn it on only where they say so.
        from portal_app.business import service as business

        business.set_allow_duplicate_contacts(False)
        yield PortalServer(
            url=url,
            direct_url=direct_url,
            pid=process.pid,
            db_url=db_url,
            redis_url=SCALE_OUT_REDIS_URL if SCALE_OUT else None,
            workers=SCALE_OUT_WORKERS if SCALE_OUT else 1,
        )
    finally:
        if nginx is not None:
            _stop_nginx(nginx)
        if process is not None:
            _stop(process)
        db.engine_for(db_url).dispose()
        db.engine_for.cache_clear()
        if database is not None:
            _drop_database(database)
        if redis_client is not None:
            redis_client.flushdb()
            redis_client.close()


@pytest.fixture(scope="session")
def portal_url(portal_server: PortalServer) -> str:
    return portal_server.url


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
