"""Every setting of the portal, read once from the environment and checked before anything runs.

Defaults work on a laptop: a SQLite file in the project, the dev mailbox, http://localhost:3000.
A wrong value raises SettingsError naming the variable, so the portal and the `portal` command stop
at start-up instead of misbehaving later. The README has the table of names, defaults and meanings;
keep the two in step.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Limits of the argon2 reference implementation that argon2-cffi wraps.
ARGON2_MAX_TIME_COST = 2**32 - 1
ARGON2_MAX_MEMORY_KIB = 2**32 - 1
ARGON2_MAX_PARALLELISM = 2**24 - 1
ARGON2_MIN_KIB_PER_LANE = 8

# Their values may hold a password or a key, so error messages never repeat them.
NOT_ECHOED = frozenset({"REFLEX_DB_URL", "PORTAL_SECRET_KEY", "SENDGRID_API_KEY"})

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_HTTP_URL = "an absolute http:// or https:// URL with a host and no user name, query or fragment"


class SettingsError(ValueError):
    """Wrong environment variables: one line per variable, naming it and saying what is wanted."""

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> SettingsError:
        return cls("\n".join(_describe(detail) for detail in error.errors(include_url=False)))


def _whole_number(at_least: int, at_most: int | None = None) -> BeforeValidator:
    """An int field that takes only digits, within bounds, and says so in one phrase when refused."""
    if at_most is None:
        wanted = f"a whole number of at least {at_least}"
    else:
        wanted = f"a whole number from {at_least} to {at_most}"

    def parse(value: object) -> int:
        text = str(value) if type(value) is int else value
        if not isinstance(text, str) or not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(wanted)
        number = int(text)
        if number < at_least or (at_most is not None and number > at_most):
            raise ValueError(wanted)
        return number

    return BeforeValidator(parse)


def _http_url(value: str) -> str:
    """An absolute http(s) URL without its trailing slash: links and the websocket origin are built on it."""
    value = value.rstrip("/")
    parts = urlsplit(value)
    if (
        not value.startswith(("http://", "https://"))
        or not _has_valid_port(parts)
        or not parts.hostname
        or parts.username is not None
        or "?" in value
        or "#" in value
        or any(character.isspace() for character in value)
    ):
        raise ValueError(_HTTP_URL)
    return value


def _has_valid_port(parts: SplitResult) -> bool:
    """urlsplit checks the port only when asked for it: one that is not a number from 0 to 65535 raises then."""
    try:
        return parts.port is None or parts.port >= 0
    except ValueError:
        return False


def _database_url(value: str) -> str:
    try:
        make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(
            "a SQLAlchemy database URL, like sqlite:////srv/portal/portal.db or"
            " postgresql+psycopg://user:pass@host:5432/db"
        ) from None
    return value


def _email_address(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError("an email address, like portal@example.com")
    return value


def usable_cpus() -> int:
    """The CPUs this process may run on: a taskset, or a container limited to some CPUs (a cpuset), allows
    fewer than the machine has, and two argon2 hashes sharing one CPU finish later than one after the other."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_db_url() -> str:
    return f"sqlite:///{PROJECT_DIR / 'portal.db'}"


AtLeastZero = Annotated[int, _whole_number(0)]
AtLeastOne = Annotated[int, _whole_number(1)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]


