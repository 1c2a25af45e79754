"""The profile feature's background work: purging expired email changes and their "This wasn't me" links."""

from portal_app.kernel.tasks import periodic
from portal_app.profile.maintenance import purge_expired

PURGE_EVERY_SECONDS = 600


def tasks() -> list:
    return [periodic("profile_purge", PURGE_EVERY_SECONDS, purge_expired)]
