"""The failure budget of emailed codes, and the limits on checking them.

Every refused code counts (wrong, or typed for a code that is dead, expired or was never sent), three
times: for the email from the client's network (`throttle.pair_key`), for the email from every network,
and for the whole site. Clients' codes and staff codes are separate families: a client's failures never
touch the staff sign-in of the same address, nor the other way round.

- 20 refused codes (`code_failures_per_day`) for one email from one network in 24 hours lock code entry
  for that email **from that network** for 24 hours: an attacker's guesses lock the attacker out, not the
  person, who comes from elsewhere.
- 100 (`code_failures_per_day_per_email`, NIST's ceiling) from every network together lock code entry for
  the email everywhere: guessing spread over many networks stays bounded. Password login and emailed
  links still work, and staff can lift the lock (`portal unlock EMAIL`, the contact page).
- 30 code checks a minute from one network (`code_checks_per_ip_per_minute`) and 1,000 refused codes an hour
  on the whole site (`code_failures_per_hour_site`) bound guessing spread over many emails; docs/security.md
  states the worst case.

A lock is one rate event (`LOCK_KIND` of the family, keyed by the pair or by the email); it is logged in
the security log, and the accounts on the email get one email about it. When a lock ends, the failures
that caused it have left the window too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app.accounts import security_log, throttle
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock
from portal_app.kernel.settings import get_settings

WINDOW = timedelta(hours=24)
SITE_WINDOW = timedelta(hours=1)
CHECK_WINDOW = timedelta(minutes=1)
CLIENT, STAFF = "client", "staff"
SITE_KEY = "*"
# Rate event kinds.
CHECK_KIND = "code_check_ip"
# How the security log names what a code was for.
PURPOSE_NAMES = {"login": "Login code", "signup": "Signup code", "email_change": "Email change code"}
SITE_FAILURE_KIND = "code_failure_site"


def family(purpose: str) -> str:
    """Which budget a code purpose spends: staff sign-in codes have their own."""
    return STAFF if purpose.startswith("staff") else CLIENT


def failure_prefix(purpose_family: str) -> str:
    return f"code_failure:{purpose_family}:"


def failure_kind(purpose: str) -> str:
    """Refused codes of one purpose, keyed by email (the family's prefix adds every purpose up)."""
    return f"{failure_prefix(family(purpose))}{purpose}"


def network_failure_kind(purpose_family: str) -> str:
    """Refused codes of the family, keyed by email and network."""
    return f"code_failure_net:{purpose_family}"


def lock_kind(purpose_family: str) -> str:
    return f"code_lock:{purpose_family}"


@dataclass(frozen=True)
class Lock:
    until: datetime
    # "network": this email from this network; "email": this email from everywhere; "site": every email,
    # too many wrong codes on the site; "checks": too many code checks from this network just now.
    scope: str


def _lock_end(session: Session, kind: str, key: str, window: timedelta) -> datetime | None:
    started = throttle.newest_at(session, kind, key)
    if started is None or started + window <= clock.now():
        return None
    return started + window


def current_lock(session: Session, email: str, ip: str | None = None, purpose: str = "login") -> Lock | None:
    """Why code entry for `email` (from `ip`, when given) is refused right now, or None."""
    kind = lock_kind(family(purpose))
    until = _lock_end(session, kind, email, WINDOW)
    # The email-wide lock stops strangers everywhere; the person's own network (signed in from lately) passes.
    own = ip is not None and family(purpose) == CLIENT and security_log.signed_in_lately_from(session, email, ip)
    if until is not None and not own:
        return Lock(until, "email")
    if ip is not None:
        until = _lock_end(session, kind, throttle.pair_key(email, ip), WINDOW)
        if until is not None:
            return Lock(until, "network")
    return None


def locked_until(session: Session, email: str, ip: str | None = None, purpose: str = "login") -> datetime | None:
    """When code entry for `email` opens again (from `ip`'s network too, when given), or None while open."""
    lock = current_lock(session, email, ip, purpose)
    return lock.until if lock is not None else None


def check_refusal(session: Session, *, email: str, ip: str, purpose: str) -> Lock | None:
    """Whether a code may be compared now: the email's locks, then the network's and the site's limits."""
    lock = current_lock(session, email, ip, purpose)
    if lock is not None:
        return lock
    settings = get_settings()
    now = clock.now()
    wait = throttle.retry_after(
        session, CHECK_KIND, throttle.network(ip), limit=settings.code_checks_per_ip_per_minute, window=CHECK_WINDOW
    )
    if wait is not None:
        return Lock(now + wait, "checks")
    wait = throttle.retry_after(
        session, SITE_FAILURE_KIND, SITE_KEY, limit=settings.code_failures_per_hour_site, window=SITE_WINDOW
    )
    if wait is not None:
        return Lock(now + wait, "site")
    return None


def record_check(session: Session, ip: str) -> None:
    """Count one code compared for the network's per-minute limit."""
    throttle.record(session, CHECK_KIND, throttle.network(ip))


def failures_since(session: Session, *, purpose: str, email: str, since: datetime) -> int:
    """Refused codes of one purpose for `email` (from every network) at or after `since`."""
    return throttle.count_since(session, failure_kind(purpose), email, since)


def record_failure(session: Session, *, purpose: str, email: str, ip: str = "") -> Lock | None:
    """Count one refused code; when it uses up a budget, lock code entry (network or email) and return it."""
    purpose_family = family(purpose)
    pair = throttle.pair_key(email, ip)
    throttle.record(session, failure_kind(purpose), email)
    throttle.record(session, network_failure_kind(purpose_family), pair)
    throttle.record(session, SITE_FAILURE_KIND, SITE_KEY)
    if purpose_family == CLIENT and _holders(session, email, purpose_family):
        security_log.record(
            session, "code_failed", email=email, method="code", ip=ip, detail=PURPOSE_NAMES.get(purpose, "")
        )
    settings = get_settings()
    everywhere = throttle.count_family_in_window(session, failure_prefix(purpose_family), email, WINDOW)
    from_here = throttle.count_in_window(session, network_failure_kind(purpose_family), pair, WINDOW)
    if everywhere >= settings.code_failures_per_day_per_email:
        return _lock(session, purpose_family, email, ip, "email", everywhere)
    if from_here >= settings.code_failures_per_day:
        return _lock(session, purpose_family, email, ip, "network", from_here)
    return None


def _lock(session: Session, purpose_family: str, email: str, ip: str, scope: str, failures: int) -> Lock:
    # On PostgreSQL, a parallel failure for the same email waits here, then sees this lock.
    held = _holders(session, email, purpose_family)
    already = current_lock(session, email, ip, purpose="staff_login" if purpose_family == STAFF else "login")
    if already is not None and (already.scope == "email" or scope == "network"):
        return already
    throttle.record(session, lock_kind(purpose_family), email if scope == "email" else throttle.pair_key(email, ip))
    until = clock.now() + WINDOW
    where = "from one network" if scope == "network" else "from several networks"
    if held:
        security_log.record(
            session,
            "locked",
            email=email,
            method="staff" if purpose_family == STAFF else "code",
            ip=ip,
            detail=f"Code entry locked until {describe_moment(until)}: {failures} wrong codes in 24 hours {where}.",
        )
        business = session.get(Business, BUSINESS_ID)
        outbox.enqueue(
            session,
            to=email,
            template="code_entry_locked",
            context={
                "locked_until": describe_moment(until),
                "failures": failures,
                "everywhere": scope == "email",
                "support_email": business.support_email if business else "",
            },
        )
    return Lock(until, scope)


def _holders(session: Session, email: str, purpose_family: str) -> bool:
    """Whether someone holds the email (locked for this transaction): a client account; a staff code is only
    ever sent to a staff address after its password, so its family always has one."""
    if purpose_family == STAFF:
        return True
    return session.exec(select(Account.id).where(Account.email == email).with_for_update()).first() is not None


def describe_moment(moment: datetime) -> str:
    """ "16 January 2026 at 12:00 UTC": a date and time nobody can misread, for emails."""
    return f"{moment.day} {moment:%B %Y at %H:%M} UTC"


def lock_message(until: datetime, scope: str = "email", other_ways: bool = True) -> str:
    """What the code field says while code entry is refused (`other_ways`: mention password and link login,
    which clients have and staff sign-in does not)."""
    wait = throttle.describe_wait(until - clock.now())
    if scope == "network":
        text = (
            f"Too many wrong codes for this email from your network. Code entry is locked here until {until:%H:%M} UTC."
        )
        return text + (" You can still log in with your password or the emailed link." if other_ways else "")
    if scope == "checks":
        return f"Too many codes tried from your network just now. Try again in {wait}."
    if scope == "site":
        text = f"Too many wrong codes on this site in the last hour. Try again in {wait}"
        return text + (", or log in with your password or the emailed link." if other_ways else ".")
    text = f"Code entry for this email is locked until {until:%H:%M} UTC."
    return text + (" You can still log in with your password." if other_ways else "")
