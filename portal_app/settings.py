"""Every setting of the portal, read once from the environment.

Defaults work on a laptop: a SQLite file in the project, the dev mailbox, http://localhost:3000.
The README has the table of names, defaults and meanings; keep the two in step.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from error


def _str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class Settings:
    db_url: str
    public_url: str
    secret_file: Path
    secret_key_from_env: str
    sendgrid_api_key: str
    sendgrid_api_url: str
    email_from: str
    trusted_proxy_hops: int
    # Sessions
    session_idle_days: int
    session_absolute_days: int
    login_ticket_seconds: int
    # Emailed codes
    signup_code_minutes: int
    login_code_minutes: int
    invite_code_hours: int
    code_max_attempts: int
    code_failures_per_day: int
    code_resend_seconds: int
    code_sends_per_hour: int
    code_sends_per_ip_per_minute: int
    # Password login throttles
    login_failures_per_email: int
    login_failure_window_minutes: int
    login_attempts_per_ip_per_minute: int
    # Password hashing (argon2id)
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int
    # Email delivery
    email_poll_seconds: int
    email_give_up_hours: int
    email_timeout_seconds: int

    @property
    def email_backend(self) -> str:
        """"sendgrid" when an API key is configured, else the local "dev-mailbox"."""
        return "sendgrid" if self.sendgrid_api_key else "dev-mailbox"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @functools.cached_property
    def secret_key(self) -> bytes:
        """The server secret for HMACs: from PORTAL_SECRET_KEY, else a file made once (mode 0600)."""
        if self.secret_key_from_env:
            return self.secret_key_from_env.encode()
        return _read_or_create_secret(self.secret_file)


def _read_or_create_secret(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_bytes().strip()


def default_db_url() -> str:
    return f"sqlite:///{PROJECT_DIR / 'portal.db'}"


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process. Tests that change the environment call get_settings.cache_clear()."""
    return Settings(
        db_url=_str("REFLEX_DB_URL", default_db_url()),
        public_url=_str("PORTAL_PUBLIC_URL", "http://localhost:3000").rstrip("/"),
        secret_file=Path(_str("PORTAL_SECRET_FILE", str(PROJECT_DIR / ".portal-secret"))),
        secret_key_from_env=os.environ.get("PORTAL_SECRET_KEY", "").strip(),
        sendgrid_api_key=os.environ.get("SENDGRID_API_KEY", "").strip(),
        sendgrid_api_url=_str("PORTAL_SENDGRID_API_URL", "https://api.sendgrid.com").rstrip("/"),
        email_from=_str("PORTAL_EMAIL_FROM", "portal@example.com"),
        trusted_proxy_hops=_int("PORTAL_TRUSTED_PROXY_HOPS", 0),
        session_idle_days=_int("PORTAL_SESSION_IDLE_DAYS", 7),
        session_absolute_days=_int("PORTAL_SESSION_ABSOLUTE_DAYS", 30),
        login_ticket_seconds=_int("PORTAL_LOGIN_TICKET_SECONDS", 60),
        signup_code_minutes=_int("PORTAL_SIGNUP_CODE_MINUTES", 15),
        login_code_minutes=_int("PORTAL_LOGIN_CODE_MINUTES", 10),
        invite_code_hours=_int("PORTAL_INVITE_CODE_HOURS", 72),
        code_max_attempts=_int("PORTAL_CODE_MAX_ATTEMPTS", 5),
        code_failures_per_day=_int("PORTAL_CODE_FAILURES_PER_DAY", 20),
        code_resend_seconds=_int("PORTAL_CODE_RESEND_SECONDS", 60),
        code_sends_per_hour=_int("PORTAL_CODE_SENDS_PER_HOUR", 5),
        code_sends_per_ip_per_minute=_int("PORTAL_CODE_SENDS_PER_IP_PER_MINUTE", 20),
        login_failures_per_email=_int("PORTAL_LOGIN_FAILURES_PER_EMAIL", 5),
        login_failure_window_minutes=_int("PORTAL_LOGIN_FAILURE_WINDOW_MINUTES", 15),
        login_attempts_per_ip_per_minute=_int("PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", 20),
        argon2_time_cost=_int("PORTAL_ARGON2_TIME_COST", 3),
        argon2_memory_kib=_int("PORTAL_ARGON2_MEMORY_KIB", 65536),
        argon2_parallelism=_int("PORTAL_ARGON2_PARALLELISM", 4),
        email_poll_seconds=_int("PORTAL_EMAIL_POLL_SECONDS", 2),
        email_give_up_hours=_int("PORTAL_EMAIL_GIVE_UP_HOURS", 24),
        email_timeout_seconds=_int("PORTAL_EMAIL_TIMEOUT_SECONDS", 10),
    )
