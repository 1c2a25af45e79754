"""ProfileState and ProfileBannerState through the event pipeline.

The account is the one behind the HttpOnly session cookie of the socket's upgrade request, checked
against the database in every handler; nothing a client puts in an event can name another.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, func, select

from portal_app.accounts import sessions, tickets
from portal_app.accounts.models import Account, EmailCode
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile import email_change, service
from portal_app.profile.models import EmailChange, Profile
from portal_app.profile.ui.profile_state import FORM_FIELDS, ProfileBannerState, ProfileState
from portal_app.shell.ui.session_state import SessionState
from portal_app.timeline.models import Activity
from tests.profile.email_steps import PASSWORD, give_password
from tests.support.hostile_input import (
    NOT_A_FORM,
    NOT_A_STRING,
    ONE_MB,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
)
from tests.support.live_accounts import make_account, start_session
from tests.support.pipeline import event_name

COOKIE = tickets.SESSION_COOKIE
NEW = "ada.new@example.com"
GOOD = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "020 7946 0958",
    "address_line1": "12 St James's Square",
    "address_line2": "",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
    "time_zone": "Europe/London",
    "language": "en",
    "notify_courses": "on",
    "notify_affiliates": "on",
}
ENTER_CODE = "Enter the 6-digit code from the email."


def counts() -> dict[str, int]:
    with db.read_session() as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Account, Profile, EmailChange, Activity, OutboxEmail, EmailCode)
        }


def accounts() -> list[tuple]:
    with db.read_session() as session:
        return [(row.id, row.email, row.full_name) for row in session.exec(select(Account).order_by(col(Account.id)))]


def latest_code(address: str = NEW) -> str:
    with db.read_session() as session:
        email = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == address).order_by(col(OutboxEmail.id).desc())
        ).first()
    return re.match(r"(\d{6})\D", email.subject).group(1)


def code_attempts() -> list[int]:
    with db.read_session() as session:
        return [row.attempts for row in session.exec(select(EmailCode))]


def errors_of(state) -> dict[str, str]:
    return {name: getattr(state, f"{name}_error") for name in FORM_FIELDS if getattr(state, f"{name}_error")}


@pytest.fixture
def ada(pipeline, frozen_clock) -> tuple[int, str]:
    account_id = make_account("ada@example.com", "Ada Lovelace")
    return account_id, start_session(account_id)


async def open_profile(pipeline, token: str | None, path: str = "/profile"):
    return await pipeline.connect(path, cookie=f"theme=dark; {COOKIE}={token}" if token else None)


# --- loading -------------------------------------------------------------------------------------------


async def test_the_page_loads_the_signed_in_profile(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)

    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects() == []
    state = await client.state(ProfileState)
    assert state.loaded is True and state.form_key >= 1
    assert (state.full_name, state.email, state.phone, state.time_zone) == ("Ada Lovelace", "ada@example.com", "", "")
    assert state.missing == ["Phone"] and state.missing_text == "Phone"
    assert state.needed_for == "" and state.pending_email == ""
    titles = service.notification_apps()
    assert [row["key"] for row in state.notification_rows] == list(titles)
    assert all(row["checked"] == "on" and row["field"] == f"notify_{row['key']}" for row in state.notification_rows)


async def test_needed_for_names_the_app(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token, "/profile?needed_for=courses")
    state = await client.state(ProfileState)
    assert state.needed_for == service.app_title("courses") and state.missing == ["Phone"]

    odd = {
        "unknown": "nope",
        "empty": "",
        "one-mb": "c" * ONE_MB,
        "script": "<script>alert(1)</script>",
        "nul": "courses\x00",
        "emoji": "😀",
        "rtl-override": "\u202ecourses",
    }

    async def check(value):
        client = await pipeline.connect("/profile", cookie=f"{COOKIE}={token}")
        await client.send(ProfileState.load, {}, path=f"/profile?needed_for={value}")
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(ProfileState)).needed_for == ""

    await check_each(pipeline, caplog, odd, check)


async def test_without_a_session_nothing_is_shown_and_login_is_next(pipeline, caplog, ada):
    for cookie in [None, f"{COOKIE}=garbage", f"{COOKIE}={'a' * ONE_MB}"]:
        client = await pipeline.connect("/profile", cookie=cookie)
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(ProfileState)
        assert state.loaded is False and state.full_name == "" and state.email == "" and state.notification_rows == []
        assert client.redirects() == ["/login?next=/profile"]


# --- saving --------------------------------------------------------------------------------------------


async def test_saving_stores_the_profile_and_says_so(pipeline, caplog, ada):
    account_id, token = ada
    client = await open_profile(pipeline, token)
    key = (await client.state(ProfileState)).form_key

    await client.send(ProfileState.save, {"form_data": {**GOOD, "full_name": "Augusta Ada King"}})

    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(ProfileState)
    assert errors_of(state) == {} and state.notice == "Your profile was saved." and state.busy is False
    assert state.phone == "+442079460958" and state.missing == [] and state.form_key > key
    assert state.full_name == "Augusta Ada King"
    assert (await client.state(SessionState)).full_name == "Augusta Ada King"
    assert {row["key"]: row["checked"] for row in state.notification_rows}["communities"] == ""
    view = service.profile_for_apps(account_id)
    assert (view.phone, view.time_zone, view.language) == ("+442079460958", "Europe/London", "en")
    with db.read_session() as session:
        assert session.exec(select(Activity.kind).where(Activity.account_id == account_id)).all() == [
            "profile_completed"
        ]


async def test_forms_that_are_not_forms_store_nothing(pipeline, caplog, ada):
    _account_id, token = ada
    before = counts()

    async def check(form_data):
        client = await open_profile(pipeline, token)
        await client.send(ProfileState.save, {"form_data": form_data})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(ProfileState)
        assert errors_of(state) == {"full_name": "Enter your full name.", "email": "Enter your email address."}
        assert state.notice == "" and state.busy is False
        assert counts() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


BAD_VALUES = {
    **NOT_A_STRING,
    "one-mb": "x" * ONE_MB,
    "nul": "abc\x00def",
    "escape": "\x1b[31mred",
    "bell": "ding\x07",
    "rtl-override": "\u202eevil",
    "line-separator": "a\u2028b",
    "lone-surrogate": "\ud800",
}
# Every field that refuses each of BAD_VALUES (checkboxes refuse them too, under "email_notifications").
FIELDS_REFUSING_ALL = [
    "full_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "time_zone",
    "language",
    "notify_courses",
]


async def test_each_field_refuses_bad_values_with_a_message_next_to_it(pipeline, caplog, ada):
    account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": GOOD})
    before, view = counts(), service.profile_for_apps(account_id)
    cases = {
        f"{field}-{kind}": (field, value)
        for field in FIELDS_REFUSING_ALL
        for kind, value in BAD_VALUES.items()
        if not (value is None and field != "full_name" and field != "email")  # None is "left empty" elsewhere
        and not (value is False and field == "notify_courses")  # an unticked box
    }

    async def check(case):
        field, value = case
        tab = await open_profile(pipeline, token)
        await tab.send(ProfileState.save, {"form_data": {**GOOD, "full_name": "Changed Name", field: value}})
        assert_nothing_crashed(pipeline, caplog)
        state = await tab.state(ProfileState)
        expected = "email_notifications" if field == "notify_courses" else field
        errors = errors_of(state)
        assert list(errors) == [expected], errors
        assert_human_message(errors[expected])
        assert state.notice == "" and state.busy is False
        assert counts() == before and service.profile_for_apps(account_id) == view

    await check_each(pipeline, caplog, cases, check)


async def test_names_with_emoji_and_right_to_left_text_are_fine(pipeline, caplog, ada):
    account_id, token = ada
    for name in ["Ada 🚀 Lovelace", "محمد بن موسى الخوارزمي", "עדה לאבלייס"]:
        client = await open_profile(pipeline, token)
        await client.send(ProfileState.save, {"form_data": {**GOOD, "full_name": name}})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(ProfileState)).notice == "Your profile was saved."
        assert service.profile_for_apps(account_id).full_name == name


async def test_malformed_events_are_dropped(pipeline, caplog, ada):
    account_id, token = ada
    client = await open_profile(pipeline, token)
    before = counts()
    for payload in [{}, {"form_data": GOOD, "account_id": 2}, {"data": GOOD}, ["form_data"], "form_data", None]:
        await client.send_raw(
            {"name": event_name(ProfileState.save), "payload": payload, "router_data": {"pathname": "/profile"}}
        )
    for handler in (
        ProfileState.resend_email_code,
        ProfileState.resend_identity_code,
        ProfileState.cancel_email_change,
    ):
        await client.send(handler, {"form_data": GOOD})
    for payload in [{}, {"data": {"current_code": "123456"}}, ["form_data"], None]:
        await client.send_raw(
            {
                "name": event_name(ProfileState.confirm_identity),
                "payload": payload,
                "router_data": {"pathname": "/profile"},
            }
        )
    assert_nothing_crashed(pipeline, caplog)
    assert counts() == before and service.profile_for_apps(account_id).phone == ""


# --- identity ------------------------------------------------------------------------------------------


async def test_one_account_cannot_change_another(pipeline, caplog, ada):
    ada_id, ada_token = ada
    grace_id = make_account("grace@example.com", "Grace Hopper")
    grace_token = start_session(grace_id)
    grace_tab = await open_profile(pipeline, grace_token)

    # Everything in the payload that could name Ada is ignored: the cookie says Grace.
    hostile = {**GOOD, "account_id": ada_id, "id": ada_id, "email": "grace@example.com", "full_name": "Grace Hopper"}
    await grace_tab.send(ProfileState.save, {"form_data": hostile}, path=f"/profile?account_id={ada_id}")
    assert_nothing_crashed(pipeline, caplog)
    assert service.profile_for_apps(ada_id).phone == "" and service.profile_for_apps(grace_id).phone == "+442079460958"

    # Grace's tab can neither prove nor confirm Ada's email change with Ada's codes.
    ada_tab = await open_profile(pipeline, ada_token)
    await ada_tab.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    await grace_tab.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})
    assert (await grace_tab.state(ProfileState)).current_code_error == email_change.NO_CHANGE_WAITING
    await ada_tab.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})
    await grace_tab.send(ProfileState.confirm_email, {"form_data": {"code": latest_code()}})
    assert (await grace_tab.state(ProfileState)).code_error == email_change.NO_CHANGE_WAITING
    assert accounts() == [(ada_id, "ada@example.com", "Ada Lovelace"), (grace_id, "grace@example.com", "Grace Hopper")]

    # A tab with no cookie, whatever it sends, goes to login and changes nothing.
    before = counts()
    anonymous = await pipeline.connect("/profile")
    anonymous.clear_updates()
    await anonymous.send(ProfileState.save, {"form_data": hostile})
    await anonymous.send(ProfileState.confirm_email, {"form_data": {"code": latest_code()}})
    await anonymous.send(ProfileState.resend_email_code, {})
    await anonymous.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code()}})
    await anonymous.send(ProfileState.resend_identity_code, {})
    await anonymous.send(ProfileState.cancel_email_change, {})
    assert_nothing_crashed(pipeline, caplog)
    assert counts() == before and set(anonymous.redirects()) == {"/login?next=/profile"}
    assert (await anonymous.state(ProfileState)).full_name == ""


async def test_a_tab_whose_session_ended_is_sent_to_login(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    sessions.end_session(token)
    client.clear_updates()
    before = counts()

    await client.send(ProfileState.save, {"form_data": GOOD})

    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(ProfileState)
    assert client.redirects() == ["/login?next=/profile"]
    assert state.loaded is False and state.full_name == "" and state.email == ""
    assert counts() == before


# --- the email change ----------------------------------------------------------------------------------


async def start_change(client, address: str = NEW) -> None:
    """Save a new address and prove it is Ada with the code sent to her current address (she has no password)."""
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": address}})
    await client.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})


async def test_changing_the_email_through_the_page(pipeline, caplog, ada):
    account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    state = await client.state(ProfileState)
    assert (state.pending_email, state.email_step, state.email) == (NEW, "current_code", "ada@example.com")
    assert state.notice == (
        "Your profile was saved. To change your email, first enter the code we sent to your current address."
    )

    # Reloading the page keeps the pending change (nothing lives only in the tab).
    client = await open_profile(pipeline, token)
    assert (await client.state(ProfileState)).email_step == "current_code"

    await client.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})
    state = await client.state(ProfileState)
    assert state.current_code_error == "" and state.email_step == "new_code"
    assert state.code_notice == f"Thank you. We sent a code to {NEW}: enter it below."

    await client.send(ProfileState.confirm_email, {"form_data": {"code": latest_code()}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(ProfileState)
    assert state.code_error == "" and state.pending_email == "" and state.email_step == "" and state.email == NEW
    assert state.notice == (
        f"Your email is now {NEW}. We told your old address about the change, with a link to undo it if it wasn't you."
    )
    assert (await client.state(SessionState)).email == NEW
    assert accounts() == [(account_id, NEW, "Ada Lovelace")]


async def test_with_a_password_the_page_asks_for_it_next_to_the_field(pipeline, caplog, ada):
    account_id, token = ada
    give_password(account_id)
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    state = await client.state(ProfileState)
    assert state.email_step == "password"
    assert state.notice == "Your profile was saved. To change your email, confirm it's you with your current password."

    for form, message in [
        ({}, email_change.ENTER_PASSWORD),
        ({"current_password": ""}, email_change.ENTER_PASSWORD),
        ({"current_password": "not it"}, email_change.WRONG_PASSWORD),
    ]:
        await client.send(ProfileState.confirm_identity, {"form_data": form})
        state = await client.state(ProfileState)
        assert state.current_password_error == message and state.email_step == "password"
        assert_human_message(message)
    assert counts()["OutboxEmail"] == 0

    await client.send(ProfileState.confirm_identity, {"form_data": {"current_password": PASSWORD}})
    state = await client.state(ProfileState)
    assert state.current_password_error == "" and state.email_step == "new_code"
    await client.send(ProfileState.confirm_email, {"form_data": {"code": latest_code()}})
    assert (await client.state(ProfileState)).email == NEW
    assert_nothing_crashed(pipeline, caplog)


async def test_the_code_to_the_new_address_is_refused_before_the_proof(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    await client.send(ProfileState.confirm_email, {"form_data": {"code": "123456"}})
    assert (await client.state(ProfileState)).code_error == email_change.PROVE_FIRST
    await client.send(ProfileState.resend_email_code, {})
    assert (await client.state(ProfileState)).code_error == email_change.PROVE_FIRST
    assert accounts()[0][1] == "ada@example.com"
    assert_nothing_crashed(pipeline, caplog)


async def test_bad_proofs_are_refused_with_a_message(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    cases = {
        **{f"form-{kind}": value for kind, value in NOT_A_FORM.items()},
        **{f"code-{kind}": {"current_code": value} for kind, value in NOT_A_STRING.items()},
        "code-one-mb": {"current_code": "1" * ONE_MB},
        "code-nul": {"current_code": "123\x00456"},
        "password-field": {"current_password": "plum-velvet-orbit-42"},
    }

    async def check(form_data):
        tab = await open_profile(pipeline, token)
        await tab.send(ProfileState.confirm_identity, {"form_data": form_data})
        assert_nothing_crashed(pipeline, caplog)
        state = await tab.state(ProfileState)
        assert state.current_code_error == ENTER_CODE and state.code_busy is False
        assert state.email_step == "current_code"
        assert code_attempts() == [0]

    await check_each(pipeline, caplog, cases, check)


async def test_bad_codes_are_refused_without_using_an_attempt(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    await start_change(client)
    cases = {
        **{f"form-{kind}": value for kind, value in NOT_A_FORM.items()},
        **{f"code-{kind}": {"code": value} for kind, value in NOT_A_STRING.items()},
        "code-one-mb": {"code": "1" * ONE_MB},
        "code-nul": {"code": "123\x00456"},
        "code-fullwidth": {"code": "１２３４５６"},
        "code-as-number": {"code": int(latest_code())},
    }

    async def check(form_data):
        tab = await open_profile(pipeline, token)
        await tab.send(ProfileState.confirm_email, {"form_data": form_data})
        assert_nothing_crashed(pipeline, caplog)
        state = await tab.state(ProfileState)
        assert state.code_error == ENTER_CODE and state.code_busy is False
        assert code_attempts() == [1, 0]  # the code to the current address was used; the new one untouched
        assert accounts()[0][1] == "ada@example.com"

    await check_each(pipeline, caplog, cases, check)


async def test_five_wrong_codes_through_the_page(pipeline, caplog, ada):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    await start_change(client)
    right = latest_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    messages = []
    for _ in range(5):
        await client.send(ProfileState.confirm_email, {"form_data": {"code": wrong}})
        messages.append((await client.state(ProfileState)).code_error)
    assert messages[0] == "That code is not right. You have 4 attempts left."
    assert messages[-1] == "Too many wrong codes. Request a new code."
    for message in messages:
        assert_human_message(message)
    assert_nothing_crashed(pipeline, caplog)


async def test_resend_and_keep_the_current_email(pipeline, caplog, ada, frozen_clock):
    _account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})

    await client.send(ProfileState.resend_identity_code, {})
    assert (await client.state(ProfileState)).current_code_error.startswith("You asked for several codes just now.")
    frozen_clock.advance(seconds=61)
    await client.send(ProfileState.resend_identity_code, {})
    state = await client.state(ProfileState)
    assert state.current_code_error == ""
    assert state.code_notice == "We sent a new code to ada@example.com. Earlier codes no longer work."
    await client.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})

    await client.send(ProfileState.resend_email_code, {})
    assert (await client.state(ProfileState)).code_error.startswith("You asked for several codes just now.")
    frozen_clock.advance(seconds=61)
    await client.send(ProfileState.resend_email_code, {})
    state = await client.state(ProfileState)
    assert state.code_error == "" and state.code_notice == f"We sent a new code to {NEW}. Earlier codes no longer work."

    await client.send(ProfileState.cancel_email_change, {})
    state = await client.state(ProfileState)
    assert state.pending_email == "" and state.email_step == "" and state.notice == "Your email stays as it is."
    await client.send(ProfileState.confirm_email, {"form_data": {"code": latest_code()}})
    assert (await client.state(ProfileState)).code_error == email_change.NO_CHANGE_WAITING
    assert_nothing_crashed(pipeline, caplog)
    assert accounts()[0][1] == "ada@example.com"


async def test_another_tab_of_another_browser_does_not_see_the_change(pipeline, caplog, ada):
    account_id, token = ada
    client = await open_profile(pipeline, token)
    await client.send(ProfileState.save, {"form_data": {**GOOD, "email": NEW}})
    elsewhere = await open_profile(pipeline, start_session(account_id))
    state = await elsewhere.state(ProfileState)
    assert state.pending_email == "" and state.email_step == ""
    await elsewhere.send(ProfileState.confirm_identity, {"form_data": {"current_code": latest_code("ada@example.com")}})
    assert (await elsewhere.state(ProfileState)).current_code_error == email_change.NO_CHANGE_WAITING
    assert_nothing_crashed(pipeline, caplog)


async def test_an_address_in_use_fails_neutrally(pipeline, caplog, ada):
    _account_id, token = ada
    make_account("taken@example.com", "Someone Else")
    client = await open_profile(pipeline, token)
    await start_change(client, "taken@example.com")
    state = await client.state(ProfileState)
    assert state.pending_email == "taken@example.com" and state.email_step == "new_code" and errors_of(state) == {}

    await client.send(ProfileState.confirm_email, {"form_data": {"code": latest_code("taken@example.com")}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(ProfileState)
    assert state.pending_email == "" and state.email_error == email_change.CANNOT_CHANGE
    assert_human_message(state.email_error)
    assert accounts()[0][1] == "ada@example.com"


# --- the home banner -----------------------------------------------------------------------------------


async def test_the_banner_counts_what_is_left(pipeline, caplog, ada):
    _account_id, token = ada
    client = await pipeline.connect("/", cookie=f"{COOKIE}={token}")
    state = await client.state(ProfileBannerState)
    assert (state.left, state.required, state.missing_text) == (1, 3, "Phone"), "home's load shows the banner"
    await client.send(ProfileBannerState.load, {})
    state = await client.state(ProfileBannerState)
    assert (state.left, state.required, state.missing_text) == (1, 3, "Phone")

    profile_tab = await open_profile(pipeline, token)
    await profile_tab.send(ProfileState.save, {"form_data": GOOD})
    await client.send(ProfileBannerState.load, {})
    state = await client.state(ProfileBannerState)
    assert (state.left, state.required, state.missing_text) == (0, 3, "")

    anonymous = await pipeline.connect("/")
    await anonymous.send(ProfileBannerState.load, {"anything": 1})
    await anonymous.send(ProfileBannerState.load, {})
    state = await anonymous.state(ProfileBannerState)
    assert (state.left, state.required, state.missing_text) == (0, 0, "")
    assert_nothing_crashed(pipeline, caplog)
