"""The settings read from the environment: defaults, blanks, and wrong values that stop start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal_app import cli
from portal_app.kernel.settings import PROJECT_DIR, Settings, SettingsError, default_db_url, get_settings

# Every variable settings.py reads, with the attribute it fills; renaming one breaks deployments.
VARIABLES = {
    "REFLEX_DB_URL": "db_url",
    "PORTAL_PUBLIC_URL": "public_url",
    "PORTAL_SECRET_FILE": "secret_file",
    "PORTAL_DATA_DIR": "data_dir",
    "PORTAL_SECRET_KEY": "secret_key_from_env",
    "SENDGRID_API_KEY": "sendgrid_api_key",
    "PORTAL_SENDGRID_API_URL": "sendgrid_api_url",
    "PORTAL_EMAIL_FROM": "email_from",
    "PORTAL_TRUSTED_PROXY_HOPS": "trusted_proxy_hops",
    "PORTAL_SESSION_IDLE_DAYS": "session_idle_days",
    "PORTAL_SESSION_ABSOLUTE_DAYS": "session_absolute_days",
    "PORTAL_STAFF_SESSION_IDLE_HOURS": "staff_session_idle_hours",
    "PORTAL_STAFF_SESSION_ABSOLUTE_DAYS": "staff_session_absolute_days",
    "PORTAL_LOGIN_TICKET_SECONDS": "login_ticket_seconds",
    "PORTAL_SIGNUP_CODE_MINUTES": "signup_code_minutes",
    "PORTAL_LOGIN_CODE_MINUTES": "login_code_minutes",
    "PORTAL_INVITE_CODE_HOURS": "invite_code_hours",
    "PORTAL_CODE_MAX_ATTEMPTS": "code_max_attempts",
    "PORTAL_CODE_FAILURES_PER_DAY": "code_failures_per_day",
    "PORTAL_CODE_FAILURES_PER_DAY_PER_EMAIL": "code_failures_per_day_per_email",
    "PORTAL_CODE_CHECKS_PER_IP_PER_MINUTE": "code_checks_per_ip_per_minute",
    "PORTAL_CODE_FAILURES_PER_HOUR_SITE": "code_failures_per_hour_site",
    "PORTAL_CODE_SENDS_PER_HOUR_PER_EMAIL": "code_sends_per_hour_per_email",
    "PORTAL_LOGIN_FAILURES_PER_DAY_PER_EMAIL": "login_failures_per_day_per_email",
    "PORTAL_CODE_RESEND_SECONDS": "code_resend_seconds",
    "PORTAL_CODE_SENDS_PER_HOUR": "code_sends_per_hour",
    "PORTAL_CODE_SENDS_PER_IP_PER_MINUTE": "code_sends_per_ip_per_minute",
    "PORTAL_LOGIN_FAILURES_PER_EMAIL": "login_failures_per_email",
    "PORTAL_LOGIN_FAILURE_WINDOW_MINUTES": "login_failure_window_minutes",
    "PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "login_attempts_per_ip_per_minute",
    "PORTAL_ARGON2_TIME_COST": "argon2_time_cost",
    "PORTAL_ARGON2_MEMORY_KIB": "argon2_memory_kib",
    "PORTAL_ARGON2_PARALLELISM": "argon2_parallelism",
    "PORTAL_PASSWORD_HASHING_THREADS": "password_hashing_threads",
    "PORTAL_EMAIL_POLL_SECONDS": "email_poll_seconds",
    "PORTAL_EMAIL_GIVE_UP_HOURS": "email_give_up_hours",
    "PORTAL_EMAIL_TIMEOUT_SECONDS": "email_timeout_seconds",
}

NUMBER_DEFAULTS = {
    "trusted_proxy_hops": 0,
    "session_idle_days": 7,
    "session_absolute_days": 30,
    "staff_session_idle_hours": 12,
    "staff_session_absolute_days": 7,
    "login_ticket_seconds": 60,
    "signup_code_minutes": 15,
    "login_code_minutes": 10,
    "invite_code_hours": 72,
    "code_max_attempts": 5,
    "code_failures_per_day": 20,
    "code_resend_seconds": 60,
    "code_sends_per_hour": 5,
    "code_sends_per_ip_per_minute": 20,
    "login_failures_per_email": 5,
    "login_failure_window_minutes": 15,
    "login_attempts_per_ip_per_minute": 20,
    "argon2_time_cost": 3,
    "argon2_memory_kib": 65536,
    "argon2_parallelism": 4,
    "email_poll_seconds": 2,
    "email_give_up_hours": 24,
    "email_timeout_seconds": 10,
}

# Zero means "no wait" or "no proxy" for these; every other number must be at least 1.
MAY_BE_ZERO = {"PORTAL_TRUSTED_PROXY_HOPS", "PORTAL_CODE_RESEND_SECONDS", "PORTAL_EMAIL_POLL_SECONDS"}
AT_LEAST_ONE = sorted(
    name
    for name, attribute in VARIABLES.items()
    if attribute in NUMBER_DEFAULTS and name not in MAY_BE_ZERO and not name.startswith("PORTAL_ARGON2_")
)

URL_WANTED = "an absolute http:// or https:// URL with a host and no user name, query or fragment"
EMAIL_WANTED = "an email address, like portal@example.com"


def clean_environment() -> dict[str, str]:
    """This process's environment without any variable the settings read."""
    return {name: value for name, value in os.environ.items() if name not in VARIABLES}


