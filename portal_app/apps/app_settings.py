"""The settings each child app declares (registry.Setting): typed, validated, stored per business.

An app reads its values with `app_settings(key)` (defaults filled in for what the owner never
changed); the owner changes them on /admin/apps/<key>/settings or with `portal settings <key>.<name> VALUE`,
both through update_app_settings, which checks every value and is audited by its caller.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.apps import registry
from portal_app.apps.models import AppSettingValue
from portal_app.apps.registry import ChildApp, Setting
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.text import on_off


def clean_setting_value(setting: Setting, raw: object) -> object:
    """The value as the app gets it, or FieldError(setting.key) with a sentence for the owner."""
    return setting.clean(raw)


def parse_setting_text(setting: Setting, text: str) -> object:
    """A value typed on the command line, as clean_setting_value takes it."""
    if setting.kind == "bool":
        return on_off(text)
    return text


def _app(app_key: object) -> ChildApp:
    app = registry.get_app(app_key)
    if app is None:
        raise LookupError(f"no app {str(app_key)[:40]!r}")
    return app


def _stored(session: Session, app_key: str) -> dict[str, object]:
    rows = session.exec(select(AppSettingValue).where(AppSettingValue.app_key == app_key))
    return {row.key: row.value for row in rows}


def _with_defaults(app: ChildApp, stored: dict[str, object]) -> dict[str, object]:
    values = {}
    for setting in app.settings:
        value = stored.get(setting.key, setting.default)
        try:
            values[setting.key] = clean_setting_value(setting, value)
        except FieldError:
            # A value stored under an older declaration that the new one refuses: the default wins.
            values[setting.key] = setting.default
    return values


def app_settings(app_key: str, session: Session | None = None) -> dict[str, object]:
    """Every setting of the app, by key: the owner's value, or the declared default.

    Pass the caller's `session` to read inside its transaction (a check-then-write, like a cap).
    """
    app = _app(app_key)
    if not app.settings:
        return {}
    if session is not None:
        return _with_defaults(app, _stored(session, app.key))
    with db.read_session() as own:
        return _with_defaults(app, _stored(own, app.key))


def app_setting(app_key: str, key: str, session: Session | None = None) -> object:
    """One setting of the app (KeyError for a setting it did not declare)."""
    values = app_settings(app_key, session)
    if key not in values:
        raise KeyError(f"app {app_key!r} declares no setting {key!r}")
    return values[key]


def update_app_settings(session: Session, app_key: str, changes: dict[str, object]) -> dict[str, tuple[object, object]]:
    """Check and store some of an app's settings in the caller's transaction; returns {key: (old, new)} of what changed.

    Raises FormErrors (nothing stored) when any value or name is refused.
    """
    app = _app(app_key)
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    for key, raw in changes.items():
        setting = app.setting(key) if isinstance(key, str) else None
        if setting is None:
            errors[str(key)[:48]] = f"{app.title} has no setting called {str(key)[:40]!r}."
            continue
        try:
            cleaned[key] = clean_setting_value(setting, raw)
        except FieldError as error:
            errors[key] = error.message
    if errors:
        raise FormErrors(errors)
    rows = {row.key: row for row in session.exec(select(AppSettingValue).where(AppSettingValue.app_key == app.key))}
    before = _with_defaults(app, {key: row.value for key, row in rows.items()})
    changed = {key: (before[key], value) for key, value in cleaned.items() if before[key] != value}
    for key, (_, value) in changed.items():
        db.upsert(session, AppSettingValue, key={"app_key": app.key, "key": key}, values={"value": value})
    return changed
