"""The profile: details every child app may use, which of them the business requires, and saving them.

Full name and email live on the account; the rest in the Profile row. Until the required fields
are filled in, child apps send the person to /profile. Completing them is recorded on the
timeline once. A new email is only taken once the person proved it is them and a code sent to the new
address comes back (email_change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, update

from portal_app.accounts.models import Account, UserSession
from portal_app.accounts.sessions import NOT_SIGNED_IN, SessionInfo, signed_in_account
from portal_app.accounts.validation import normalize_email
from portal_app.apps import registry
from portal_app.business import service as business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile import email_change
from portal_app.profile.choices import FIELD_LABELS
from portal_app.profile.models import Profile
from portal_app.profile.validation import (
    MAX_ADDRESS_LINE,
    MAX_CITY,
    Address,
    check_address,
    clean_country,
    clean_language,
    clean_name,
    clean_notification_choice,
    clean_phone,
    clean_postal_code,
    clean_text,
    clean_time_zone,
)
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

PROFILE_COMPLETED = "profile_completed"
PROFILE_COMPLETED_SUMMARY = "Profile completed"


def notification_field(app_key: str) -> str:
    """The form field (a checkbox) for one app's email notifications."""
    return f"notify_{app_key}"


@dataclass(frozen=True)
class ProfileView:
    """The profile as every child app sees it (never the account row: it holds the password hash)."""

    account_id: int
    full_name: str
    email: str
    # E.164, or "".
    phone: str
    # None when no address was given.
    address: Address | None
    time_zone: str
    language: str
    # app key -> whether the person wants that app's emails.
    email_notifications: dict[str, bool] = field(default_factory=dict)

    def wants_email_from(self, app_key: str) -> bool:
        """Whether the app may email this person; on unless they switched it off."""
        return self.email_notifications.get(app_key, True)


@dataclass(frozen=True)
class ProfilePage:
    """What /profile shows: the profile, what is still required, and this browser's email change under way."""

    profile: ProfileView
    missing: list[str]
    pending_email: str | None
    # What the change asks for next (email_change.STEP_*), None without a change.
    email_step: str | None
    pending_code_expires_at: datetime | None


@dataclass(frozen=True)
class SaveResult:
    # The new address the email is to change to, once the person proved it is them and entered its code.
    email_change_to: str | None
    # What the change asks for next (email_change.STEP_PASSWORD or STEP_CURRENT_CODE), None without a change.
    email_step: str | None
    # Labels of the required fields still empty after the save.
    missing: list[str]


# --- Reading ---------------------------------------------------------------------------------------


def notification_apps() -> dict[str, str]:
    """The apps whose emails the person can switch on or off: those the business has enabled, by key."""
    enabled = set(business.get_business().enabled_apps)
    return {key: title for key, title in registry.app_choices().items() if key in enabled}


def required_in(keys) -> list[str]:
    """The profile fields among `keys` (a business's required fields), in the form's order."""
    wanted = set(keys)
    return [key for key in FIELD_LABELS if key in wanted]


def required_fields() -> list[str]:
    """The business's required profile fields (keys), in the form's order."""
    return required_in(business.get_business().required_profile_fields)


def _view(account: Account, profile: Profile | None) -> ProfileView:
    if profile is None:
        return ProfileView(
            account_id=account.id,
            full_name=account.full_name,
            email=account.email,
            phone="",
            address=None,
            time_zone="",
            language="",
            email_notifications={key: True for key in registry.app_choices()},
        )
    address = Address(
        line1=profile.address_line1,
        line2=profile.address_line2,
        city=profile.city,
        postal_code=profile.postal_code,
        country=profile.country,
    )
    stored = profile.email_notifications or {}
    return ProfileView(
        account_id=account.id,
        full_name=account.full_name,
        email=account.email,
        phone=profile.phone,
        address=None if address.is_empty else address,
        time_zone=profile.time_zone,
        language=profile.language,
        email_notifications={key: bool(stored.get(key, True)) for key in registry.app_choices()},
    )


