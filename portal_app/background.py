"""Housekeeping that runs in every worker: purging expired signups, codes, tickets, sessions and old emails."""

import asyncio
import logging

from portal_app.accounts.maintenance import purge_expired
from portal_app.admin.maintenance import purge_expired_staff_rows
from portal_app.email.delivery import purge_finished_emails

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600


async def purge_loop() -> None:
    while True:
        try:
            removed = await asyncio.to_thread(purge_expired)
            removed["outbox_emails"] = await asyncio.to_thread(purge_finished_emails)
            removed.update(await asyncio.to_thread(purge_expired_staff_rows))
            if any(removed.values()):
                log.info("purged expired rows: %s", removed)
        except Exception:
            log.exception("purging expired rows failed; will try again")
        await asyncio.sleep(PURGE_EVERY_SECONDS)
