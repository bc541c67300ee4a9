"""Pipelines, conversations and integrations over the API, always within the user's data-access rules."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from redflare.adapters.db.orm import AnalysisResult, Conversation, Integration, Pipeline
from redflare.adapters.db.store import Store
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.services.catalog import push_token_matches
from tests.factories import (
    AGENTS,
    POLITE,
    RUDE,
    SELECT_DEMO,
    T0,
    TEAMS,
    add_conversations,
    make_runner,
    step,
    workflow,
)
from tests.factories import PROCESS as ANALYSE
from tests.web.conftest import add_user, sign_in


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def signed_in(client: TestClient, settings: Settings, email: str, role: Role, **rules: list[str] | None) -> str:
    add_user(settings, email, role, **rules)
    return sign_in(client, email)


class TestPipelines:
    def test_lists_the_shipped_pipeline(self, client: TestClient, settings: Settings) -> None:
        """Any signed-in user sees each pipeline's current version, its criteria and its prices."""
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        body = client.get("/api/pipelines").json()
        shipped = load_builtin_pipelines()["default-qa"]
        found = {p["name"]: p for p in body["data"]}
        assert body["count"] == len(body["data"])
        assert found["default-qa"]["version"] == shipped.version
        assert found["default-qa"]["criteria"] == shipped.criterion_names
        assert found["default-qa"]["prices"] == {k: float(v) for k, v in shipped.prices.model_dump().items()}
        assert found["default-qa"]["stages"] == shipped.stages.model_dump()


