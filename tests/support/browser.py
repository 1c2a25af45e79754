"""Redeeming tickets as the portal's pages do: bound first to the asking browser's binding cookie."""

from __future__ import annotations

from portal_app.accounts import tickets

TEST_BROWSER = "test-browser-binding-token-0123456789abcdef"


def redeem_bound(ticket, *, user_agent: object = "", ip: object = "", browser_token: str = TEST_BROWSER):
    """Bind the ticket to the test browser, then redeem it there (what a page then /auth/ticket do)."""
    tickets.bind_to_browser(ticket, browser_token)
    return tickets.redeem_ticket(ticket, user_agent=user_agent, ip=ip, browser_token=browser_token)
