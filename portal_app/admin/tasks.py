"""The admin area's background work: purging spent staff sessions, tickets and sign-in challenges."""

from portal_app.admin.maintenance import purge_expired_staff_rows
from portal_app.kernel.tasks import periodic

PURGE_EVERY_SECONDS = 600


def tasks() -> list:
    return [periodic("staff_purge", PURGE_EVERY_SECONDS, purge_expired_staff_rows)]
