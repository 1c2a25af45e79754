"""The sign-in feature's background work: purging expired signups, codes, tickets and sessions."""

from portal_app.accounts.maintenance import purge_expired
from portal_app.kernel.tasks import periodic

PURGE_EVERY_SECONDS = 600


def tasks() -> list:
    return [periodic("accounts_purge", PURGE_EVERY_SECONDS, purge_expired)]
