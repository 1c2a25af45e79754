"""The `portal` command: what an operator does without touching the database."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError

from portal_app import demo, export
from portal_app.accounts import locks
from portal_app.accounts.lookup import account_named
from portal_app.accounts.validation import normalize_email
from portal_app.admin import audit, business_settings, contacts, staff
from portal_app.apps import app_settings, grants, migrations, registry
from portal_app.apps.registry import resolve
from portal_app.business import service as business
from portal_app.email import outbox
from portal_app.kernel import backup, clock, db
from portal_app.kernel.errors import CommandError, FieldError, FormErrors
from portal_app.kernel.settings import PROJECT_DIR, SettingsError, get_settings

# How each command names a refused field in its error messages.
INVITE_OPTIONS = {"email": "email", "full_name": "--name", "apps": "--app"}
OWNER_OPTIONS = {"email": "--email", "name": "--name", "password": "password"}
TEST_EMAIL_TEMPLATE = "test_email"


def _mailbox_hint() -> str:
    settings = get_settings()
    if settings.email_backend == "dev-mailbox":
        return f"No email provider is configured: read it at {settings.public_url}/dev/mailbox"
    return f"SendGrid delivers it from {settings.email_from} while the portal runs."


def _seed_demo(args: argparse.Namespace) -> int:
    if args.if_empty and not demo.database_is_empty():
        return 0
    seed = demo.seed_demo()
    if not seed.created:
        print("The database already has a business; nothing was seeded.")
        return 0
    titles = [registry.app_choices()[key] for key in demo_enabled_apps()]
    print(f"Created the demo business '{demo.DEMO_BUSINESS_NAME}' with {', '.join(titles)}.")
    print(f"Demo login: {seed.email} / {seed.password}")
    print(f"Both demo accounts use that email and password ({len(seed.accounts)} accounts on one email):")
    for name, titles in seed.accounts:
        print(f"  {name}: {', '.join(titles)}")
    print('For /admin, create a staff account: portal create-owner --email you@example.com --name "Your Name"')
    return 0


def demo_enabled_apps() -> list[str]:
    return list(business.get_business().enabled_apps)


def _init_business(args: argparse.Namespace) -> int:
    if business.ensure_business(args.name):
        print(
            f"Created the business '{args.name}'. Rename it and set it up at /admin/settings or with `portal settings`."
        )
    return 0


def _change_setting(key: str, value: object) -> int:
    try:
        changed = business_settings.change_settings(audit.CLI, {key: value})
    except FormErrors as refused:
        raise CommandError(f"{key}: {refused.errors.get(key) or ' '.join(refused.errors.values())}") from None
    except LookupError as error:
        raise CommandError(str(error)) from None
    shown = business.format_setting(business_settings.current_settings()[key])
    print(f"{key} is now {shown}" if changed else f"{key} was already {shown}")
    return 0


def _set_duplicates(args: argparse.Namespace) -> int:
    return _change_setting("allow_duplicate_contacts", args.value == "on")


def _app_setting(args: argparse.Namespace) -> int:
    """`portal settings <app>.<setting> [VALUE]`: a child app's own setting."""
    app_key, _, key = args.key.partition(".")
    app = registry.get_app(app_key)
    setting = app.setting(key) if app is not None else None
    if setting is None:
        known = [f"{a.key}.{s.key}" for a in registry.all_apps() for s in a.settings]
        raise CommandError(f"there is no app setting {args.key!r}; the app settings are: {', '.join(known) or 'none'}")
    if args.value is not None:
        try:
            changed = business_settings.change_app_settings(
                audit.CLI, app.key, {key: app_settings.parse_setting_text(setting, args.value)}
            )
        except FormErrors as refused:
            raise CommandError(f"{args.key}: {' '.join(refused.errors.values())}") from None
        shown = business.format_setting(app_settings.app_setting(app.key, key))
        print(f"{args.key} is now {shown}" if changed else f"{args.key} was already {shown}")
        return 0
    print(business.format_setting(app_settings.app_setting(app.key, key)))
    return 0