@pytest.fixture
def env(monkeypatch):
    """A clean environment for get_settings(); call it with variables to set them."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def refusal() -> str:
    """The message get_settings() raises for this environment."""
    with pytest.raises(SettingsError) as raised:
        get_settings()
    return str(raised.value)


def test_every_variable_keeps_its_name():
    assert {name: field.validation_alias for name, field in Settings.model_fields.items()} == {
        attribute: name for name, attribute in VARIABLES.items()
    }


def test_defaults_work_on_a_laptop(env):
    settings = get_settings()
    assert settings.db_url == default_db_url() == f"sqlite:///{PROJECT_DIR / 'portal.db'}"
    assert settings.public_url == "http://localhost:3000"
    assert settings.secret_file == PROJECT_DIR / ".portal-secret"
    assert (settings.secret_key_from_env, settings.sendgrid_api_key) == ("", "")
    assert settings.sendgrid_api_url == "https://api.sendgrid.com"
    assert settings.email_from == "portal@example.com"
    assert {attribute: getattr(settings, attribute) for attribute in NUMBER_DEFAULTS} == NUMBER_DEFAULTS
    assert (settings.email_backend, settings.secure_cookies) == ("dev-mailbox", False)


def test_settings_are_read_once_per_process_until_the_cache_is_cleared(env):
    first = get_settings()
    env(PORTAL_CODE_MAX_ATTEMPTS="3")
    assert get_settings() is not first
    assert get_settings() is get_settings()
    assert get_settings().code_max_attempts == 3


def test_every_variable_is_read(env, tmp_path):
    numbers = {
        name: str(NUMBER_DEFAULTS[attribute] + 1)
        for name, attribute in VARIABLES.items()
        if attribute in NUMBER_DEFAULTS
    }
    env(
        REFLEX_DB_URL="postgresql+psycopg://portal:pw@db.internal:5432/portal",
        PORTAL_PUBLIC_URL="https://clients.example.org",
        PORTAL_SECRET_FILE=str(tmp_path / "secret"),
        PORTAL_SECRET_KEY="k" * 40,
        SENDGRID_API_KEY="SG.key",
        PORTAL_SENDGRID_API_URL="https://api.eu.sendgrid.com/v3",
        PORTAL_EMAIL_FROM="hello@studio.example",
        **numbers,
    )
    settings = get_settings()
    assert settings.db_url == "postgresql+psycopg://portal:pw@db.internal:5432/portal"
    assert settings.public_url == "https://clients.example.org"
    assert settings.secret_file == tmp_path / "secret"
    assert settings.secret_key == b"k" * 40
    assert settings.sendgrid_api_url == "https://api.eu.sendgrid.com/v3"
    assert settings.email_from == "hello@studio.example"
    assert {name: str(getattr(settings, VARIABLES[name])) for name in numbers} == numbers
    assert (settings.email_backend, settings.secure_cookies) == ("sendgrid", True)


def test_empty_and_blank_values_count_as_unset(env):
    env(**dict.fromkeys(VARIABLES, ""))
    assert get_settings() == Settings()
    env(PORTAL_CODE_MAX_ATTEMPTS="   ", PORTAL_PUBLIC_URL="\t", SENDGRID_API_KEY=" ", PORTAL_SECRET_KEY="  ")
    settings = get_settings()
    assert (settings.code_max_attempts, settings.public_url) == (5, "http://localhost:3000")
    assert (settings.sendgrid_api_key, settings.secret_key_from_env, settings.email_backend) == ("", "", "dev-mailbox")


def test_values_lose_surrounding_whitespace_and_urls_their_trailing_slash(env):
    env(
        PORTAL_CODE_MAX_ATTEMPTS=" 7 ",
        PORTAL_PUBLIC_URL=" https://portal.example.com/ ",
        PORTAL_SENDGRID_API_URL="http://127.0.0.1:8025/v3/",
        PORTAL_EMAIL_FROM=" portal@studio.example\n",
        SENDGRID_API_KEY=" SG.key ",
    )
    settings = get_settings()
    assert settings.code_max_attempts == 7
    assert settings.public_url == "https://portal.example.com"
    assert settings.sendgrid_api_url == "http://127.0.0.1:8025/v3"
    assert (settings.email_from, settings.sendgrid_api_key) == ("portal@studio.example", "SG.key")


def test_unknown_and_differently_cased_variables_are_ignored(env, monkeypatch):
    monkeypatch.setenv("PORTAL_NO_SUCH_SETTING", "whatever")
    monkeypatch.setenv("portal_code_max_attempts", "-3")
    monkeypatch.setenv("code_max_attempts", "-3")
    assert get_settings().code_max_attempts == 5


def test_the_lowest_accepted_values(env):
    env(**{name: "1" for name in AT_LEAST_ONE}, **dict.fromkeys(MAY_BE_ZERO, "0"))
    env(PORTAL_ARGON2_TIME_COST="1", PORTAL_ARGON2_PARALLELISM="2", PORTAL_ARGON2_MEMORY_KIB="16")
    settings = get_settings()
    assert (settings.code_max_attempts, settings.trusted_proxy_hops, settings.argon2_memory_kib) == (1, 0, 16)


def test_the_secret_comes_from_the_environment_or_a_file_made_once(env, tmp_path):
    secret_file = tmp_path / "keys" / "secret"
    env(PORTAL_SECRET_FILE=str(secret_file))
    secret = get_settings().secret_key
    assert len(secret) >= 48 and secret_file.stat().st_mode & 0o777 == 0o600
    get_settings.cache_clear()
    assert get_settings().secret_key == secret
    env(PORTAL_SECRET_KEY="from-the-environment")
    assert get_settings().secret_key == b"from-the-environment"


def test_secrets_stay_out_of_the_repr(env):
    env(PORTAL_SECRET_KEY="very-secret-key", SENDGRID_API_KEY="SG.very-secret")
    shown = repr(get_settings())
    assert "very-secret" not in shown and "public_url='http://localhost:3000'" in shown


def test_the_example_from_the_bug_report_is_refused(env):
    env(PORTAL_CODE_MAX_ATTEMPTS="-3")
    assert refusal() == "PORTAL_CODE_MAX_ATTEMPTS must be a whole number of at least 1, got '-3'"
    env(PORTAL_CODE_MAX_ATTEMPTS="5", PORTAL_PUBLIC_URL="notaurl")
    assert refusal() == f"PORTAL_PUBLIC_URL must be {URL_WANTED}, got 'notaurl'"


@pytest.mark.parametrize("name", AT_LEAST_ONE)
@pytest.mark.parametrize("value", ["0", "-3", "five", "5.0", "1e3", "1_000", "0x10", "٣"])
def test_numbers_must_be_whole_and_at_least_one(env, name, value):
    env(**{name: value})
    assert refusal() == f"{name} must be a whole number of at least 1, got {value!r}"


@pytest.mark.parametrize("name", sorted(MAY_BE_ZERO))
def test_numbers_that_may_be_zero_must_not_be_negative(env, name):
    env(**{name: "-1"})
    assert refusal() == f"{name} must be a whole number of at least 0, got '-1'"


@pytest.mark.parametrize(
    ("name", "value", "wanted"),
    [
        ("PORTAL_ARGON2_TIME_COST", "0", "a whole number from 1 to 4294967295"),
        ("PORTAL_ARGON2_TIME_COST", "4294967296", "a whole number from 1 to 4294967295"),
        ("PORTAL_ARGON2_PARALLELISM", "0", "a whole number from 1 to 16777215"),
        ("PORTAL_ARGON2_PARALLELISM", "16777216", "a whole number from 1 to 16777215"),
        ("PORTAL_ARGON2_MEMORY_KIB", "7", "a whole number from 8 to 4294967295"),
        ("PORTAL_ARGON2_MEMORY_KIB", "4294967296", "a whole number from 8 to 4294967295"),
        ("PORTAL_ARGON2_MEMORY_KIB", "64MiB", "a whole number from 8 to 4294967295"),
        ("PORTAL_PUBLIC_URL", "notaurl", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "localhost:3000", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "ftp://portal.example.com", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "HTTPS://portal.example.com", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https:///login", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://portal.example.com/?next=/", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://portal.example.com/?", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://portal.example.com/#top", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://user:pw@portal.example.com", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "http://portal.example.com:99999", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "http://portal.example.com:port", URL_WANTED),
        ("PORTAL_PUBLIC_URL", "https://portal example.com", URL_WANTED),
        ("PORTAL_SENDGRID_API_URL", "api.sendgrid.com", URL_WANTED),
        ("PORTAL_EMAIL_FROM", "portal", EMAIL_WANTED),
        ("PORTAL_EMAIL_FROM", "portal@localhost", EMAIL_WANTED),
        ("PORTAL_EMAIL_FROM", "portal@@example.com", EMAIL_WANTED),
        ("PORTAL_EMAIL_FROM", "portal@example.com, other@example.com", EMAIL_WANTED),
        ("PORTAL_EMAIL_FROM", "Portal <portal@example.com>", EMAIL_WANTED),
        ("PORTAL_EMAIL_FROM", "portal@exa mple.com", EMAIL_WANTED),
    ],
)
def test_wrong_values_are_refused_naming_the_variable(env, name, value, wanted):
    env(**{name: value})
    assert refusal() == f"{name} must be {wanted}, got {value!r}"


@pytest.mark.parametrize("value", ["notaurl", "postgresql://portal:hunter2@db:notaport/portal", "://hunter2"])
def test_a_wrong_database_url_is_refused_without_repeating_it(env, value):
    env(REFLEX_DB_URL=value)
    message = refusal()
    assert message.startswith("REFLEX_DB_URL must be a SQLAlchemy database URL, like sqlite:///")
    assert message.endswith("(its value is not shown here)")
    assert "hunter2" not in message and "notaurl" not in message


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"PORTAL_SESSION_IDLE_DAYS": "10", "PORTAL_SESSION_ABSOLUTE_DAYS": "9"},
            "PORTAL_SESSION_ABSOLUTE_DAYS must be a whole number of at least PORTAL_SESSION_IDLE_DAYS (10), got '9'",
        ),
        (
            {"PORTAL_STAFF_SESSION_IDLE_HOURS": "49", "PORTAL_STAFF_SESSION_ABSOLUTE_DAYS": "2"},
            "PORTAL_STAFF_SESSION_ABSOLUTE_DAYS must be a whole number of days at least as long as"
            " PORTAL_STAFF_SESSION_IDLE_HOURS (49 hours), got '2'",
        ),
        (
            {"PORTAL_ARGON2_PARALLELISM": "4", "PORTAL_ARGON2_MEMORY_KIB": "31"},
            "PORTAL_ARGON2_MEMORY_KIB must be a whole number of at least 8 × PORTAL_ARGON2_PARALLELISM (32), got '31'",
        ),
    ],
)
def test_limits_that_must_agree(env, values, message):
    env(**values)
    assert refusal() == message


def test_limits_that_just_agree(env):
    env(PORTAL_SESSION_IDLE_DAYS="9", PORTAL_SESSION_ABSOLUTE_DAYS="9")
    env(PORTAL_STAFF_SESSION_IDLE_HOURS="48", PORTAL_STAFF_SESSION_ABSOLUTE_DAYS="2")
    env(PORTAL_ARGON2_PARALLELISM="4", PORTAL_ARGON2_MEMORY_KIB="32")
    settings = get_settings()
    assert (settings.session_absolute_days, settings.staff_session_idle_hours, settings.argon2_memory_kib) == (
        9,
        48,
        32,
    )


def test_every_wrong_variable_gets_its_own_line(env):
    env(PORTAL_CODE_MAX_ATTEMPTS="-3", PORTAL_PUBLIC_URL="notaurl", PORTAL_EMAIL_FROM="nobody")
    assert sorted(refusal().splitlines()) == [
        "PORTAL_CODE_MAX_ATTEMPTS must be a whole number of at least 1, got '-3'",
        f"PORTAL_EMAIL_FROM must be {EMAIL_WANTED}, got 'nobody'",
        f"PORTAL_PUBLIC_URL must be {URL_WANTED}, got 'notaurl'",
    ]


def test_a_refusal_is_a_value_error_and_not_remembered(env):
    env(PORTAL_CODE_MAX_ATTEMPTS="-3")
    with pytest.raises(ValueError):
        get_settings()
    env(PORTAL_CODE_MAX_ATTEMPTS="3")
    assert get_settings().code_max_attempts == 3


def test_the_portal_command_stops_before_running_a_command(env, tmp_path, capsys):
    database = tmp_path / "portal.db"
    env(REFLEX_DB_URL=f"sqlite:///{database}", PORTAL_CODE_MAX_ATTEMPTS="-3")
    assert cli.main(["settings"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "error: PORTAL_CODE_MAX_ATTEMPTS must be a whole number of at least 1, got '-3'\n")
    assert not database.exists()


def test_the_installed_portal_command_exits_2_naming_the_variable(tmp_path):
    database = tmp_path / "xyz.db"
    environment = clean_environment() | {
        "REFLEX_DB_URL": f"sqlite:///{database}",
        "PORTAL_CODE_MAX_ATTEMPTS": "-3",
        "PORTAL_PUBLIC_URL": "notaurl",
    }
    portal = Path(sys.executable).parent / "portal"
    done = subprocess.run([portal, "settings"], env=environment, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: PORTAL_PUBLIC_URL must be {URL_WANTED}, got 'notaurl'\n"
        "PORTAL_CODE_MAX_ATTEMPTS must be a whole number of at least 1, got '-3'\n"
    )
    assert not database.exists()


def test_the_app_module_refuses_to_load(tmp_path):
    environment = clean_environment() | {
        "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_CODE_MAX_ATTEMPTS": "-3",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import portal_app.portal_app"],
        env=environment,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.endswith(
        "portal_app.kernel.settings.SettingsError: PORTAL_CODE_MAX_ATTEMPTS must be a whole number of at least 1, got '-3'\n"
    )
