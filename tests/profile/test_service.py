"""Saving the profile, the business's required fields, completeness and progress, the view child apps read."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from portal_app.accounts import sessions
from portal_app.accounts.models import Account, EmailCode
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile import service
from portal_app.profile.models import EmailChange, Profile
from portal_app.profile.service import FormErrors
from portal_app.profile.validation import Address
from portal_app.timeline.models import Activity
from tests.support.live_accounts import make_account, set_business, start_session

ONE_MB = 1024 * 1024
EVERY_FIELD = ["full_name", "email", "phone", "address", "time_zone", "language"]
COMPLETE = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0958",
    "address_line1": "12 St James's Square",
    "address_line2": "",
    "city": "London",
    "postal_code": "sw1y 4jh",
    "country": "GB",
    "time_zone": "Europe/London",
    "language": "en",
    "notify_courses": "on",
    "notify_communities": "on",
    "notify_affiliates": "on",
}


def counts() -> dict[str, int]:
    with db.read_session() as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Profile, EmailChange, Activity, OutboxEmail, EmailCode, Account)
        }


def completions(account_id: int) -> list[Activity]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(Activity).where(Activity.account_id == account_id, Activity.kind == "profile_completed")
            )
        )


def refused(token: str, form: object) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        service.save_profile(sessions.current_session(token), form)
    return caught.value.errors


# --- required fields, completeness, progress -------------------------------------------------------


def test_a_new_account_misses_only_its_phone_by_default(ada):
    account_id, _token = ada
    assert service.required_fields() == ["full_name", "email", "phone"]
    assert service.missing_required_fields(account_id) == ["Phone"]
    assert service.profile_is_complete(account_id) is False
    assert service.profile_progress(account_id) == (2, 3)


def test_the_business_decides_which_fields_are_required(ada):
    account_id, token = ada
    set_business(required_profile_fields=["language", "address", "time_zone", "phone", "no_such_field"])
    assert service.missing_required_fields(account_id) == ["Phone", "Address", "Time zone", "Preferred language"]
    assert service.profile_progress(account_id) == (0, 4)

    service.save_profile(
        sessions.current_session(token),
        {**COMPLETE, "address_line1": "", "city": "", "postal_code": "", "country": "", "language": ""},
    )
    assert service.missing_required_fields(account_id) == ["Address", "Preferred language"]
    assert service.profile_progress(account_id) == (2, 4)

    set_business(required_profile_fields=["full_name", "email"])
    assert service.missing_required_fields(account_id) == []
    assert service.profile_is_complete(account_id) and service.profile_progress(account_id) == (2, 2)

    set_business(required_profile_fields=[])
    assert service.profile_is_complete(account_id) and service.profile_progress(account_id) == (0, 0)


def test_an_unknown_account_is_never_complete(database):
    assert service.missing_required_fields(987654) == ["Full name", "Email", "Phone"]
    assert service.profile_is_complete(987654) is False
    assert service.profile_for_apps(987654) is None


# --- saving ------------------------------------------------------------------------------------------


def test_saving_stores_clean_values_and_the_phone_in_e164(ada):
    account_id, token = ada
    result = service.save_profile(
        sessions.current_session(token), {**COMPLETE, "full_name": "  Augusta Ada King  ", "phone": "020 7946 0958"}
    )
    assert result == service.SaveResult(email_change_to=None, email_step=None, missing=[])

    view = service.profile_for_apps(account_id)
    assert view == service.ProfileView(
        account_id=account_id,
        full_name="Augusta Ada King",
        email="ada@example.com",
        phone="+442079460958",
        address=Address(line1="12 St James's Square", line2="", city="London", postal_code="SW1Y 4JH", country="GB"),
        time_zone="Europe/London",
        language="en",
        email_notifications=view.email_notifications,
    )
    assert all(view.wants_email_from(key) for key in service.notification_apps())
    assert view.address.country_name == "United Kingdom"
    with db.read_session() as session:
        assert session.get(Profile, account_id).phone == "+442079460958"


def test_the_country_is_the_region_for_national_numbers(ada):
    account_id, token = ada
    service.save_profile(
        sessions.current_session(token),
        {**COMPLETE, "phone": "(415) 555-2671", "country": "US", "city": "San Francisco"},
    )
    assert service.profile_for_apps(account_id).phone == "+14155552671"
    errors = refused(
        token,
        {**COMPLETE, "phone": "(415) 555-2671", "address_line1": "", "city": "", "postal_code": "", "country": ""},
    )
    assert errors == {"phone": "Start with your country code, like +44 20 7946 0958, or choose your country below."}


@pytest.mark.parametrize(
    "name", ["Ada 🚀 Lovelace", "محمد بن موسى", "עדה לאבלייס", "李小龍", "Zoë O'Brien-Łukasiewicz"]
)
def test_names_in_any_script_and_with_emoji_are_kept(ada, name):
    account_id, token = ada
    service.save_profile(sessions.current_session(token), {**COMPLETE, "full_name": name})
    assert service.profile_for_apps(account_id).full_name == name


def test_notification_choices_per_app(ada):
    account_id, token = ada
    apps = list(service.notification_apps())
    assert apps[:3] == ["courses", "communities", "affiliates"]
    service.save_profile(
        sessions.current_session(token),
        {**COMPLETE, "notify_courses": "on", "notify_communities": None, "notify_affiliates": ""},
    )
    view = service.profile_for_apps(account_id)
    assert view.wants_email_from("courses") and not view.wants_email_from("communities")
    assert not view.wants_email_from("affiliates")


def test_choices_for_apps_the_business_has_switched_off_are_kept(ada):
    account_id, token = ada
    service.save_profile(sessions.current_session(token), {**COMPLETE, "notify_communities": ""})
    set_business(enabled_apps=["courses"])
    assert list(service.notification_apps()) == ["courses"]
    service.save_profile(sessions.current_session(token), {**COMPLETE, "notify_courses": ""})
    view = service.profile_for_apps(account_id)
    assert not view.wants_email_from("courses") and not view.wants_email_from("communities")
    assert view.wants_email_from("affiliates")


def test_an_empty_optional_address_is_no_address(ada):
    account_id, token = ada
    service.save_profile(
        sessions.current_session(token),
        {**COMPLETE, "address_line1": " ", "city": "", "postal_code": "", "country": ""},
    )
    assert service.profile_for_apps(account_id).address is None


BAD_FORMS = {
    "not-a-dict": "full_name=Ada",
    "list": [["full_name", "Ada"]],
    "none": None,
    "int": 42,
    "empty": {},
}


@pytest.mark.parametrize("form", BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_a_form_that_is_not_a_form_stores_nothing(ada, form):
    _account_id, token = ada
    before = counts()
    errors = refused(token, form)
    assert errors == {"full_name": "Enter your full name.", "email": "Enter your email address."}
    assert counts() == before


BAD_FIELDS = {
    "name-1mb": ({"full_name": "A" * ONE_MB}, "full_name"),
    "name-nul": ({"full_name": "Ada\x00"}, "full_name"),
    "name-bidi-override": ({"full_name": "\u202eAda"}, "full_name"),
    "name-dict": ({"full_name": {"$ne": ""}}, "full_name"),
    "email-1mb": ({"email": "a" * ONE_MB + "@example.com"}, "email"),
    "email-list": ({"email": ["ada@example.com"]}, "email"),
    "email-not-an-address": ({"email": "ada at example"}, "email"),
    "phone-1mb": ({"phone": "1" * ONE_MB}, "phone"),
    "phone-int": ({"phone": 442079460958}, "phone"),
    "phone-letters": ({"phone": "call me"}, "phone"),
    "phone-control": ({"phone": "+44 20 7946 0958\x07"}, "phone"),
    "line1-1mb": ({"address_line1": "x" * ONE_MB}, "address_line1"),
    "line2-escape": ({"address_line2": "\x1b[2J"}, "address_line2"),
    "city-bool": ({"city": True}, "city"),
    "postal-1mb": ({"postal_code": "1" * ONE_MB}, "postal_code"),
    "country-unknown": ({"country": "ZZ"}, "country"),
    "country-list": ({"country": ["GB"]}, "country"),
    "time-zone-unknown": ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    "time-zone-1mb": ({"time_zone": "E" * ONE_MB}, "time_zone"),
    "language-unknown": ({"language": "tlh"}, "language"),
    "language-dict": ({"language": {"en": True}}, "language"),
    "notification-garbage": ({"notify_courses": "maybe"}, "email_notifications"),
    "notification-1mb": ({"notify_courses": "on" * ONE_MB}, "email_notifications"),
}


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_one_bad_field_refuses_the_whole_save_with_a_message_next_to_it(ada, change, field):
    account_id, token = ada
    service.save_profile(sessions.current_session(token), COMPLETE)
    before, view = counts(), service.profile_for_apps(account_id)
    errors = refused(token, {**COMPLETE, "full_name": "Someone Else", "phone": "+33 1 23 45 67 89", **change})
    assert list(errors) == [field]
    message = errors[field]
    assert message.isprintable() and len(message) < 200 and message.endswith(".")
    assert counts() == before and service.profile_for_apps(account_id) == view


def test_several_bad_fields_each_get_their_message(ada):
    _account_id, token = ada
    errors = refused(
        token, {**COMPLETE, "phone": "nope", "time_zone": "nope", "language": "nope", "address_line1": "", "city": ""}
    )
    assert set(errors) == {"phone", "time_zone", "language", "address_line1", "city"}


def test_saving_needs_a_live_session(ada, frozen_clock):
    account_id, token = ada
    before = counts()
    for bad_token in [None, "", "not-a-token", "x" * ONE_MB, 42, ["t"], token + "x"]:
        with pytest.raises(PermissionError):
            service.save_profile(sessions.current_session(bad_token), COMPLETE)
    frozen_clock.advance(days=31)
    with pytest.raises(PermissionError):
        service.save_profile(sessions.current_session(token), COMPLETE)
    assert counts() == before
    assert service.profile_for_apps(account_id).phone == ""


def test_a_session_only_ever_changes_its_own_account(ada):
    ada_id, ada_token = ada
    grace_id = make_account("grace@example.com", "Grace Hopper")
    grace_token = start_session(grace_id)
    service.save_profile(
        sessions.current_session(grace_token),
        {**COMPLETE, "full_name": "Grace Hopper", "email": "grace@example.com", "account_id": ada_id},
    )
    assert service.profile_for_apps(ada_id).phone == "" and service.profile_for_apps(ada_id).full_name == "Ada Lovelace"
    assert service.profile_for_apps(grace_id).phone == "+442079460958"
    service.save_profile(sessions.current_session(ada_token), COMPLETE)
    assert service.profile_for_apps(grace_id).full_name == "Grace Hopper"


# --- "Profile completed" on the timeline -----------------------------------------------------------


def test_completing_the_profile_is_recorded_once(ada, frozen_clock):
    account_id, token = ada
    service.save_profile(sessions.current_session(token), {**COMPLETE, "phone": ""})
    assert completions(account_id) == []

    service.save_profile(sessions.current_session(token), COMPLETE)
    [entry] = completions(account_id)
    assert (entry.app_key, entry.kind, entry.summary, entry.occurred_at) == (
        "portal",
        "profile_completed",
        "Profile completed",
        frozen_clock.current,
    )
    with db.read_session() as session:
        assert session.get(Profile, account_id).completed_at == frozen_clock.current

    # Saved again, emptied and completed again, or asked for more and completed again: still once.
    service.save_profile(sessions.current_session(token), COMPLETE)
    service.save_profile(sessions.current_session(token), {**COMPLETE, "phone": ""})
    service.save_profile(sessions.current_session(token), COMPLETE)
    set_business(required_profile_fields=EVERY_FIELD)
    service.save_profile(sessions.current_session(token), COMPLETE)
    assert len(completions(account_id)) == 1


def test_a_refused_save_records_nothing(ada):
    account_id, token = ada
    refused(token, {**COMPLETE, "language": "xx"})
    assert completions(account_id) == []


# --- what other parts of the portal read -----------------------------------------------------------


def test_app_titles_for_the_message(database):
    assert service.app_title("courses") == service.notification_apps()["courses"]
    for bad in ["nope", "", "x" * ONE_MB, None, 42, ["courses"], {"courses": 1}]:
        assert service.app_title(bad) is None


def test_page_view_for_a_new_account(ada):
    account_id, _token = ada
    page = service.page_view(account_id)
    assert page.missing == ["Phone"] and page.pending_email is None and page.pending_code_expires_at is None
    assert page.email_step is None
    assert page.profile.full_name == "Ada Lovelace" and page.profile.address is None
    assert service.page_view(987654) is None
