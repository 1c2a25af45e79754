"""The business settings as the admin page edits them: read, validated, changed with an audit entry."""

from __future__ import annotations

from portal_app.admin import audit
from portal_app.apps import app_settings
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db


def list_choices() -> dict[str, tuple[str, ...]]:
    """The choices of each list setting; the page's form sends each as its own checkbox, "<setting>.<choice>"."""
    return {
        "enabled_apps": tuple(business.app_choices()),
        "apps_for_everyone": tuple(business.app_choices()),
        "required_profile_fields": tuple(business.PROFILE_FIELDS),
    }


TEXT_SETTINGS = ("name", "logo_url", "brand_color", "support_email", "default_landing_app", "time_zone")
FLAG_SETTINGS = ("allow_duplicate_contacts", "magic_links_enabled")


def current_settings() -> dict[str, object]:
    """Every changeable setting as stored; LookupError when there is no business row."""
    with db.read_session() as session:
        row = session.get(Business, BUSINESS_ID)
    if row is None:
        raise LookupError("no business row: run the portal once or seed the demo first")
    return business.settings_of(row)


def is_checked(value: object) -> bool:
    return value is True or value == "on"


def settings_from_form(form_data: object) -> dict[str, object]:
    """The whole settings form as update_settings takes it; a missing checkbox is off, odd values stay odd."""
    data = form_data if isinstance(form_data, dict) else {}
    values: dict[str, object] = {key: data.get(key, "") for key in TEXT_SETTINGS}
    for key in FLAG_SETTINGS:
        values[key] = is_checked(data.get(key))
    for key, choices in list_choices().items():
        values[key] = [choice for choice in choices if is_checked(data.get(f"{key}.{choice}"))]
    return values


def change_settings(actor: audit.Actor, changes: dict[str, object]) -> dict[str, tuple[object, object]]:
    """Validate and store settings with one audit entry for what changed (none when nothing did).

    Raises FormErrors (nothing stored) or LookupError (no business row).
    """
    with db.write_session() as session:
        changed = business.update_settings(session, changes)
        if changed:
            audit.record(
                session,
                actor,
                action="settings_changed",
                target="business",
                detail={key: {"from": old, "to": new} for key, (old, new) in changed.items()},
            )
    return changed


def change_app_settings(
    actor: audit.Actor, app_key: str, changes: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Validate and store some of a child app's own settings, with one audit entry for what changed.

    Raises FormErrors (nothing stored) or LookupError (no such app).
    """
    with db.write_session() as session:
        changed = app_settings.update_app_settings(session, app_key, changes)
        if changed:
            audit.record(
                session,
                actor,
                action="settings_changed",
                target=f"app {app_key}",
                detail={key: {"from": old, "to": new} for key, (old, new) in changed.items()},
            )
    return changed
