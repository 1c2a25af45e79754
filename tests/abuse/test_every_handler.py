"""Every public event handler of every state, found from the app itself (not a hand list), called by a
stranger: with no session, and signed in as another client (Mallory, with every app) over the demo data of
Dana's accounts, with payloads drawn by Hypothesis (ids that exist, junk of every type, forms of junk).

Nothing may escape a handler or be logged as an error, Dana's rows must not change, and nothing only Dana
may see (her email address, her payout details, her notes, the private group's posts) may reach the
stranger's browser.
"""

from __future__ import annotations

import inspect
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import SQLModel, delete, select

from portal_app import demo
from portal_app.accounts.models import Account
from portal_app.apps import grants, registry
from portal_app.business.models import Business
from portal_app.kernel import db
from portal_app.shell.ui.base_state import PortalState
from tests.support.hostile_input import assert_nothing_crashed
from tests.support.live_accounts import make_account, start_session

# What only Dana (or the private group's members) may see.
SECRETS = (
    demo.DEMO_EMAIL,
    "dana.payouts@demo.example",
    "Bring the workbook to Thursday's session.",
    "Cueing for beginners",
)
# Handlers a stranger legitimately uses to change their own things are still called: what they may change
# is checked through Dana's rows only.


def all_states(root: type = PortalState) -> list[type]:
    found = [root]
    for sub in sorted(root.get_substates(), key=lambda cls: cls.get_full_name()):
        found += all_states(sub)
    return found


def handlers() -> list[tuple[type, str, list[str]]]:
    out = []
    for state in all_states():
        for name, handler in sorted(state.event_handlers.items()):
            if name == "setvar" or name.startswith("_"):
                continue
            if state.get_full_name() != handler.state_full_name:
                continue  # inherited: called once, on the state that defines it
            params = [p for p in inspect.signature(handler.fn).parameters if p != "self"]
            out.append((state, name, params))
    return out


def dana_rows() -> dict[str, list]:
    """Every row of every table that names one of Dana's accounts in a column that refers to accounts."""
    with db.read_session() as session:
        dana = list(session.exec(select(Account.id).where(Account.email == demo.DEMO_EMAIL)).all())
        rows: dict[str, list] = {"account": []}
        rows["account"] = [
            tuple(row)
            for row in session.execute(text("SELECT * FROM account WHERE email = :e"), {"e": demo.DEMO_EMAIL})
        ]
        for table in SQLModel.metadata.sorted_tables:
            columns = [
                column.name
                for column in table.columns
                if any(fk.column.table.name == "account" for fk in column.foreign_keys)
            ]
            for column in columns:
                if table.name in ("usersession", "securityevent", "rateevent"):
                    continue  # last-seen times and counts move with anyone's traffic
                result = session.execute(
                    select(table).where(table.c[column].in_(dana)).order_by(*table.primary_key.columns)
                )
                rows[f"{table.name}.{column}"] = [tuple(row) for row in result]
    return rows


@pytest.fixture
def world(pipeline, settings_env):
    settings_env(PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="100000", PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="100000")
    with db.write_session() as session:
        session.exec(delete(Business))  # the pipeline's plain business makes way for the demo's
    assert demo.seed_demo().created
    mallory = make_account("mallory@example.com", "Mallory Stranger")
    with db.write_session() as session:
        for key in registry.app_choices():
            grants.grant_app(session, account_id=mallory, app_key=key)
    return {"mallory": start_session(mallory), "before": dana_rows()}


def payload(params: list[str]):
    ids = st.integers(min_value=-1, max_value=40)
    scalar = st.one_of(
        st.none(),
        ids,
        ids.map(str),
        st.booleans(),
        st.text(max_size=30),
        st.sampled_from(["../../etc/passwd", "<script>alert(1)</script>", "x" * 5000, "1; DROP TABLE account", "1e9"]),
    )
    value = st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.sampled_from(["id", "email", "text", "code", "amount", "name", "x"]), scalar, max_size=4),
    )
    return st.fixed_dictionaries({name: value for name in params})


async def test_every_handler_refuses_strangers_and_fuzz(pipeline, caplog, world, capsys):
    found = handlers()
    assert len(found) > 100, "the app's handlers were not found"
    sent: list[str] = []
    leaks: list[str] = []

    rounds: list[list] = []

    @settings(max_examples=2, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def draw(data):
        rounds.append([(state, name, data.draw(payload(params))) for state, name, params in found])

    draw()
    for round_ in rounds:
        for cookie in (None, f"portal_session={world['mallory']}"):
            for state, name, args in round_:
                client = await pipeline.connect("/", cookie=cookie)
                client.clear_updates()
                await client.send(f"{state.get_full_name()}.{name}", args)
                sent.append(f"{state.__name__}.{name}")
                shown = json.dumps(
                    [update.delta for token, update in pipeline.updates if token == client.token], default=str
                )
                leaks += [f"{state.__name__}.{name}: {secret!r}" for secret in SECRETS if secret in shown]
    assert_nothing_crashed(pipeline, caplog)
    with capsys.disabled():
        print(
            f"\n{len(found)} handlers of {len(all_states())} states, {len(sent)} calls "
            f"({len(rounds)} Hypothesis rounds x no session and Mallory's)"
        )
    assert leaks == []
    assert dana_rows() == world["before"]