def _is_filled(view: ProfileView, key: str) -> bool:
    if key == "address":
        return view.address is not None and view.address.is_complete
    return bool(getattr(view, key))


def _missing(view: ProfileView, required: list[str]) -> list[str]:
    return [FIELD_LABELS[key] for key in required if not _is_filled(view, key)]


def _load(session: Session, account_id: int) -> ProfileView | None:
    account = session.get(Account, account_id)
    if account is None:
        return None
    return _view(account, session.get(Profile, account_id))


def profile_for_apps(account_id: int) -> ProfileView | None:
    """The person's details for a child app: name, email, phone, address, time zone, language, email choices."""
    with db.read_session() as session:
        return _load(session, account_id)


def missing_of(account: Account, profile: Profile | None, required_keys) -> list[str]:
    """Labels of the required fields (keys from the business settings) still empty, from rows the caller has
    read (the account and its profile row, or None when it has none yet)."""
    return _missing(_view(account, profile), required_in(required_keys))


def missing_required_fields(account_id: int) -> list[str]:
    """Labels of the required fields still empty ("Phone", "Time zone"); [] when the profile is complete."""
    required = required_fields()
    view = profile_for_apps(account_id)
    if view is None:
        return [FIELD_LABELS[key] for key in required]
    return _missing(view, required)


def profile_is_complete(account_id: int) -> bool:
    """Whether every field the business requires is filled in (child apps open only then)."""
    return not missing_required_fields(account_id)


def profile_progress(account_id: int) -> tuple[int, int]:
    """(filled, required) for the home banner: "1 of 3 details left" is (2, 3)."""
    required = required_fields()
    return len(required) - len(missing_required_fields(account_id)), len(required)


def app_title(app_key: object) -> str | None:
    """The title of a child app ("Complete your profile to open <title>"), or None for an unknown key."""
    if not isinstance(app_key, str) or not 0 < len(app_key) <= 64:
        return None
    return registry.app_choices().get(app_key)


def app_route(app_key: object) -> str | None:
    """The entry page of a child app, once the app registry knows it; None otherwise."""
    try:
        from portal_app.apps import registry
    except ImportError:
        return None
    app = registry.get_app(app_key)
    return app.route if app is not None else None


def page_view(account_id: int, session_id: int | None = None) -> ProfilePage | None:
    """Everything /profile shows for the signed-in account, with the email change `session_id` opened (if any);
    None when the account is gone."""
    required = required_fields()
    with db.read_session() as session:
        account = session.get(Account, account_id)
        if account is None:
            return None
        view = _view(account, session.get(Profile, account_id))
        pending = email_change.pending_change(session, account_id, session_id)
        code_expires_at = email_change.code_expiry(session, pending) if pending else None
        step = email_change.step_of(pending, account) if pending else None
    return ProfilePage(
        profile=view,
        missing=_missing(view, required),
        pending_email=pending.new_email if pending else None,
        email_step=step,
        pending_code_expires_at=code_expires_at,
    )


# --- Saving ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CleanForm:
    full_name: str
    email: str
    phone: str
    address: Address
    time_zone: str
    language: str
    email_notifications: dict[str, bool]


