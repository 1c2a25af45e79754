"""Preparing the data downloads people asked for, and deleting them after their week."""

from portal_app.kernel.tasks import periodic
from portal_app.privacy import data_export

PREPARE_EVERY_SECONDS = 10
PURGE_EVERY_SECONDS = 3600


def tasks() -> list:
    return [
        periodic("data_exports", PREPARE_EVERY_SECONDS, data_export.prepare_waiting),
        periodic("data_exports_purge", PURGE_EVERY_SECONDS, data_export.purge_expired),
    ]
