"""The portal as `scripts/serve.sh` serves it, started by a benchmark in a folder of its own, and what its
server processes use (resident memory, CPU seconds) read from /proc.

`ServedPortal` keeps everything of Reflex's and the portal's in its own temporary folder (database
file unless a URL is given, secret, uploaded files, web build, states), so a benchmark never touches
the project's `.web` or database; with `redis_url` and `workers` it runs several backend workers
sharing state through Redis. Accounts for the benchmark's clients are made in the served database
through the portal's own services (`signed_in_members`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
START_SECONDS = 600
# What the command line of a process serving the app holds: Reflex's own (Granian's workers are forks of
# it), or gunicorn's when Reflex runs Uvicorn workers under it.
SERVER_COMMANDS = ("reflex run", "gunicorn")


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# What scripts/serve.sh gives the server's processes besides the portal's settings (glibc's tunables).
SERVER_ENVIRONMENT = PROJECT_DIR / "scripts" / "server_env.sh"
_IN_SERVER_ENVIRONMENT = "PORTAL_BENCHMARK_IN_SERVER_ENVIRONMENT"


def run_in_server_environment() -> None:
    """Start this benchmark again, once, under scripts/server_env.sh, so what it measures in its own process
    (one argon2 verification, say) runs with the process settings the served portal has."""
    if os.environ.get(_IN_SERVER_ENVIRONMENT) == "1":
        return
    os.environ[_IN_SERVER_ENVIRONMENT] = "1"
    sys.stdout.flush()
    os.execvp("bash", ["bash", "-c", f'source "{SERVER_ENVIRONMENT}" && exec "$@"', "bash", sys.executable, *sys.argv])


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the local PostgreSQL (127.0.0.1:5432, user postgres); its URL. Dropped after."""
    from sqlalchemy import create_engine, text

    name = f"portal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        from portal_app.kernel import db

        db.engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server process started in a process group of its own (Reflex runs the app in child processes)."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path


