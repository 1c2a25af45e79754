"""Email's HTTP routes: the dev mailbox (loopback only, and only while no SendGrid key is set)."""

from portal_app.email import dev_mailbox


def routes() -> list:
    return dev_mailbox.routes()