def _clean_form(form: object, notification_keys) -> _CleanForm:
    """Every field checked; FormErrors with a message for each refused one.

    Only the apps in `notification_keys` have a checkbox on the form; the choices for others are kept.
    """
    values: Mapping = form if isinstance(form, Mapping) else {}
    errors: dict[str, str] = {}

    def collect(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except FieldError as error:
            errors.setdefault(error.field, error.message)
            return None

    full_name = collect(clean_name, values.get("full_name"))
    email = collect(normalize_email, values.get("email"))
    country = collect(clean_country, values.get("country"))
    # A refused country cannot tell how to read a national number: the phone is checked once it is fixed.
    phone = collect(clean_phone, values.get("phone"), region=country or None) if "country" not in errors else ""
    line1 = collect(
        clean_text, "address_line1", values.get("address_line1"), label="street address", max_length=MAX_ADDRESS_LINE
    )
    line2 = collect(
        clean_text,
        "address_line2",
        values.get("address_line2"),
        label="second address line",
        max_length=MAX_ADDRESS_LINE,
    )
    city = collect(clean_text, "city", values.get("city"), label="city", max_length=MAX_CITY)
    postal_code = collect(clean_postal_code, values.get("postal_code"))
    time_zone = collect(clean_time_zone, values.get("time_zone"))
    language = collect(clean_language, values.get("language"))
    notifications = {
        key: collect(clean_notification_choice, "email_notifications", values.get(notification_field(key)))
        for key in notification_keys
    }
    address = Address(
        line1=line1 or "", line2=line2 or "", city=city or "", postal_code=postal_code or "", country=country or ""
    )
    for name, message in check_address(address).items():
        errors.setdefault(name, message)
    if errors:
        raise FormErrors(errors)
    return _CleanForm(
        full_name=full_name,
        email=email,
        phone=phone,
        address=address,
        time_zone=time_zone,
        language=language,
        email_notifications=notifications,
    )


def _upsert_profile(session: Session, account_id: int, clean: _CleanForm) -> None:
    """Insert or update the profile row in one statement, so two first saves at once cannot collide."""
    existing = session.get(Profile, account_id)
    notifications = {**((existing.email_notifications or {}) if existing else {}), **clean.email_notifications}
    values = {
        "phone": clean.phone,
        "address_line1": clean.address.line1,
        "address_line2": clean.address.line2,
        "city": clean.address.city,
        "postal_code": clean.address.postal_code,
        "country": clean.address.country,
        "time_zone": clean.time_zone,
        "language": clean.language,
        "email_notifications": notifications,
        "updated_at": clock.now(),
    }
    db.upsert(session, Profile, key={"account_id": account_id}, values=values)


def _record_completion(session: Session, account_id: int, missing: list[str]) -> None:
    """The first time nothing required is missing: "Profile completed" on the timeline, exactly once."""
    if missing:
        return
    now = clock.now()
    first = session.exec(
        update(Profile)
        .where(Profile.account_id == account_id, col(Profile.completed_at).is_(None))
        .values(completed_at=now)
    )
    if first.rowcount == 1:
        activity.record(
            session,
            account_id=account_id,
            app_key=PORTAL_APP_KEY,
            kind=PROFILE_COMPLETED,
            summary=PROFILE_COMPLETED_SUMMARY,
            at=now,
        )


def save_profile(
    signed_in: SessionInfo | None, form: object, *, ip: object = "", user_agent: object = ""
) -> SaveResult:
    """Check and store the signed-in account's profile; a new email opens a change (email_change), the
    account keeps its address until the person proved it is them and entered the code sent to the new one.

    All or nothing: raises FormErrors (nothing stored, no code sent) when any field is refused,
    including a code-sending limit on "email"; PermissionError when the session is unknown or over.
    """
    info, account = signed_in_account(signed_in)
    clean = _clean_form(form, notification_apps())
    required = required_fields()
    with db.write_session() as session:
        current = session.get(Account, account.id)
        if current is None or session.get(UserSession, info.id) is None:
            raise PermissionError(NOT_SIGNED_IN)
        new_email = clean.email if clean.email != current.email else None
        step = None
        if new_email is not None:
            try:
                step = email_change.start(
                    session, account=current, session_id=info.id, new_email=new_email, ip=ip, user_agent=user_agent
                )
            except FieldError as error:
                raise FormErrors({"email": error.message}) from None
        session.exec(update(Account).where(Account.id == current.id).values(full_name=clean.full_name))
        _upsert_profile(session, current.id, clean)
        session.flush()
        session.expire_all()
        view = _load(session, current.id)
        missing = _missing(view, required)
        _record_completion(session, current.id, missing)
    return SaveResult(email_change_to=new_email, email_step=step, missing=missing)
