"""The pipelines API: versions, validation, archiving, roles, price changes over runs, and trying a pipeline."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from tests.factories import POLITE, SELECT_DEMO, TEAMS, add_conversations, make_runner, workflow
from tests.factories import PROCESS as ANALYSE
from tests.web.conftest import add_user, sign_in

GREETING = {"name": "greeting", "kind": "phrase_said", "phrases": ["hello"], "speaker": "agent"}
RUDENESS = {"name": "no_rudeness", "kind": "phrase_not_said", "phrases": ["not my problem"], "speaker": "agent"}


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def editor(client: TestClient, settings: Settings, **rules: list[str] | None) -> dict[str, str]:
    add_user(settings, "ed@example.com", Role.EDITOR, **rules)
    return {"X-CSRF-Token": sign_in(client, "ed@example.com")}


def short_qa(**changes: Any) -> dict[str, Any]:
    return {"name": "short-qa", "description": "Greeting and manners", "scorecard": [GREETING, RUDENESS], **changes}


class TestCrud:
    def test_create_edit_and_versions(self, client: TestClient, settings: Settings) -> None:
        csrf = editor(client, settings)
        created = client.post("/api/pipelines", json=short_qa(), headers=csrf)
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["version"], body["criteria"], body["archived"]) == (1, ["greeting", "no_rudeness"], False)
        assert [(v["number"], v["created_by"]) for v in body["versions"]] == [(1, "ed@example.com")]
        assert client.post("/api/pipelines", json=short_qa(), headers=csrf).status_code == 409

        edited = client.put(
            "/api/pipelines/short-qa", json=short_qa(prices={"analysis_per_conversation": 3}), headers=csrf
        ).json()
        assert (edited["version"], edited["changed"], edited["prices"]["analysis_per_conversation"]) == (2, True, 3.0)
        # PUT back what GET answers (version and all): identical, so no new version.
        current = client.get("/api/pipelines/short-qa").json()
        same = {k: current[k] for k in ("name", "version", "description", "stages", "sentiment", "scorecard", "prices")}
        again = client.put("/api/pipelines/short-qa", json=same, headers=csrf).json()
        assert (again["version"], again["changed"]) == (2, False)
        assert [v["number"] for v in again["versions"]] == [1, 2]

        first = client.get("/api/pipelines/short-qa/versions/1").json()
        assert (first["version"], first["prices"]["analysis_per_conversation"]) == (1, 1.0)
        assert client.get("/api/pipelines/short-qa/versions/3").status_code == 404
        listed = {p["name"]: p for p in client.get("/api/pipelines").json()["data"]}
        assert listed["short-qa"]["version"] == 2
        assert listed["short-qa"]["scorecard"][0]["phrases"] == ["hello"]

    def test_bad_input_is_422_with_paths_and_stores_nothing(self, client: TestClient, settings: Settings) -> None:
        csrf = editor(client, settings)
        bad = short_qa(scorecard=[{**GREETING, "threshold": 140}], stages={"transcribe": "maybe"})
        answer = client.post("/api/pipelines", json=bad, headers=csrf)
        assert answer.status_code == 422
        assert {e["path"] for e in answer.json()["errors"]} == {"scorecard[0].threshold", "stages.transcribe"}
        assert client.get("/api/pipelines/short-qa").status_code == 404
        assert client.post("/api/pipelines", json=[1], headers=csrf).status_code == 422

        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        renamed = client.put("/api/pipelines/short-qa", json=short_qa(name="other-qa"), headers=csrf)
        assert [e["path"] for e in renamed.json()["errors"]] == ["name"]
        assert client.get("/api/pipelines/short-qa").json()["versions"][-1]["number"] == 1

    def test_archive_and_unarchive(self, client: TestClient, settings: Settings) -> None:
        add_conversations(store_of(client), 1)  # the workflow's integration
        csrf = editor(client, settings)
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        archived = client.post("/api/pipelines/short-qa/archive", headers=csrf).json()
        assert archived["archived"] is True
        assert "short-qa" not in [p["name"] for p in client.get("/api/pipelines").json()["data"]]
        every = client.get("/api/pipelines?archived=true").json()["data"]
        assert {p["name"]: p["archived"] for p in every}["short-qa"] is True
        # A workflow using it: Final checks say it does not exist, as for a deleted one.
        document = workflow(SELECT_DEMO, {**ANALYSE, "config": {"pipeline": "short-qa"}})
        created = client.post("/api/workflows", json=document, headers=csrf).json()
        assert any("short-qa" in i["message"] for i in created["issues"])
        restored = client.post("/api/pipelines/short-qa/unarchive", headers=csrf).json()
        assert restored["archived"] is False
        assert client.get(f"/api/workflows/{created['id']}/issues").json()["issues"] == []

    def test_archiving_a_pipeline_live_workflows_use_names_them_then_pauses_them(
        self, client: TestClient, settings: Settings
    ) -> None:
        """Issue P8: archiving silently broke the live workflows using it (still Live, the next run failed with "no
        pipeline …"). Now it is refused naming them; confirmed, each is paused with the reason, audited."""
        add_conversations(store_of(client), 1)
        csrf = editor(client, settings)
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        document = {**workflow(SELECT_DEMO, {**ANALYSE, "config": {"pipeline": "short-qa"}}), "name": "Billing QA"}
        created = client.post("/api/workflows", json=document, headers=csrf).json()
        assert client.post(f"/api/workflows/{created['id']}/publish", headers=csrf).status_code == 200
        unused = client.post("/api/workflows", json={**workflow(SELECT_DEMO), "name": "Other"}, headers=csrf).json()
        client.post(f"/api/workflows/{unused['id']}/publish", headers=csrf)
        assert client.get("/api/pipelines/short-qa/usage").json() == [
            {"workflow_id": created["id"], "name": "Billing QA", "status": "live"}
        ]

        refused = client.post("/api/pipelines/short-qa/archive", headers=csrf)
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "pipeline 'short-qa' is used by 1 live workflow(s): 'Billing QA'; archiving it pauses them "
            "(archive again with confirm to go ahead)"
        )
        assert client.get("/api/pipelines/short-qa").json()["archived"] is False

        archived = client.post("/api/pipelines/short-qa/archive?confirm=true", headers=csrf)
        assert archived.status_code == 200, archived.text
        shown = client.get(f"/api/workflows/{created['id']}").json()
        assert shown["status"] == "Paused"
        assert shown["paused_reason"] == (
            "Paused automatically: its pipeline 'short-qa' was archived; choose another pipeline, then resume."
        )
        other = client.get(f"/api/workflows/{unused['id']}").json()
        assert other["status"] == "Live"
        log = client.get(f"/api/workflows/{created['id']}/audit").json()["data"]
        assert log[0]["action"] == "auto_pause"
        assert log[0]["user_email"] == "ed@example.com"

    def test_new_prices_for_a_pipeline_live_workflows_use_name_them_and_ask_first(
        self, client: TestClient, settings: Settings
    ) -> None:
        """New prices change what live workflows spend from their next run: refused naming them, then confirmed; a
        change of anything but prices saves at once."""
        add_conversations(store_of(client), 1)
        csrf = editor(client, settings)
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        document = {**workflow(SELECT_DEMO, {**ANALYSE, "config": {"pipeline": "short-qa"}}), "name": "Billing QA"}
        created = client.post("/api/workflows", json=document, headers=csrf).json()
        client.post(f"/api/workflows/{created['id']}/publish", headers=csrf)

        dearer = short_qa(prices={"analysis_per_conversation": 3})
        refused = client.put("/api/pipelines/short-qa", json=dearer, headers=csrf)
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "pipeline 'short-qa''s new prices apply to the next runs of 1 live workflow(s): 'Billing QA' "
            "(save again with confirm to go ahead)"
        )
        assert client.get("/api/pipelines/short-qa").json()["version"] == 1
        saved = client.put("/api/pipelines/short-qa?confirm=true", json=dearer, headers=csrf).json()
        assert (saved["version"], saved["prices"]["analysis_per_conversation"]) == (2, 3.0)
        reworded = client.put("/api/pipelines/short-qa", json={**dearer, "description": "Manners"}, headers=csrf)
        assert reworded.status_code == 200, reworded.text

    def test_viewers_cannot_change_pipelines(self, client: TestClient, settings: Settings) -> None:
        csrf = editor(client, settings)
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        add_user(settings, "vi@example.com", Role.VIEWER)
        viewer = {"X-CSRF-Token": sign_in(client, "vi@example.com")}
        assert client.post("/api/pipelines", json=short_qa(name="mine"), headers=viewer).status_code == 403
        assert client.put("/api/pipelines/short-qa", json=short_qa(), headers=viewer).status_code == 403
        assert client.post("/api/pipelines/short-qa/archive", headers=viewer).status_code == 403
        assert client.get("/api/pipelines/short-qa").status_code == 200


