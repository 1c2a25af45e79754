"""`portal courses enrol EMAIL-OR-ID --course SLUG` and `portal courses list`, for an operator at a shell."""

from __future__ import annotations

import argparse

from portal_app.accounts.lookup import account_named
from portal_app.apps.courses import service
from portal_app.apps.grants import granted_roles
from portal_app.business.service import get_business
from portal_app.kernel import db
from portal_app.kernel.errors import CommandError, FieldError


def _has_the_app(account_id: int) -> bool:
    """Whether the account was granted the app or the business gives it to everyone (enabling it is the owner's call)."""
    if service.APP_KEY in get_business().apps_for_everyone:
        return True
    with db.read_session() as session:
        return service.APP_KEY in granted_roles(session, account_id)


def _enrol(args: argparse.Namespace) -> int:
    account = account_named(args.account)
    try:
        newly = service.enrol(account.id, args.course)
    except FieldError as error:
        raise CommandError(f"--course: {error.message}") from None
    except LookupError:
        raise CommandError(f"--course: there is no course {args.course!r} (see `portal courses list`)") from None
    who = f"{account.full_name} <{account.email}> (account {account.id})"
    print(f"Enrolled {who} in {args.course}." if newly else f"{who} was already enrolled in {args.course}.")
    if not _has_the_app(account.id):
        print(f"They also need Membership Courses: portal grant {account.id} --app {service.APP_KEY}")
    return 0


def _list(_args: argparse.Namespace) -> int:
    courses = service.all_courses()
    if not courses:
        print("No courses yet.")
    for course in courses:
        state = "published" if course.published else "draft"
        everyone = ", for everyone" if course.for_everyone else ""
        print(
            f"{course.slug}  {course.title}  ({state}{everyone}; {course.lessons} lessons, {course.enrolled} enrolled)"
        )
    return 0


def add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="courses_command", required=True)
    enrol = commands.add_parser("enrol", help="enrol one account in a course")
    enrol.add_argument("account", metavar="EMAIL-OR-ID", help="the account's email, or its id")
    enrol.add_argument("--course", required=True, metavar="SLUG", help="the course's address, as `list` shows it")
    enrol.set_defaults(run=_enrol)
    commands.add_parser("list", help="every course, published or draft, with lessons and enrolments").set_defaults(
        run=_list
    )
