"""The programme's running figures: how many sales, refunds and commissions in each state, and their
SUMs, per currency, kept in `programmefigure` (a handful of rows) so the admin overview never reads the
whole ledger.

The ledger is the only writer of sales, refunds and commission states, and it tells the transaction's
`Changes` (`changes(session)`) what each step did. Just before that transaction commits, the differences
are added to the figures, one INSERT ... ON CONFLICT DO UPDATE SET count = count + ..., amount = amount +
... per figure, in a fixed order (kind, currency); a rollback forgets them. Writing the figures last, after
every other row the transaction locks, and in one order, keeps two transactions from each holding what the
other waits for on PostgreSQL (a CSV import of many sales takes the figures' locks once, at its end);
SQLite has one writer at a time.
So the figures equal the SUMs over the rows at every commit (the property tests compare them after
random sequences of sales, refunds, approvals, rejections and payouts). `recount` rebuilds them from the
rows, for data written around the ledger (demo data, bulk loads).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, event, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app.apps.affiliates.models import COMMISSION_STATUSES, Commission, ProgrammeFigure, Refund, Sale

KINDS = ("sale", "refund", *COMMISSION_STATUSES)
_INFO_KEY = "affiliates.figures"


@dataclass(frozen=True)
class Figure:
    count: int = 0
    amount: int = 0


class Changes:
    """What one ledger operation changed, as differences per (kind, currency), applied once at its end."""

    def __init__(self) -> None:
        self._deltas: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, kind: str, currency: str, amount: int, count: int = 1) -> None:
        """`count` more rows of `kind` (negative: fewer), whose amounts add up to `amount`."""
        if kind not in KINDS:
            raise ValueError(f"not a figure kind: {kind!r}")
        delta = self._deltas[(kind, currency)]
        delta[0] += count
        delta[1] += amount

    def moved(self, commission: Commission, was: str) -> None:
        """The commission went from state `was` to its current state."""
        self.add(was, commission.currency, -commission.amount, -1)
        self.add(commission.status, commission.currency, commission.amount)

    def apply(self, session: Session) -> None:
        """Add the differences to the figures, in the session's transaction, and forget them."""
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        table = ProgrammeFigure.__table__
        for (kind, currency), (count, amount) in sorted(self._deltas.items()):
            if count == 0 and amount == 0:
                continue
            statement = dialect.insert(table).values(kind=kind, currency=currency, count=count, amount=amount)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["kind", "currency"],
                    set_={
                        "count": table.c.count + statement.excluded.count,
                        "amount": table.c.amount + statement.excluded.amount,
                    },
                )
            )
        self.clear()

    def clear(self) -> None:
        self._deltas.clear()


def changes(session: Session) -> Changes:
    """The Changes of the session's transaction: applied just before it commits, forgotten if it rolls back."""
    pending = session.info.get(_INFO_KEY)
    if pending is None:
        pending = session.info[_INFO_KEY] = Changes()
        event.listen(session, "before_commit", lambda committing: pending.apply(committing))
        event.listen(session, "after_rollback", lambda rolled_back: pending.clear())
    return pending


def read(session: Session) -> dict[tuple[str, str], Figure]:
    """{(kind, currency): Figure} for every figure on file (absent: none of that kind in that currency)."""
    rows = session.exec(select(ProgrammeFigure)).all()
    return {(row.kind, row.currency): Figure(int(row.count), int(row.amount)) for row in rows}


def counted(session: Session) -> dict[tuple[str, str], Figure]:
    """The same figures computed from the rows (reads every sale, refund and commission): what `read` must
    equal, and what `recount` writes."""
    result: dict[tuple[str, str], Figure] = {}
    sales = select(Sale.currency, func.count(), func.sum(Sale.amount)).group_by(Sale.currency)
    for currency, count, amount in session.exec(sales).all():
        result[("sale", currency)] = Figure(int(count), int(amount or 0))
    refunds = (
        select(Sale.currency, func.count(), func.sum(Refund.amount))
        .join(Sale, Sale.id == Refund.sale_id)
        .group_by(Sale.currency)
    )
    for currency, count, amount in session.exec(refunds).all():
        result[("refund", currency)] = Figure(int(count), int(amount or 0))
    commissions = select(Commission.status, Commission.currency, func.count(), func.sum(Commission.amount)).group_by(
        Commission.status, Commission.currency
    )
    for status, currency, count, amount in session.exec(commissions).all():
        result[(status, currency)] = Figure(int(count), int(amount or 0))
    return result


def recount(session: Session) -> None:
    """Rebuild the figures from the rows, in the caller's transaction."""
    session.exec(delete(ProgrammeFigure))
    for (kind, currency), figure in sorted(counted(session).items()):
        session.add(ProgrammeFigure(kind=kind, currency=currency, count=figure.count, amount=figure.amount))
    session.flush()


def nonzero(figures: dict[tuple[str, str], Figure]) -> dict[tuple[str, str], Figure]:
    """The figures without the ones back at nothing (a currency whose last pending commission was approved
    keeps a row of zeros): what compares equal to `counted`."""
    return {key: figure for key, figure in figures.items() if figure != Figure()}
