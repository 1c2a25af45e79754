"""How a scale benchmark sees each SQL statement's plan and cost.

Shared by courses_scale.py, communities_scale.py and affiliates_scale.py: fresh planner statistics after a
seed (analyze), a before_cursor_execute listener that EXPLAINs every statement just before it runs, on the
call's own connection with its parameters (PlannedSql; EXPLAIN QUERY PLAN on SQLite, with the statement's
work counted in VM instructions through sqlite3's progress handler; EXPLAIN ANALYZE on PostgreSQL in a
savepoint rolled back at once), and the reading of those plans: a statement's verb and tables (describe),
its full scans of a big table (full_scans) and, on PostgreSQL, the rows each scan node read (scan_nodes,
rows_read). Each script keeps its own judgement of what is too much (its big tables, its flags).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Self

from sqlalchemy import event, text
from sqlalchemy.engine import Engine


def analyze(engine: Engine) -> None:
    """Fresh statistics (and, on PostgreSQL, a visibility map, as autovacuum would leave it)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


@dataclass
class Seen:
    statement: str
    plan: list[str]
    work: int = 0  # SQLite: VM instructions; PostgreSQL: rows the plan's biggest scan of a big table read


class PlannedSql:
    """Each statement the calls inside send, with its plan, EXPLAINed just before it runs on the call's own
    connection and transaction with its parameters; on SQLite, the VM instructions each one ran (on
    PostgreSQL, the most rows one scan of a `big_tables` table read)."""

    STEP = 100

    def __init__(self, engine: Engine, big_tables: Collection[str]) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.big_tables = big_tables
        self.seen: list[Seen] = []
        self.ticks = 0
        self.mark = 0
        self.hooked: set = set()

    def _tick(self) -> int:
        self.ticks += 1
        return 0

    def _close_last(self) -> None:
        if self.seen and self.dialect == "sqlite":
            self.seen[-1].work = (self.ticks - self.mark) * self.STEP

    def before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            return
        self._close_last()
        if self.dialect == "sqlite":
            raw = cursor.connection
            if raw not in self.hooked:
                raw.set_progress_handler(self._tick, self.STEP)
                self.hooked.add(raw)
        plan = explain(cursor, self.dialect, statement, parameters)
        work = rows_read(plan, self.big_tables) if self.dialect == "postgresql" else 0
        self.seen.append(Seen(statement, plan, work))
        self.mark = self.ticks

    def __enter__(self) -> Self:
        event.listen(self.engine, "before_cursor_execute", self.before)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.before)
        self._close_last()
        for raw in self.hooked:
            raw.set_progress_handler(None, 0)


def explain(cursor, dialect: str, statement: str, parameters, no_rows: str = "(no plan rows)") -> list[str]:
    """EXPLAIN QUERY PLAN on SQLite (`no_rows` where it gives none, as for a one-row INSERT); EXPLAIN ANALYZE
    on PostgreSQL, inside a savepoint rolled back at once, so a write is not done twice."""
    if dialect == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        rows = cursor.fetchall()
        return [f"{'  ' * depth(rows, row)}{row[-1]}" for row in rows] or [no_rows]
    cursor.execute("SAVEPOINT benchmark_plan")
    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters)
    lines = [row[0] for row in cursor.fetchall()]
    cursor.execute("ROLLBACK TO SAVEPOINT benchmark_plan")
    cursor.execute("RELEASE SAVEPOINT benchmark_plan")
    return lines


def depth(rows: list, row) -> int:
    """How deep an EXPLAIN QUERY PLAN row sits (its parent chain)."""
    parents = {item[0]: item[1] for item in rows}
    level, parent = 0, row[1]
    while parent:
        level, parent = level + 1, parents.get(parent, 0)
    return level


def describe(statement: str) -> str:
    """'SELECT post, channel': the verb and the tables a statement reads or writes."""
    tables = re.findall(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", statement, flags=re.IGNORECASE)
    verb = statement.split(None, 1)[0].upper()
    return f"{verb} {', '.join(dict.fromkeys(tables))}"


def full_scans(plan: list[str], big_tables: Collection[str]) -> list[str]:
    """The plan lines (stripped) that read a whole big table (or the whole of one of its indexes)."""
    found = []
    for line in plan:
        match = re.search(r"\bSCAN (\w+)|Seq Scan on (\w+)", line.strip())
        if match and (match.group(1) or match.group(2)) in big_tables:
            found.append(line.strip())
    return found


_NODE = re.compile(r"(?P<node>[A-Z][A-Za-z ]*Scan)(?: Backward)?(?: using (?P<index>\w+))?(?: on (?P<table>\w+))?")
_ACTUAL = re.compile(r"actual rows=(\d+) loops=(\d+)")
_REMOVED = re.compile(r"Rows Removed by (?:Filter|Index Recheck): (\d+)")


def table_of_index(index: str) -> str:
    """ix_commission_status_time -> commission; uq_commentlike_comment_account -> commentlike; payout_pkey ->
    payout."""
    match = re.match(r"(?:ix|uq)_([a-z]+)_", index)
    return match.group(1) if match else (index[: -len("_pkey")] if index.endswith("_pkey") else "")


def scan_nodes(plan: list[str], big_tables: Collection[str]) -> list[tuple[str, str, int]]:
    """PostgreSQL: (the node's line, its table, the rows it read: returned and filtered out) for every scan (a
    node not on one of `big_tables` is given the table its index belongs to, when its name says)."""
    nodes: list[list] = []
    for line in plan:
        node, actual = _NODE.search(line), _ACTUAL.search(line)
        if node and actual:
            table = node.group("table") or ""
            if node.group("node").startswith("Bitmap Index") or table not in big_tables:
                table = table_of_index(table) or table_of_index(node.group("index") or "") or table
            nodes.append([line.strip(), table, int(actual.group(1)) * int(actual.group(2))])
        elif (removed := _REMOVED.search(line)) and nodes:
            nodes[-1][2] += int(removed.group(1))
    return [(line, table, read) for line, table, read in nodes]


def rows_read(plan: list[str], big_tables: Collection[str]) -> int:
    """The most rows one scan of a big table read (a Bitmap Index Scan and its heap scan count once)."""
    return max((read for _, table, read in scan_nodes(plan, big_tables) if table in big_tables), default=0)