class TestPriceChange:
    def test_old_results_keep_their_credits_new_runs_pay_the_new_price(
        self, client: TestClient, settings: Settings
    ) -> None:
        store = store_of(client)
        ids = add_conversations(store, 3)
        runner = make_runner(store)
        assert runner.run_document(workflow(SELECT_DEMO, ANALYSE))["credits"] == 3.0
        csrf = editor(client, settings)
        current = client.get("/api/pipelines/default-qa").json()
        priced = {**current, "prices": {**current["prices"], "analysis_per_conversation": 4}}
        assert client.put("/api/pipelines/default-qa", json=priced, headers=csrf).json()["version"] == 2
        assert runner.run_document(workflow(SELECT_DEMO, ANALYSE, name="After"))["credits"] == 12.0
        results = client.get(f"/api/conversations/{ids[0]}").json()["results"]
        assert [(r["pipeline_version"], r["credits"]) for r in results] == [(1, 1.0), (2, 4.0)]


class TestTry:
    def test_scores_with_evidence_and_charges_nothing(self, client: TestClient, settings: Settings) -> None:
        store = store_of(client)
        ids = add_conversations(store, 2)  # the second is the polite script
        csrf = editor(client, settings)
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        answer = client.post("/api/pipelines/short-qa/try", json={"conversation_id": ids[1]}, headers=csrf)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["pipeline"], body["version"], body["error"], body["credits"]) == ("short-qa", 1, None, 1.0)
        assert body["criteria"] == {"greeting": True, "no_rudeness": True}
        assert body["evidence"]["greeting"]["text"] == POLITE[0][1]  # the matched turn
        assert [t["text"] for t in body["turns"]] == [text for _, text in POLITE]
        assert all(t["sentiment"] is not None for t in body["turns"])
        assert body["measures"]["turns"] == len(POLITE)
        assert body["score"] == 100.0
        assert client.get(f"/api/conversations/{ids[1]}").json()["results"] == []  # nothing stored

    def test_an_older_version_and_the_rules(self, client: TestClient, settings: Settings) -> None:
        ids = add_conversations(store_of(client), 2)  # first: team TEAMS[0], second: TEAMS[1]
        csrf = editor(client, settings, teams=[TEAMS[0]])
        client.post("/api/pipelines", json=short_qa(), headers=csrf)
        client.put("/api/pipelines/short-qa", json=short_qa(scorecard=[GREETING]), headers=csrf)
        old = client.post("/api/pipelines/short-qa/try", json={"conversation_id": ids[0], "version": 1}, headers=csrf)
        assert set(old.json()["criteria"]) == {"greeting", "no_rudeness"}
        hidden = client.post("/api/pipelines/short-qa/try", json={"conversation_id": ids[1]}, headers=csrf)
        missing = client.post("/api/pipelines/short-qa/try", json={"conversation_id": "nope"}, headers=csrf)
        assert hidden.status_code == missing.status_code == 404