class TestConversations:
    def test_newest_first_with_the_set_columns(self, client: TestClient, settings: Settings) -> None:
        """The list is newest first and carries the set's columns, the customer and the turn count."""
        ids = add_conversations(store_of(client), 7)
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        body = client.get("/api/conversations").json()
        assert body["count"] == 7
        starts = [c["started_at"] for c in body["data"]]
        assert starts == sorted(starts, reverse=True)
        turns = {c["id"]: c["turn_count"] for c in body["data"]}
        # add_conversations makes every third conversation the rude script
        assert turns == {i: len(RUDE if n % 3 == 0 else POLITE) for n, i in enumerate(ids)}
        assert {"integration", "channel", "duration_s", "agent", "team", "tags", "customer"} <= set(body["data"][0])

    def test_pages_cover_the_list_once(self, client: TestClient, settings: Settings) -> None:
        """Pages of 4 put together are the whole list, in order, with nothing twice."""
        add_conversations(store_of(client), 10)
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        whole = [c["id"] for c in client.get("/api/conversations?limit=100").json()["data"]]
        paged = [
            c["id"]
            for offset in (0, 4, 8)
            for c in client.get(f"/api/conversations?limit=4&offset={offset}").json()["data"]
        ]
        assert paged == whole

    def test_filters(self, client: TestClient, settings: Settings) -> None:
        """Filtering by integration, team and agent keeps exactly the matching conversations."""
        add_conversations(store_of(client), 8)
        add_conversations(store_of(client), 4, integration="other", prefix="o")
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        every = client.get("/api/conversations?limit=100").json()["data"]
        query = f"integration=demo&team={TEAMS[0]}&agent={AGENTS[0]}"
        picked = client.get(f"/api/conversations?{query}").json()
        expected = [
            c["id"] for c in every if (c["integration"], c["team"], c["agent"]) == ("demo", TEAMS[0], AGENTS[0])
        ]
        assert expected
        assert [c["id"] for c in picked["data"]] == expected
        assert picked["count"] == len(expected)

    def test_search_finds_text_in_who_and_where(self, client: TestClient, settings: Settings) -> None:
        """`q` finds its text in any case in the id, agent, customer, team or queue; `%` and `_` are literal."""
        store = store_of(client)
        ids = add_conversations(store, 12)
        with store.transaction() as session:
            session.execute(
                update(Conversation).where(Conversation.id == ids[3]).values(customer="Zoë O'Brien_100%", queue="vip")
            )
        signed_in(client, settings, "vi@example.com", Role.VIEWER)

        def found(q: str, extra: str = "") -> list[str]:
            answer = client.get(
                "/api/conversations", params={"q": q, "limit": 100} | ({"team": extra} if extra else {})
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["count"] == len(answer.json()["data"])
            return [c["id"] for c in answer.json()["data"]]

        every = client.get("/api/conversations?limit=100").json()["data"]
        ana = [c["id"] for c in every if c["agent"] == "Ana Ruiz"]
        assert ana
        assert found("ana ruiz") == found("ANA R") == ana
        assert found("o'brien") == found("_100%") == found("VIP") == [ids[3]]
        assert found("%") == found("_") == [ids[3]]  # not LIKE's wildcards: only the customer holds them
        assert found(ids[7]) == [ids[7]]
        assert found("c-0000") == [c["id"] for c in every if "c-0000" in c["id"]]
        assert found("billing") == [c["id"] for c in every if c["team"] == "Billing"]
        # "o" is in Dana Ito (Billing) and Bo Chen (Support): with the team filter, Billing's only.
        with_o = [c for c in every if "o" in c["agent"].lower()]
        assert {c["team"] for c in with_o} == set(TEAMS)
        assert found("o", extra=TEAMS[0]) == [c["id"] for c in with_o if c["team"] == TEAMS[0]]
        assert found("nobody by that name") == []
        empty = client.get("/api/conversations?q=")
        assert empty.status_code == 422
        assert empty.json()["errors"][0]["path"] == "query.q"

    def test_only_what_the_rules_allow(self, client: TestClient, settings: Settings) -> None:
        """A Billing-only user lists only Billing's conversations, even when asking for another team."""
        add_conversations(store_of(client), 9)
        signed_in(client, settings, "bill@example.com", Role.EDITOR, teams=[TEAMS[0]])
        mine = client.get("/api/conversations").json()
        assert mine["count"] > 0
        assert {c["team"] for c in mine["data"]} == {TEAMS[0]}
        assert client.get(f"/api/conversations?team={TEAMS[1]}").json() == {"data": [], "count": 0}

    def test_one_conversation_with_turns_and_results(self, client: TestClient, settings: Settings) -> None:
        """One conversation answers its turns and each stored analysis, by pipeline and version."""
        store = store_of(client)
        ids = add_conversations(store, 3)
        make_runner(store).run_document(workflow(SELECT_DEMO, ANALYSE))
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        body = client.get(f"/api/conversations/{ids[0]}").json()
        with store.transaction() as session:
            stored = session.scalar(select(AnalysisResult).where(AnalysisResult.conversation_id == ids[0]))
            assert stored is not None
            score = stored.score
        assert [t["text"] for t in body["turns"]] == [text for _, text in RUDE]
        assert [(r["pipeline"], r["pipeline_version"], r["score"]) for r in body["results"]] == [
            ("default-qa", 1, score)
        ]

    def test_outside_the_rules_is_not_found(self, client: TestClient, settings: Settings) -> None:
        """A conversation outside the user's rules answers 404, exactly like an id that does not exist."""
        ids = add_conversations(store_of(client), 2)  # the first is team TEAMS[0], the second TEAMS[1]
        signed_in(client, settings, "bill@example.com", Role.VIEWER, teams=[TEAMS[0]])
        assert client.get(f"/api/conversations/{ids[0]}").status_code == 200
        hidden = client.get(f"/api/conversations/{ids[1]}")
        missing = client.get("/api/conversations/no-such-id")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["title"] == missing.json()["title"]

    def test_results_carry_evidence_and_measures(self, client: TestClient, settings: Settings) -> None:
        """Each result answers the evidence behind its criteria and the call measures, as the run stored them."""
        store = store_of(client)
        ids = add_conversations(store, 3)  # ids[0] is the rude script, ids[1] the polite one
        make_runner(store).run_document(workflow(SELECT_DEMO, ANALYSE))
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        polite = client.get(f"/api/conversations/{ids[1]}").json()
        rude = client.get(f"/api/conversations/{ids[0]}").json()
        [result] = polite["results"]
        phrases = _phrases("default-qa")

        greeting = result["evidence"]["greeting"]
        assert (greeting["turn"], greeting["speaker"], greeting["text"]) == (0, "agent", POLITE[0][1])
        assert (greeting["offset_s"], greeting["end_s"]) == (0.0, 4.0)
        assert greeting["match"] in phrases["greeting"]
        assert greeting["similarity"] >= 85
        assert greeting["value"] is None
        assert result["evidence"]["no_prohibited_language"] is None  # a pass of phrase_not_said points at nothing
        offending = rude["results"][0]["evidence"]["no_prohibited_language"]
        assert (offending["turn"], offending["text"]) == (2, RUDE[2][1])
        assert offending["match"] in phrases["no_prohibited_language"]
        assert set(result["evidence"]) == set(result["criteria"])

        # Turns of 4 s with a 1 s gap between them, no overlap; the customer waits 1 s for each answer.
        assert (result["silence_s"], result["longest_silence_s"]) == (len(POLITE) - 1.0, 1.0)
        assert result["interruptions"] == 0
        assert result["agent_response_s"] == 1.0
        assert result["duration_s"] == polite["duration_s"]
        assert result["transcript"] == []  # a text conversation is analysed as it is, nothing transcribed
        assert {"score", "criteria", "talk_ratio", "turns", "turn_sentiments", "credits", "run_id"} <= set(result)

    def test_audio_results_carry_their_transcript(self, client: TestClient, settings: Settings) -> None:
        """A call stored without turns keeps `turns` empty; each result answers the transcript it analysed."""
        store = store_of(client)
        [call_id] = add_conversations(store, 1, prefix="call")
        make_runner(store)  # the shipped pipelines
        transcript = [
            {"speaker": "agent", "text": "Hello, how can I help?", "offset_s": 0.4, "end_s": 1.9},
            {"speaker": "customer", "text": "My card was charged twice.", "offset_s": 2.3, "end_s": 4.0},
        ]
        with store.transaction() as session:
            call = session.get(Conversation, call_id)
            assert call is not None
            call.channel, call.audio, call.turns = "call", "/recordings/call.wav", []
            for name, transcribed in (("call-qa", transcript), ("default-qa", transcript[:1])):
                pipeline = session.scalar(select(Pipeline).where(Pipeline.name == name))
                assert pipeline is not None
                session.add(_stored_result(call_id, pipeline.id, transcribed))
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        body = client.get(f"/api/conversations/{call_id}").json()
        assert body["has_audio"] is True
        assert (body["turns"], body["turn_count"]) == ([], 0)
        assert [(r["pipeline"], r["transcript"]) for r in body["results"]] == [
            ("call-qa", transcript),
            ("default-qa", transcript[:1]),
        ]

    def test_results_load_in_one_query(self, client: TestClient, settings: Settings) -> None:
        """Results by two pipelines, with their deferred evidence, transcript and turn sentiments, come in one
        statement: reading them never goes back to the database once per result."""
        store = store_of(client)
        ids = add_conversations(store, 2)
        other = step("again", "process_conversations", ["pick"], pipeline="call-qa")
        make_runner(store).run_document(workflow(SELECT_DEMO, ANALYSE, other))
        signed_in(client, settings, "vi@example.com", Role.VIEWER)
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)

        event.listen(store.engine, "before_cursor_execute", record)
        try:
            body = client.get(f"/api/conversations/{ids[1]}").json()
        finally:
            event.remove(store.engine, "before_cursor_execute", record)
        assert [r["pipeline"] for r in body["results"]] == ["call-qa", "default-qa"]
        assert all(r["evidence"] and r["turn_sentiments"] for r in body["results"])
        assert len([s for s in statements if "analysis_results" in s]) == 1

    def test_results_stay_within_the_rules(self, client: TestClient, settings: Settings) -> None:
        """After a run, a Billing-only user still gets 404 for another team's analysed conversation."""
        store = store_of(client)
        ids = add_conversations(store, 2)  # the first is team TEAMS[0], the second TEAMS[1]
        make_runner(store).run_document(workflow(SELECT_DEMO, ANALYSE))
        signed_in(client, settings, "bill@example.com", Role.VIEWER, teams=[TEAMS[0]])
        assert client.get(f"/api/conversations/{ids[0]}").json()["results"][0]["evidence"]
        hidden = client.get(f"/api/conversations/{ids[1]}")
        assert hidden.status_code == 404
        assert "results" not in hidden.json()


