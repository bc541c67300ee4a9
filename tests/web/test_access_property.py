"""Data-access rules hold on every path a conversation can reach a user by, over random rules and data.

For random rule sets (integrations, teams, agents: each a subset, or None for all) and random
conversations, an editor gets exactly the conversations their rules allow from: the conversation
list, one conversation by id, the integrations' counts, the impact preview of a workflow they made,
and a real run of that workflow (Select Conversations acting with the creator's rules), the report file
that run exported (downloaded through its signed link) and the alert it put in the outbox.

Expectations come from a plain predicate over the generated data, not from AccessRules. One app and
store serve all examples; each example adds its own conversations (ids with their own prefix) and its
own user, and expectations cover everything stored so far.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redflare.adapters.db.conversations import ensure_integration
from redflare.adapters.db.orm import Conversation, Workflow
from redflare.adapters.db.runs import artifacts_of
from redflare.adapters.db.store import Store
from redflare.domain.access import Role
from redflare.domain.loading import document_from_data
from redflare.domain.ports import FixedClock
from redflare.services.run_start import start_run
from redflare.services.users import TOKEN_TTL, create_user, issue_credential
from redflare.services.workflows import save_draft_by_name
from redflare.sets.stored import read_stored
from tests.factories import T0, make_runner, step, workflow

INTEGRATIONS = ["north", "south", "west"]
TEAMS = ["X", "Y"]
AGENTS = ["ana", "bo"]
Row = tuple[str, str | None, str | None]  # integration, team, agent
Rules = dict[str, list[str] | None]


def dimension(pool: list[str]) -> st.SearchStrategy[list[str] | None]:
    """All (None), or a subset — possibly empty, possibly naming values no conversation has."""
    return st.none() | st.lists(st.sampled_from([*pool, "nobody"]), unique=True).map(sorted)


RULES = st.fixed_dictionaries(
    {"integrations": dimension(INTEGRATIONS), "teams": dimension(TEAMS), "agents": dimension(AGENTS)}
)
ROWS = st.lists(
    st.tuples(st.sampled_from(INTEGRATIONS), st.sampled_from([*TEAMS, None]), st.sampled_from([*AGENTS, None])),
    max_size=8,
)


def allowed(rules: Rules, row: Row) -> bool:
    """The rule as SPEC states it: each dimension is all, or a list the conversation's value must be in."""
    dimensions = (rules["integrations"], rules["teams"], rules["agents"])
    return all(values is None or value in values for values, value in zip(dimensions, row, strict=True))


