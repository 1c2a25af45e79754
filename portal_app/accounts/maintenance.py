"""Periodic clean-up: what expired or was used stops taking space (and stops being a target)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, delete, or_, select

from portal_app.accounts import sessions
from portal_app.accounts.models import AccountChoice, EmailCode, LoginTicket, PendingSignup, RateEvent
from portal_app.kernel import clock, db
from portal_app.kernel import sessions as store

# Used, voided and expired codes and old rate events are kept this long, for looking into abuse.
KEEP_FINISHED = timedelta(days=1)


def purge_expired() -> dict[str, int]:
    """Delete expired pending signups, spent tickets and account choices, dead sessions, old codes and rate events.

    Returns how many rows of each kind went.
    """
    now = clock.now()
    kept_since = now - KEEP_FINISHED
    with db.write_session() as session:
        expired_signups = select(PendingSignup.id).where(PendingSignup.expires_at <= now)
        signup_codes = session.exec(delete(EmailCode).where(col(EmailCode.pending_signup_id).in_(expired_signups)))
        signup_tickets = session.exec(
            delete(LoginTicket).where(col(LoginTicket.pending_signup_id).in_(expired_signups))
        )
        pending_signups = session.exec(delete(PendingSignup).where(PendingSignup.expires_at <= now))
        login_tickets = session.exec(
            delete(LoginTicket).where(or_(LoginTicket.expires_at <= now, col(LoginTicket.used_at).is_not(None)))
        )
        # The choices' tickets went just above: a choice outlives its ticket, and is used only through it.
        account_choices = session.exec(
            delete(AccountChoice).where(or_(AccountChoice.expires_at <= now, col(AccountChoice.used_at).is_not(None)))
        )
        user_sessions = store.purge(session, sessions.CLIENT_SESSIONS)
        old_codes = session.exec(
            delete(EmailCode).where(
                or_(EmailCode.used_at < kept_since, EmailCode.voided_at < kept_since, EmailCode.expires_at < kept_since)
            )
        )
        rate_events = session.exec(delete(RateEvent).where(RateEvent.at < kept_since))
        return {
            "pending_signups": pending_signups.rowcount,
            "email_codes": signup_codes.rowcount + old_codes.rowcount,
            "login_tickets": signup_tickets.rowcount + login_tickets.rowcount,
            "account_choices": account_choices.rowcount,
            "user_sessions": user_sessions,
            "rate_events": rate_events.rowcount,
        }