def _phrases(pipeline: str) -> dict[str, list[str]]:
    """Each phrase criterion's phrases, as the shipped pipeline spells them."""
    document = load_builtin_pipelines()[pipeline].model_dump()
    return {c["name"]: c["phrases"] for c in document["scorecard"] if "phrases" in c}


def _stored_result(conversation_id: str, pipeline_id: int, transcript: list[dict[str, object]]) -> AnalysisResult:
    return AnalysisResult(
        conversation_id=conversation_id,
        pipeline_id=pipeline_id,
        pipeline_version=1,
        criteria={},
        turn_sentiments=[],
        evidence={},
        transcript=transcript,
        credits=Decimal("1.5"),
        created_at=T0,
    )


class TestIntegrations:
    def test_counts_only_visible_conversations(self, client: TestClient, settings: Settings) -> None:
        """Each integration the rules allow is listed with how many of its conversations the user may see."""
        add_conversations(store_of(client), 6)
        add_conversations(store_of(client), 3, integration="hidden", prefix="h")
        signed_in(client, settings, "bill@example.com", Role.VIEWER, integrations=["demo"], teams=[TEAMS[0]])
        body = client.get("/api/integrations").json()
        assert [(i["name"], i["conversations"]) for i in body["data"]] == [("demo", 3)]

    def test_push_integration_token_is_shown_once(self, client: TestClient, settings: Settings) -> None:
        """A push integration's token comes back once; only its digest is stored, and it is never shown again."""
        csrf = signed_in(client, settings, "ed@example.com", Role.EDITOR)
        created = client.post("/api/integrations", json={"name": "crm", "kind": "push"}, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201
        token = created.json()["token"]
        with store_of(client).transaction() as session:
            row = session.scalar(select(Integration).where(Integration.name == "crm"))
            assert row is not None
            config = dict(row.config)
        assert config["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(config)
        assert push_token_matches(config, token)
        assert not push_token_matches(config, token + "x")
        listed = client.get("/api/integrations").json()["data"]
        assert [(i["name"], i["kind"], i["config"]) for i in listed] == [("crm", "push", {})]
        assert "token" not in listed[0]

    def test_folder_integration_needs_a_path(self, client: TestClient, settings: Settings) -> None:
        """A folder integration without a path is refused, naming the field; with one it is stored."""
        csrf = signed_in(client, settings, "ed@example.com", Role.EDITOR)
        headers = {"X-CSRF-Token": csrf}
        refused = client.post("/api/integrations", json={"name": "calls", "kind": "folder"}, headers=headers)
        assert refused.status_code == 422
        assert [e["path"] for e in refused.json()["errors"]] == ["config.path"]
        made = client.post(
            "/api/integrations",
            json={"name": "calls", "kind": "folder", "config": {"path": "/srv/calls"}},
            headers=headers,
        )
        assert (made.status_code, made.json()["token"], made.json()["config"]) == (201, None, {"path": "/srv/calls"})

    def test_names_are_unique(self, client: TestClient, settings: Settings) -> None:
        """A second integration with a taken name is a conflict."""
        csrf = signed_in(client, settings, "ed@example.com", Role.ADMIN)
        body = {"name": "crm", "kind": "push"}
        assert client.post("/api/integrations", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
        assert client.post("/api/integrations", json=body, headers={"X-CSRF-Token": csrf}).status_code == 409

    def test_viewers_cannot_add(self, client: TestClient, settings: Settings) -> None:
        """A viewer reads integrations but cannot add one."""
        csrf = signed_in(client, settings, "vi@example.com", Role.VIEWER)
        body = {"name": "crm", "kind": "push"}
        assert client.post("/api/integrations", json=body, headers={"X-CSRF-Token": csrf}).status_code == 403
        assert client.get("/api/integrations").json() == {"data": [], "count": 0}


class TestBadText:
    def test_nul_characters_are_bad_requests(self, client: TestClient, settings: Settings) -> None:
        """Text with a NUL character (which PostgreSQL cannot store) is a 422 naming the field, never a 5xx."""
        csrf = signed_in(client, settings, "ed@example.com", Role.EDITOR)
        headers = {"X-CSRF-Token": csrf}
        answers = [
            client.get("/api/conversations?team=a%00b"),
            client.get("/api/conversations/a%00b"),
            client.get("/api/workflows/a%00b/estimate"),
            client.post("/api/integrations", json={"name": "a\u0000b", "kind": "push"}, headers=headers),
            client.post(
                "/api/integrations", json={"name": "ab", "kind": "push", "config": {"k": ["\u0000"]}}, headers=headers
            ),
        ]
        assert [a.status_code for a in answers] == [422] * 5
        assert [a.json()["errors"][0]["path"] for a in answers] == [
            "query.team",
            "path.conversation_id",
            "path.workflow_id",
            "body.name",
            "body.config",
        ]