class World:
    """What the examples have stored so far, and the ids they use next."""

    def __init__(self, client: TestClient, clock: FixedClock) -> None:
        self.client = client
        self.clock = clock
        self.store: Store = client.app.state.services.store  # type: ignore[attr-defined]
        self.rows: dict[str, Row] = {}
        self.numbers = itertools.count()

    def add(self, rows: list[Row]) -> list[str]:
        number = next(self.numbers)
        ids = []
        with self.store.transaction() as session:
            for index, (integration, team, agent) in enumerate(rows):
                source = ensure_integration(session, name=integration, now=T0)
                conversation_id = f"e{number}-{index}"
                session.add(
                    Conversation(
                        id=conversation_id,
                        integration_id=source.id,
                        channel="chat",
                        started_at=T0 + timedelta(minutes=number * 10 + index),
                        duration_s=60.0,
                        agent=agent,
                        team=team,
                        tags=[],
                        extra={},
                        turns=[{"speaker": "agent", "text": "Hello, how can I help?", "offset_s": 0.0}],
                        imported_at=T0,
                        updated_at=T0,
                    )
                )
                ids.append(conversation_id)
                self.rows[conversation_id] = (integration, team, agent)
        return ids

    def editor(self, rules: Rules) -> tuple[str, dict[str, str]]:
        """A new editor with these rules: their id and the header their API token goes in."""
        with self.store.transaction() as session:
            user, _ = create_user(
                session,
                email=f"editor{next(self.numbers)}@example.com",
                role=Role.EDITOR,
                password="long enough",
                now=self.clock.now(),
                **rules,
            )
            _, token = issue_credential(session, user=user, kind="token", now=self.clock.now(), ttl=TOKEN_TTL)
            return user.id, {"Authorization": f"Bearer {token}"}

    def listed(self, auth: dict[str, str]) -> list[str]:
        ids: list[str] = []
        while True:
            page = self.client.get(f"/api/conversations?limit=500&offset={len(ids)}", headers=auth).json()
            ids += [c["id"] for c in page["data"]]
            if len(ids) >= page["count"] or not page["data"]:
                return ids

    def selected_by_a_run(self, workflow_id: str) -> tuple[str, set[str]]:
        """Run the workflow (as its creator would): the run's id and what Select Conversations handed on."""
        runner = make_runner(self.store)
        with self.store.transaction() as session:
            row = session.get(Workflow, workflow_id)
            assert row is not None
            document = document_from_data(row.draft)
            run_id = start_run(session, workflow_id=workflow_id, document=document, version=None, now=T0).id
        runner.execute(run_id)
        with self.store.read() as session:
            kept = artifacts_of(session, run_id, "pick")["out"]
        return run_id, set(read_stored(kept.path, kept.data)["id"].to_list())

    def exported(self, run_id: str, auth: dict[str, str]) -> set[str]:
        """The ids in the run's report, downloaded through the signed link the run shows this user."""
        run = self.client.get(f"/api/runs/{run_id}", headers=auth).json()
        [export] = next(s for s in run["steps"] if s["id"] == "report")["exports"]
        url = export["download_url"]
        download = self.client.get(url[url.index("/api/") :], headers=auth)
        assert download.status_code == 200, download.text
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8"))))
        assert rows[0] == ["id"]
        return {row[0] for row in rows[1:]}

    def alerted(self, run_id: str, auth: dict[str, str]) -> str:
        """The subject of the alert the run put in the outbox, as this user's outbox shows it."""
        outbox = self.client.get(f"/api/outbox?run_id={run_id}", headers=auth).json()
        [subject] = [m["subject"] for m in outbox["data"] if m["kind"] == "alert"]
        return str(subject)


def test_every_path_shows_only_what_the_rules_allow(client: TestClient, clock: FixedClock) -> None:
    """Whatever the rules and data, list, look-up, counts, preview and run all agree with the rules."""
    world = World(client, clock)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rules=RULES, rows=ROWS)
    @example(
        rules={"integrations": None, "teams": ["X"], "agents": None}, rows=[("north", "X", "ana"), ("south", "Y", "bo")]
    )
    def check(rules: Rules, rows: list[Row]) -> None:
        mine = world.add(rows)
        user_id, auth = world.editor(rules)
        expected = {i for i, row in world.rows.items() if allowed(rules, row)}

        listed = world.listed(auth)
        assert sorted(listed) == sorted(expected)

        for conversation_id in mine:
            status = world.client.get(f"/api/conversations/{conversation_id}", headers=auth).status_code
            assert status == (200 if conversation_id in expected else 404)

        counts = {
            i["name"]: i["conversations"] for i in world.client.get("/api/integrations", headers=auth).json()["data"]
        }
        stored_integrations = {row[0] for row in world.rows.values()}
        shown = {name for name in stored_integrations if rules["integrations"] is None or name in rules["integrations"]}
        assert counts == {name: sum(1 for i in expected if world.rows[i][0] == name) for name in shown}

        with world.store.transaction() as session:
            data: dict[str, Any] = workflow(
                step("pick", "select_conversations", source="all"),
                step(
                    "report",
                    "schedule_export",
                    ["pick"],
                    name="All",
                    columns=["id"],
                    file_type="csv",
                    recipients=["a@example.com"],
                ),
                step(
                    "tell",
                    "send_alert",
                    ["pick"],
                    subject="{{ input.count }} seen",
                    message="-",
                    recipients=["a@example.com"],
                ),
                name=f"Access {user_id}",
            )
            workflow_id = save_draft_by_name(session, document_from_data(data), now=clock.now(), created_by=user_id).id
        preview = world.client.get(f"/api/workflows/{workflow_id}/estimate", headers=auth).json()
        assert preview["draft"]["conversations"] == len(expected)

        run_id, selected = world.selected_by_a_run(workflow_id)
        assert selected == expected
        assert world.exported(run_id, auth) == expected
        assert world.alerted(run_id, auth) == f"{len(expected)} seen"

    check()
