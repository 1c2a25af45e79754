"""Email's background work: the sender loop (leased claims, so workers never send twice) and the outbox purge."""

from portal_app.email.delivery import purge_finished_emails, run_sender_loop
from portal_app.kernel.tasks import periodic

PURGE_EVERY_SECONDS = 600


def tasks() -> list:
    return [run_sender_loop, periodic("outbox_purge", PURGE_EVERY_SECONDS, lambda: {"emails": purge_finished_emails()})]
