"""SignupState.submit through the event pipeline: any payload, refused with a message or stored whole."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.accounts.models import PendingSignup
from portal_app.accounts.ui.signup_state import SignupState
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from tests.support.hostile_input import (
    NOT_A_FORM,
    NOT_A_STRING,
    ONE_MB,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
    row_counts,
)

GOOD = {"full_name": "Ada Lovelace", "email": "ada@example.com", "password": "plum-velvet-orbit-42"}
NOTHING = {"Account": 0, "PendingSignup": 0, "OutboxEmail": 0, "EmailCode": 0, "UserSession": 0, "LoginTicket": 0}
ERROR_VARS = {"full_name": "full_name_error", "email": "email_error", "password": "password_error"}

ENTER = {
    "full_name": "Enter your full name.",
    "email": "Enter your email address.",
    "password": "Enter a password.",
}
TOO_LONG = {
    "full_name": "Use at most 100 characters for your name.",
    "email": "An email address can't be longer than 320 characters.",
    "password": "Use at most 256 characters.",
}
BAD_CHARACTER = {
    "full_name": "Your name contains invisible control characters. Please type it again.",
    "email": "Enter a valid email address, like name@example.com.",
    "password": "Your password contains a character that can't be used. Please type it again.",
}


def pending_signups() -> list[PendingSignup]:
    with db.read_session() as session:
        return list(session.exec(select(PendingSignup)))


def outbox() -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail)))


async def submit(pipeline, form_data):
    client = await pipeline.connect("/signup")
    await client.send(SignupState.submit, {"form_data": form_data})
    return client, await client.state(SignupState)


def errors_of(state) -> dict[str, str]:
    return {field: getattr(state, var) for field, var in ERROR_VARS.items()}


def assert_refused(pipeline, caplog, client, state, expected: dict[str, str]) -> None:
    """Exactly the expected fields carry their messages, nothing was stored, and no ticket was handed out."""
    assert_nothing_crashed(pipeline, caplog)
    errors = errors_of(state)
    for field, message in expected.items():
        assert errors[field] == message, f"{field}: {errors[field]!r}"
        assert_human_message(errors[field])
    for field in ERROR_VARS.keys() - expected.keys():
        assert errors[field] == "", f"{field} should have no error, got {errors[field]!r}"
    assert state.busy is False
    assert row_counts() == NOTHING
    assert not [script for script in client.scripts() if "/auth/ticket" in script]


async def test_a_valid_signup_stores_a_pending_signup_and_emails_its_code(pipeline, caplog):
    client, state = await submit(pipeline, GOOD)

    assert_nothing_crashed(pipeline, caplog)
    assert errors_of(state) == {"full_name": "", "email": "", "password": ""} and state.busy is False
    [pending] = pending_signups()
    assert (pending.email, pending.full_name) == ("ada@example.com", "Ada Lovelace")
    assert pending.password_hash.startswith("$argon2id$") and GOOD["password"] not in pending.password_hash
    [email] = outbox()
    assert email.to_email == "ada@example.com" and email.template == "signup_code"
    assert row_counts()["Account"] == 0
    [ticket_url] = [url for url in client.page_loads() if url.startswith("/auth/ticket?t=")]
    assert len(ticket_url) > len("/auth/ticket?t=") + 40


ACCEPTED_NAMES = {
    "arabic-right-to-left": "عائشة الحربي",
    "hebrew-right-to-left": "דוד לוי",
    "mixed-directions": "محمد O'Brien-Jones",
    "emoji": "Zoë 😀 Smith",
    "emoji-zero-width-joiner": "👩‍👩‍👧 family",
    "flag-and-cyrillic": "🇺🇦 Олена Петренко",
    "cjk": "山田 太郎",
}


async def test_names_in_any_script_and_with_emoji_are_accepted_and_stored_unchanged(pipeline, caplog):
    async def check(full_name):
        email = f"user{len(pending_signups())}@example.com"
        client, state = await submit(pipeline, {**GOOD, "full_name": full_name, "email": email})
        assert_nothing_crashed(pipeline, caplog)
        assert errors_of(state) == {"full_name": "", "email": "", "password": ""}
        [pending] = [row for row in pending_signups() if row.email == email]
        assert pending.full_name == full_name
        # The name is kept for the account, but not said to an address nobody has proven yet.
        [sent] = [row for row in outbox() if row.to_email == email]
        assert full_name not in sent.text_body and full_name not in sent.html_body

    await check_each(pipeline, caplog, ACCEPTED_NAMES, check)


async def test_extra_keys_in_the_form_are_ignored(pipeline, caplog):
    form = {
        **GOOD,
        "id": 1,
        "is_admin": True,
        "email_verified_at": "2020-01-01T00:00:00Z",
        "exclusive_email": "boss@example.com",
        "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
        "nested": {"deep": {"deeper": ["x" * 1000]}},
    }
    client, state = await submit(pipeline, form)

    assert_nothing_crashed(pipeline, caplog)
    assert errors_of(state) == {"full_name": "", "email": "", "password": ""}
    [pending] = pending_signups()
    assert pending.email == "ada@example.com" and pending.password_hash != form["password_hash"]
    assert row_counts()["Account"] == 0


async def check_refusals(pipeline, caplog, cases: dict, expected) -> None:
    """Submit each form from a fresh tab; `expected(case_value)` gives the field messages it must get."""

    async def check(form):
        client, state = await submit(pipeline, form)
        assert_refused(pipeline, caplog, client, state, expected(form))

    await check_each(pipeline, caplog, cases, check)


async def test_a_payload_that_is_not_a_form_is_refused_field_by_field(pipeline, caplog):
    await check_refusals(pipeline, caplog, NOT_A_FORM, lambda form: ENTER)


@pytest.mark.parametrize("field", ERROR_VARS)
async def test_a_missing_blank_or_non_string_field_is_refused(pipeline, caplog, field):
    cases = {
        "missing": {key: value for key, value in GOOD.items() if key != field},
        "blank": {**GOOD, field: "" if field == "password" else " \t\u3000 "},
        **{kind: {**GOOD, field: value} for kind, value in NOT_A_STRING.items()},
    }
    await check_refusals(pipeline, caplog, cases, lambda form: {field: ENTER[field]})


async def test_one_megabyte_in_any_field_is_refused(pipeline, caplog):
    cases = {field: {**GOOD, field: "a" * ONE_MB} for field in GOOD}
    cases["every-field"] = {field: "é" * ONE_MB for field in GOOD}
    await check_refusals(
        pipeline,
        caplog,
        cases,
        lambda form: {field: TOO_LONG[field] for field in GOOD if len(form[field]) > ONE_MB // 2},
    )


BAD_CHARACTERS = {
    "nul": "\x00",
    "escape-sequence": "\x1b[31m",
    "bell": "\x07",
    "newline": "\n",
    "delete": "\x7f",
    "c1-control": "\x85",
    "right-to-left-override": "\u202e",
    "lone-high-surrogate": "\ud800",
    "lone-low-surrogate": "\udfff",
}
# A password is hashed, never shown: only characters that cannot be hashed or typed back are refused.
REFUSED_IN_PASSWORD = {"nul", "lone-high-surrogate", "lone-low-surrogate"}


@pytest.mark.parametrize("field", ["full_name", "email"])
async def test_control_characters_and_lone_surrogates_are_refused_in_name_and_email(pipeline, caplog, field):
    cases = {
        name: {**GOOD, field: f"Ada{char}Lovelace" if field == "full_name" else f"ada{char}x@example.com"}
        for name, char in BAD_CHARACTERS.items()
    }
    await check_refusals(pipeline, caplog, cases, lambda form: {field: BAD_CHARACTER[field]})


async def test_nul_and_lone_surrogates_are_refused_in_the_password(pipeline, caplog):
    cases = {name: {**GOOD, "password": f"plum-velvet{BAD_CHARACTERS[name]}orbit-42"} for name in REFUSED_IN_PASSWORD}
    await check_refusals(pipeline, caplog, cases, lambda form: {"password": BAD_CHARACTER["password"]})


async def test_other_control_characters_in_the_password_do_not_crash(pipeline, caplog):
    cases = {name: char for name, char in BAD_CHARACTERS.items() if name not in REFUSED_IN_PASSWORD}

    async def check(char):
        email = f"user{len(pending_signups())}@example.com"
        client, state = await submit(pipeline, {**GOOD, "email": email, "password": f"plum-velvet{char}orbit-42"})
        assert_nothing_crashed(pipeline, caplog)
        assert errors_of(state) == {"full_name": "", "email": "", "password": ""}
        assert [row.email for row in pending_signups()][-1] == email

    await check_each(pipeline, caplog, cases, check)


async def test_every_field_bad_at_once_gets_three_messages(pipeline, caplog):
    form = {"full_name": "\ud800", "email": ["x"], "password": "x" * ONE_MB, "extra": None}
    client, state = await submit(pipeline, form)
    assert_refused(
        pipeline,
        caplog,
        client,
        state,
        {"full_name": BAD_CHARACTER["full_name"], "email": ENTER["email"], "password": TOO_LONG["password"]},
    )


async def test_an_invalid_address_gets_the_validators_message(pipeline, caplog):
    cases = {
        "no-at-sign": "ada.example.com",
        "two-at-signs": "ada@@example.com",
        "no-domain": "ada@",
        "emoji-domain": "ada@😀.example",
        "right-to-left-text": "مستخدم@مثال",
        "spaces": "ada lovelace@example.com",
    }

    async def check(email):
        client, state = await submit(pipeline, {**GOOD, "email": email})
        assert_nothing_crashed(pipeline, caplog)
        assert_human_message(state.email_error)
        assert state.full_name_error == state.password_error == ""
        assert row_counts() == NOTHING

    await check_each(pipeline, caplog, cases, check)


async def test_the_error_vars_clear_on_the_next_good_submit(pipeline, caplog):
    client = await pipeline.connect("/signup")
    await client.send(SignupState.submit, {"form_data": None})
    assert (await client.state(SignupState)).full_name_error

    await client.send(SignupState.submit, {"form_data": GOOD})

    assert_nothing_crashed(pipeline, caplog)
    assert errors_of(await client.state(SignupState)) == {"full_name": "", "email": "", "password": ""}
    assert len(pending_signups()) == 1 and len(outbox()) == 1