def _settings(args: argparse.Namespace) -> int:
    if args.key is not None and "." in args.key:
        return _app_setting(args)
    if args.key is not None and args.key not in business.SETTING_KEYS:
        raise CommandError(f"there is no setting {args.key!r}; the settings are: {', '.join(business.SETTING_KEYS)}")
    if args.key is not None and args.value is not None:
        return _change_setting(args.key, business.parse_setting_text(args.key, args.value))
    try:
        values = business_settings.current_settings()
    except LookupError as error:
        raise CommandError(str(error)) from None
    if args.key is not None:
        print(business.format_setting(values[args.key]))
        return 0
    app_values = {
        f"{app.key}.{key}": value
        for app in registry.all_apps()
        for key, value in app_settings.app_settings(app.key).items()
    }
    width = max(len(key) for key in [*business.SETTING_KEYS, *app_values])
    for key in business.SETTING_KEYS:
        print(f"{key.ljust(width)}  {business.format_setting(values[key])}")
    for key, value in app_values.items():
        print(f"{key.ljust(width)}  {business.format_setting(value)}")
    return 0


def _db_migrate(args: argparse.Namespace) -> int:
    for line in migrations.migrate():
        print(f"  {line}")
    return 0


def _db_makemigrations(args: argparse.Namespace) -> int:
    app = None
    if args.app is not None:
        app = registry.get_app(args.app)
        if app is None:
            raise CommandError(
                f"--app: unknown app {args.app[:40]!r}; choose from: {', '.join(registry.app_choices())}"
            )
    import portal_app.schema  # noqa: F401  (every table of every feature, not only those imported so far)

    path = migrations.make_migration(args.message, app)
    owner = f"the {app.key} app" if app else "the core"
    print(f"Wrote {path.relative_to(PROJECT_DIR)}" if path else f"No changes in the tables of {owner}.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    manifest = backup.back_up(get_settings(), Path(args.destination), with_secret=args.with_secret)
    print(f"Wrote {Path(args.destination).resolve()}: {manifest.describe()}.")
    if not args.with_secret:
        print(
            "The server secret is not in it: keep it apart (PORTAL_SECRET_KEY, or the file PORTAL_SECRET_FILE names),"
            " or a restored portal turns away the codes and links emailed before."
        )
    return 0


def _restore(args: argparse.Namespace) -> int:
    manifest = backup.restore(get_settings(), Path(args.source), overwrite=args.yes, with_secret=args.with_secret)
    print(f"Restored {manifest.describe()}.")
    print("Migrating the restored database:")
    _db_migrate(args)
    settings = get_settings()
    if args.with_secret and settings.secret_key_from_env:
        print("PORTAL_SECRET_KEY is set: the portal uses it, not the restored secret file.")
    return 0


def _export_account(args: argparse.Namespace) -> int:
    account = account_named(args.account)
    print(json.dumps(export.export_account(account.id), indent=2, default=str, sort_keys=True))
    return 0


def _invite(args: argparse.Namespace) -> int:
    try:
        result = contacts.invite(audit.CLI, email=args.email, full_name=args.name, app_keys=args.apps)
    except FieldError as error:
        raise CommandError(f"{INVITE_OPTIONS.get(error.field, error.field)}: {error.message}") from None
    carrying = "a login code and a sign-in link" if result.with_link else "a login code"
    apps = ", ".join(result.app_titles)
    print(f"Invited {result.full_name} <{result.email}> (account {result.account_id}) to {apps}.")
    print(
        f"The invitation email with {carrying} (valid until {result.code_expires_at:%Y-%m-%d %H:%M} UTC)"
        " is in the outbox."
    )
    if get_settings().email_backend == "dev-mailbox":
        print(_mailbox_hint())
    return 0


def _unlock(args: argparse.Namespace) -> int:
    current = locks.current(args.email)
    try:
        contacts.lift_locks_on_email(audit.CLI, args.email)
    except FieldError as error:
        raise CommandError(f"EMAIL: {error.message}") from None
    if not current:
        print(f"{args.email} had no sign-in lock; its failure counts are cleared.")
        return 0
    for lock in current:
        print(f"Lifted: {lock.what} (was until {lock.until:%Y-%m-%d %H:%M} UTC).")
    return 0


def _grant(args: argparse.Namespace) -> int:
    try:
        key = grants.check_app_key(args.app)
    except ValueError as error:
        raise CommandError(f"--app: {error}") from None
    granted = not args.revoke
    try:
        role = grants.check_role(key, args.role) if granted else None
    except ValueError as error:
        raise CommandError(f"--role: {error}") from None
    account = account_named(args.account)
    changed = contacts.set_app_access(audit.CLI, account.id, key, granted=granted, role=role)
    who = f"{account.full_name} <{account.email}> (account {account.id})"
    title = registry.app_choices()[key]
    as_role = f" as {role}" if role else ""
    if granted:
        print(f"Granted {title}{as_role} to {who}." if changed else f"{who} already had {title}{as_role}.")
    else:
        print(f"Revoked {title} from {who}." if changed else f"{who} did not have {title}.")
    return 0


def _read_new_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the two passwords differ; nothing was created")
    return first


def _create_owner(args: argparse.Namespace) -> int:
    try:
        email = normalize_email(args.email)
    except FieldError as error:
        raise CommandError(f"--email: {error.message}") from None
    password = _read_new_password(args)
    try:
        created = staff.create_staff_account(email=email, name=args.name, password=password, actor=audit.CLI)
    except FieldError as error:
        raise CommandError(f"{OWNER_OPTIONS.get(error.field, error.field)}: {error.message}") from None
    print(f"Created the staff account {created.name} <{created.email}>.")
    print(f"Sign in at {get_settings().public_url}/admin/login with this email, the password and an emailed code.")
    return 0


def _send_test_email(args: argparse.Namespace) -> int:
    try:
        address = normalize_email(args.address)
    except FieldError as error:
        raise CommandError(f"address: {error.message}") from None
    with db.write_session() as session:
        email = outbox.enqueue(
            session, to=address, template=TEST_EMAIL_TEMPLATE, context={"sent_at": f"{clock.now():%Y-%m-%d %H:%M} UTC"}
        )
        session.flush()
        email_id = email.id
    print(f"Queued a test email to {address} (outbox id {email_id}).")
    print(_mailbox_hint())
    if get_settings().email_backend == "sendgrid":
        print("If it does not arrive, the outbox row records SendGrid's answer (status and last_error).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Operate the Client Portal.")
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser(
        "seed-demo",
        help="create a demo business with its apps and two client accounts sharing one email",
        description=(
            "Create the business 'Demo Studio' with the product's three apps enabled and several accounts per email allowed, and"
            f" two client accounts on {demo.DEMO_EMAIL} with different apps. The password is random and printed once."
        ),
    )
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no business and no account")
    seed.set_defaults(run=_seed_demo)

    init = commands.add_parser(
        "init-business",
        help="create the business with default settings if there is none yet (the run command does this)",
    )
    init.add_argument(
        "--name", default=business.DEFAULT_NAME, help=f"the business's name (default: {business.DEFAULT_NAME})"
    )
    init.set_defaults(run=_init_business)

    owner = commands.add_parser(
        "create-owner",
        help="create a staff account for the admin area (/admin)",
        description=(
            "Create a staff account. It signs in at /admin/login with its email, its password and a code emailed to it."
            " The password is asked twice, or read from the first line of standard input with --password-stdin."
        ),
    )
    owner.add_argument("--email", required=True, help="the staff member's email address (the sign-in codes go there)")
    owner.add_argument("--name", required=True, help='the staff member\'s name, e.g. "Grace Hopper"')
    owner.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    owner.set_defaults(run=_create_owner)

    invite = commands.add_parser(
        "invite",
        help="create an account for someone who already has an app, and email them a login code",
        description=(
            "Create a passwordless account and email an invitation with a login code (and a sign-in link when"
            ' magic links are on). The person logs in with it at once, and later with "Email me a code".'
        ),
    )
    invite.add_argument("email", help="the person's email address")
    invite.add_argument("--name", required=True, help='the person\'s full name, e.g. "Grace Hopper"')
    invite.add_argument(
        "--app",
        dest="apps",
        action="append",
        required=True,
        metavar="APP",
        help=f"an app to give access to; repeat for several ({', '.join(registry.app_choices())})",
    )
    invite.set_defaults(run=_invite)

    grant = commands.add_parser(
        "grant",
        help="give an account access to an app (or take it away with --revoke)",
        description='Grant or revoke one app for one account. Recorded in the audit log as done by "cli".',
    )
    grant.add_argument(
        "account", metavar="EMAIL-OR-ID", help="the account's email, or its id when several share the email"
    )
    grant.add_argument("--app", required=True, metavar="APP", help=f"the app ({', '.join(registry.app_choices())})")
    grant.add_argument("--role", help="the role in the app, for apps that have roles (default: the app's lowest)")
    grant.add_argument("--revoke", action="store_true", help="take the app away instead")
    grant.set_defaults(run=_grant)

    settings = commands.add_parser(
        "settings",
        help="show the business settings, or show or change one",
        description=(
            "Without arguments, show every setting. With KEY, show one. With KEY VALUE, change one (checked like the"
            ' admin page, recorded in the audit log as done by "cli"). On/off settings take on or off; app and'
            " field lists take comma-separated keys, or none."
        ),
        epilog=f"settings: {', '.join(business.SETTING_KEYS)}",
    )
    settings.add_argument("key", nargs="?", metavar="KEY", help="the setting's name")
    settings.add_argument("value", nargs="?", metavar="VALUE", help="the new value")
    settings.set_defaults(run=_settings)

    duplicates = commands.add_parser(
        "allow-duplicate-contacts",
        help="let several accounts share one email (on) or not (off); same as: settings allow_duplicate_contacts",
    )
    duplicates.add_argument("value", choices=["on", "off"])
    duplicates.set_defaults(run=_set_duplicates)

    unlock = commands.add_parser(
        "unlock",
        help="lift the sign-in locks on an email (code entry, password login; clients' and staff's)",
        description="Lift every sign-in lock on EMAIL and forget the failures behind them; audited, and noted in "
        "the email's security log. Run it when a person (or the owner) is locked out by someone else's guesses.",
    )
    unlock.add_argument("email", metavar="EMAIL", help="the locked email address")
    unlock.set_defaults(run=_unlock)

    test_email = commands.add_parser(
        "send-test-email",
        help="put a test email in the outbox, to check that email is delivered",
        description="Queue the test email for ADDRESS and say who delivers it: SendGrid, or the dev mailbox.",
    )
    test_email.add_argument("address", help="where to send it")
    test_email.set_defaults(run=_send_test_email)

    database = commands.add_parser("db", help="migrate the database: the core's tables and every app's")
    db_commands = database.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("migrate", help="bring the core and every app to its newest revision").set_defaults(
        run=_db_migrate
    )
    make = db_commands.add_parser(
        "makemigrations",
        help="write a revision for changed tables of the core, or of one app (--app)",
        description="Compare the models with the migrated database and write a revision for what changed.",
    )
    make.add_argument("--app", help="write the revision into this app's migrations folder, for its tables only")
    make.add_argument("--message", "-m", required=True, help="what the revision does")
    make.set_defaults(run=_db_makemigrations)

    backup_command = commands.add_parser(
        "backup",
        help="write the database and the uploaded files (and, if asked, the secret) into one backup file",
        description=(
            "Copy the database (SQLite: its online backup; PostgreSQL: pg_dump --format=custom), consistent while"
            " the portal runs, and PORTAL_DATA_DIR into DEST, a tar file readable only by you."
        ),
    )
    backup_command.add_argument("destination", metavar="DEST", help="the new backup file, e.g. portal-2026-01-31.tar")
    backup_command.add_argument(
        "--with-secret",
        action="store_true",
        help="also store the server secret, which keys emailed codes, invitation links and referral cookies",
    )
    backup_command.set_defaults(run=_backup)

    restore_command = commands.add_parser(
        "restore",
        help="replace the database and the uploaded files with a backup's, then migrate",
        description=(
            "Restore a file made by `portal backup` into the database REFLEX_DB_URL names and into PORTAL_DATA_DIR,"
            " then run the migrations (an older backup comes up to date). Stop the portal first."
        ),
    )
    restore_command.add_argument("source", metavar="SRC", help="the backup file")
    restore_command.add_argument("--yes", action="store_true", help="replace a database or data folder that holds data")
    restore_command.add_argument(
        "--with-secret", action="store_true", help="also restore the server secret into PORTAL_SECRET_FILE"
    )
    restore_command.set_defaults(run=_restore)

    export_command = commands.add_parser(
        "export-account",
        help="print, as JSON, everything the portal and its apps hold about one account",
    )
    export_command.add_argument("account", metavar="EMAIL-OR-ID", help="the account's email, or its id")
    export_command.set_defaults(run=_export_account)

    # Each child app may add `portal <key> ...` commands of its own.
    for app in registry.all_apps():
        if app.cli:
            app_parser = commands.add_parser(app.key, help=f"{app.title}: the app's own commands")
            resolve(app.cli)(app_parser)
            if app_parser.get_default("run") is None:
                app_parser.set_defaults(run=lambda _args, parser=app_parser: parser.print_help() or 0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        get_settings()  # a wrong environment variable stops every command here, before the database
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
    except OperationalError as error:
        print(f"error: the database is not ready (run the migrations first): {error.orig}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