class Settings(BaseSettings):
    """The portal's settings; get_settings() gives the one of this process."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    db_url: Annotated[str, AfterValidator(_database_url)] = Field(
        default_factory=default_db_url, validation_alias="REFLEX_DB_URL"
    )
    public_url: HttpUrl = Field("http://localhost:3000", validation_alias="PORTAL_PUBLIC_URL")
    secret_file: Path = Field(PROJECT_DIR / ".portal-secret", validation_alias="PORTAL_SECRET_FILE")
    # Where uploaded files live (course covers, lesson attachments and videos): outside the web root,
    # served only through routes that check who is asking.
    data_dir: Path = Field(PROJECT_DIR / "data", validation_alias="PORTAL_DATA_DIR")
    secret_key_from_env: str = Field("", validation_alias="PORTAL_SECRET_KEY", repr=False)
    sendgrid_api_key: str = Field("", validation_alias="SENDGRID_API_KEY", repr=False)
    sendgrid_api_url: HttpUrl = Field("https://api.sendgrid.com", validation_alias="PORTAL_SENDGRID_API_URL")
    email_from: Annotated[str, AfterValidator(_email_address)] = Field(
        "portal@example.com", validation_alias="PORTAL_EMAIL_FROM"
    )
    trusted_proxy_hops: AtLeastZero = Field(0, validation_alias="PORTAL_TRUSTED_PROXY_HOPS")
    # Sessions
    session_idle_days: AtLeastOne = Field(7, validation_alias="PORTAL_SESSION_IDLE_DAYS")
    session_absolute_days: AtLeastOne = Field(30, validation_alias="PORTAL_SESSION_ABSOLUTE_DAYS")
    staff_session_idle_hours: AtLeastOne = Field(12, validation_alias="PORTAL_STAFF_SESSION_IDLE_HOURS")
    staff_session_absolute_days: AtLeastOne = Field(7, validation_alias="PORTAL_STAFF_SESSION_ABSOLUTE_DAYS")
    login_ticket_seconds: AtLeastOne = Field(60, validation_alias="PORTAL_LOGIN_TICKET_SECONDS")
    # Emailed codes
    signup_code_minutes: AtLeastOne = Field(15, validation_alias="PORTAL_SIGNUP_CODE_MINUTES")
    login_code_minutes: AtLeastOne = Field(10, validation_alias="PORTAL_LOGIN_CODE_MINUTES")
    invite_code_hours: AtLeastOne = Field(72, validation_alias="PORTAL_INVITE_CODE_HOURS")
    code_max_attempts: AtLeastOne = Field(5, validation_alias="PORTAL_CODE_MAX_ATTEMPTS")
    # Wrong codes for one email from one network a day before code entry locks there; and from every
    # network together before it locks for the email (throttle.py explains the two keys).
    code_failures_per_day: AtLeastOne = Field(20, validation_alias="PORTAL_CODE_FAILURES_PER_DAY")
    code_failures_per_day_per_email: AtLeastOne = Field(100, validation_alias="PORTAL_CODE_FAILURES_PER_DAY_PER_EMAIL")
    # Code checks from one network a minute, and wrong codes on the whole site an hour (bounds guessing
    # spread over many emails).
    code_checks_per_ip_per_minute: AtLeastOne = Field(30, validation_alias="PORTAL_CODE_CHECKS_PER_IP_PER_MINUTE")
    code_failures_per_hour_site: AtLeastOne = Field(1000, validation_alias="PORTAL_CODE_FAILURES_PER_HOUR_SITE")
    code_resend_seconds: AtLeastZero = Field(60, validation_alias="PORTAL_CODE_RESEND_SECONDS")
    # Codes emailed to one email at the request of one network an hour; and at everyone's request.
    code_sends_per_hour: AtLeastOne = Field(5, validation_alias="PORTAL_CODE_SENDS_PER_HOUR")
    code_sends_per_hour_per_email: AtLeastOne = Field(15, validation_alias="PORTAL_CODE_SENDS_PER_HOUR_PER_EMAIL")
    code_sends_per_ip_per_minute: AtLeastOne = Field(20, validation_alias="PORTAL_CODE_SENDS_PER_IP_PER_MINUTE")
    # Password login throttles: wrong passwords for one email from one network in the window, and from
    # every network together in a day.
    login_failures_per_email: AtLeastOne = Field(5, validation_alias="PORTAL_LOGIN_FAILURES_PER_EMAIL")
    login_failure_window_minutes: AtLeastOne = Field(15, validation_alias="PORTAL_LOGIN_FAILURE_WINDOW_MINUTES")
    login_failures_per_day_per_email: AtLeastOne = Field(
        100, validation_alias="PORTAL_LOGIN_FAILURES_PER_DAY_PER_EMAIL"
    )
    login_attempts_per_ip_per_minute: AtLeastOne = Field(20, validation_alias="PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE")
    # Password hashing (argon2id)
    argon2_time_cost: Annotated[int, _whole_number(1, ARGON2_MAX_TIME_COST)] = Field(
        3, validation_alias="PORTAL_ARGON2_TIME_COST"
    )
    argon2_memory_kib: Annotated[int, _whole_number(ARGON2_MIN_KIB_PER_LANE, ARGON2_MAX_MEMORY_KIB)] = Field(
        65536, validation_alias="PORTAL_ARGON2_MEMORY_KIB"
    )
    argon2_parallelism: Annotated[int, _whole_number(1, ARGON2_MAX_PARALLELISM)] = Field(
        4, validation_alias="PORTAL_ARGON2_PARALLELISM"
    )
    # At most this many argon2 computations at once per server process (the rest queue): one per CPU it may use.
    password_hashing_threads: AtLeastOne = Field(
        default_factory=usable_cpus, validation_alias="PORTAL_PASSWORD_HASHING_THREADS"
    )
    # Email delivery
    email_poll_seconds: AtLeastZero = Field(2, validation_alias="PORTAL_EMAIL_POLL_SECONDS")
    email_give_up_hours: AtLeastOne = Field(24, validation_alias="PORTAL_EMAIL_GIVE_UP_HOURS")
    email_timeout_seconds: AtLeastOne = Field(10, validation_alias="PORTAL_EMAIL_TIMEOUT_SECONDS")

    @model_validator(mode="before")
    @classmethod
    def _blank_means_unset(cls, data: Any) -> Any:
        """Surrounding whitespace goes; a value that is then empty counts as unset."""
        if not isinstance(data, dict):
            return data
        stripped = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
        return {key: value for key, value in stripped.items() if value != ""}

    @model_validator(mode="after")
    def _limits_agree(self) -> Settings:
        """Limits that only make sense together; one line per variable, like the field errors."""
        conflicts = []
        if self.session_absolute_days < self.session_idle_days:
            conflicts.append(
                f"PORTAL_SESSION_ABSOLUTE_DAYS must be a whole number of at least PORTAL_SESSION_IDLE_DAYS"
                f" ({self.session_idle_days}), got '{self.session_absolute_days}'"
            )
        if self.staff_session_absolute_days * 24 < self.staff_session_idle_hours:
            conflicts.append(
                f"PORTAL_STAFF_SESSION_ABSOLUTE_DAYS must be a whole number of days at least as long as"
                f" PORTAL_STAFF_SESSION_IDLE_HOURS ({self.staff_session_idle_hours} hours),"
                f" got '{self.staff_session_absolute_days}'"
            )
        least_memory = ARGON2_MIN_KIB_PER_LANE * self.argon2_parallelism
        if self.argon2_memory_kib < least_memory:
            conflicts.append(
                f"PORTAL_ARGON2_MEMORY_KIB must be a whole number of at least {ARGON2_MIN_KIB_PER_LANE} ×"
                f" PORTAL_ARGON2_PARALLELISM ({least_memory}), got '{self.argon2_memory_kib}'"
            )
        if conflicts:
            raise PydanticCustomError("settings_conflict", "\n".join(conflicts))
        return self

    @property
    def email_backend(self) -> str:
        """ "sendgrid" when an API key is configured, else the local "dev-mailbox"."""
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


def _describe(detail: Any) -> str:
    """One refused value as a sentence: the variable, what is wanted, and what it got."""
    if not detail["loc"]:  # a conflict between settings, already worded by _limits_agree
        return detail["msg"]
    name = str(detail["loc"][0])
    cause = detail.get("ctx", {}).get("error")
    wanted = str(cause) if isinstance(cause, ValueError) else detail["msg"]
    if name in NOT_ECHOED:
        return f"{name} must be {wanted} (its value is not shown here)"
    value = detail["input"]
    got = repr(value) if isinstance(value, str) else f"'{value}'"
    return f"{name} must be {wanted}, got {got}"


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


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process. Tests that change the environment call get_settings.cache_clear().

    Raises SettingsError when a variable has a wrong value: start-up calls this first so it stops there.
    """
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError.from_validation_error(error) from None