def start_server(
    name: str, command: list[str], *, cwd: Path, env: dict, port: int, log: Path, cpus: set[int] | None = None
) -> Server:
    """Start `command`; with `cpus`, it and everything it starts run on those CPUs only."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=pin
        )
    return Server(name, f"http://localhost:{port}", process, log)


def wait_until_up(server: Server, path: str, seconds: float = START_SECONDS) -> None:
    """Until `path` answers 200 (the build can take minutes); a server that exits meanwhile stops the run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the {server.name} exited; {server.log}:\n{server.log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the {server.name} did not answer within {seconds:.0f} s; see {server.log}")


def stop_server(server: Server) -> None:
    """End the server and every process it started."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc; children first found, then theirs)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def resident_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


class ProcessFigures:
    """What a served app's processes use, read from /proc; `process` is the one the app was started as."""

    process: subprocess.Popen | None

    def backend_pids(self) -> list[int]:
        """The processes that hold websockets and run handlers: the server's workers, the leaves below the
        `reflex run` process (Granian forks them from it; with `REFLEX_USE_GRANIAN=false` they are gunicorn's,
        below a gunicorn master; with one worker, the one leaf)."""
        assert self.process is not None
        below = descendants(self.process.pid)
        server = [pid for pid in below if any(name in _safe_command_line(pid) for name in SERVER_COMMANDS)]
        return [pid for pid in server if not any(child in server for child in descendants(pid))]

    def server_pids(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid, *descendants(self.process.pid)]

    def cpu(self) -> float:
        """CPU seconds used so far by every process of the server."""
        return sum(_safe(cpu_seconds, pid) for pid in self.server_pids())

    def backend_memory(self) -> int:
        """Resident bytes of the backend workers together."""
        return sum(_safe(resident_bytes, pid) for pid in self.backend_pids())


@dataclass
class ServedPortal(ProcessFigures):
    """Start with `start()`, stop with `stop()` (or use it as a context manager)."""

    workers: int = 1
    redis_url: str = ""
    db_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    # The CPUs the server may use (None: all), so a load generator on the others does not take its time.
    cpus: set[int] | None = None

    def __post_init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.url = f"http://localhost:{self.port}"
        self.env = {
            **os.environ,
            "PORTAL_PORT": str(self.port),
            "PORTAL_PUBLIC_URL": self.url,
            "REFLEX_DB_URL": self.db_url or f"sqlite:///{self.folder / 'portal.db'}",
            "PORTAL_SECRET_FILE": str(self.folder / "secret"),
            "PORTAL_DATA_DIR": str(self.folder / "files"),
            "REFLEX_WEB_WORKDIR": str(self.folder / "web"),
            "REFLEX_STATES_WORKDIR": str(self.folder / "states"),
            "REFLEX_UPLOADED_FILES_DIR": str(self.folder / "uploaded_files"),
            # The clients are many people on one machine: the per-network limits would stop them.
            "PORTAL_TRUSTED_PROXY_HOPS": "1",
        }
        self.env.pop("SENDGRID_API_KEY", None)  # the dev mailbox, unless the benchmark gives its own endpoint
        self.env.update(self.extra_env)
        if self.redis_url:
            self.env["REFLEX_REDIS_URL"] = self.redis_url
            self.env["GRANIAN_WORKERS"] = str(self.workers)
        else:
            self.env.pop("REFLEX_REDIS_URL", None)
        self.process: subprocess.Popen | None = None
        self.log_path = self.folder / "server.log"

    def _flush_redis(self) -> None:
        """The benchmark's Redis database starts and ends empty (tabs' states, token records, live channels)."""
        if self.redis_url:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            client.flushdb()
            client.close()

    def start(self) -> ServedPortal:
        self._flush_redis()
        command = ["bash", str(PROJECT_DIR / "scripts" / "serve.sh")]
        self.server = start_server(
            "portal", command, cwd=PROJECT_DIR, env=self.env, port=self.port, log=self.log_path, cpus=self.cpus
        )
        self.process = self.server.process
        wait_until_up(self.server, "/login")
        # The services below read the served database, secret and files.
        for name in ("REFLEX_DB_URL", "PORTAL_SECRET_FILE", "PORTAL_DATA_DIR"):
            os.environ[name] = self.env[name]
        from portal_app.kernel.settings import get_settings

        get_settings.cache_clear()
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        stop_server(self.server)
        self.process = None
        self._flush_redis()

    def __enter__(self) -> ServedPortal:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _safe(read, pid: int):
    try:
        return read(pid)
    except (OSError, IndexError, ValueError):
        return 0


def _safe_command_line(pid: int) -> str:
    try:
        return command_line(pid)
    except OSError:
        return ""


def signed_in_members(count: int, *, label: str = "load") -> list[tuple[int, str]]:
    """`count` verified accounts with every child app, a phone (the demo business asks for one), the demo
    course and the "Studio members" group, each with a live session; returns (account id, cookie token).

    Passwordless (hashing thousands of passwords would measure argon2, not the portal)."""
    from portal_app.accounts import sessions
    from portal_app.accounts.models import Account
    from portal_app.admin.audit import CLI
    from portal_app.apps import grants
    from portal_app.apps.communities import groups
    from portal_app.apps.courses import enrolments
    from portal_app.apps.courses.demo_course import DEMO_COURSE
    from portal_app.kernel import clock, db
    from portal_app.profile.models import Profile

    now = clock.now()
    members: list[tuple[int, str]] = []
    stamp = int(time.time())
    for start in range(0, count, 500):
        with db.write_session() as session:
            batch = []
            for n in range(start, min(count, start + 500)):
                account = Account(
                    email=f"{label}-{stamp}-{n}@load.example",
                    full_name=f"Load Member {n}",
                    email_verified_at=now,
                    created_at=now,
                )
                session.add(account)
                batch.append(account)
            session.flush()
            for account in batch:
                for app_key in ("courses", "communities", "affiliates"):
                    grants.grant_app(session, account_id=account.id, app_key=app_key)
                session.add(Profile(account_id=account.id, phone="+14155550123", updated_at=now))
                token = sessions.create_session(
                    session, account_id=account.id, auth_method="code", user_agent="load benchmark", ip="10.0.0.1"
                )
                members.append((account.id, token))
        ids = [account_id for account_id, _ in members[start:]]
        enrolments.enrol_accounts(CLI, DEMO_COURSE, ids)
        for account_id in ids:
            groups.join(account_id, "studio-members")
    return members
