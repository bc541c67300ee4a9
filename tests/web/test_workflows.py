"""The workflows API as a user sees it: list, documents, drafts and Final checks, the lifecycle, versions,
settings, the canvas's helpers, import/export, the audit log — and who may do what."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from redflare.adapters.db.orm import Artifact, AuditEntry, Call, Charge, Run, User, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.domain.access import Role
from redflare.domain.loading import document_from_data
from redflare.domain.ports import FixedClock
from redflare.services.run_start import start_run
from redflare.services.users import TOKEN_TTL, issue_credential
from tests.factories import PROCESS, step, workflow

PICK_ALL = step("pick", "select_conversations", source="all")
PUBLISH_REFUSED = "Please resolve the issues in the workflow before publishing the workflow."
CHANGE_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"


@dataclass
class Actor:
    """A user acting through the API with their personal token (no cookie, so no CSRF token needed)."""

    client: TestClient
    headers: dict[str, str]
    id: str

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.client.get(f"/api{path}", headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None) -> Response:
        return self.client.post(f"/api{path}", json=body, headers=self.headers)

    def put(self, path: str, body: Any) -> Response:
        return self.client.put(f"/api{path}", json=body, headers=self.headers)

    def patch(self, path: str, body: Any) -> Response:
        return self.client.patch(f"/api{path}", json=body, headers=self.headers)

    def delete(self, path: str) -> Response:
        return self.client.delete(f"/api{path}", headers=self.headers)

    def create(self, document: dict[str, Any]) -> str:
        response = self.post("/workflows", document)
        assert response.status_code == 201, response.text
        workflow_id: str = response.json()["id"]
        return workflow_id

    def published(self, document: dict[str, Any]) -> str:
        workflow_id = self.create(document)
        assert self.post(f"/workflows/{workflow_id}/publish").status_code == 200
        return workflow_id


def actor(client: TestClient, email: str, role: Role, **rules: list[str] | None) -> Actor:
    """A new user with an API token (made in the app's store: no password hashing, so tests stay fast)."""
    with store_of(client).transaction() as session:
        user = User(
            id=uuid.uuid4().hex,
            email=email,
            password_hash=None,
            role=role.value,
            integrations=rules.get("integrations"),
            teams=rules.get("teams"),
            agents=rules.get("agents"),
            disabled=False,
            created_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
        _, secret = issue_credential(session, user=user, kind="token", now=datetime.now(UTC), ttl=TOKEN_TTL)
    return Actor(client, {"Authorization": f"Bearer {secret}"}, user.id)


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def ready(name: str = "Flow", **settings: Any) -> dict[str, Any]:
    """A document with no issues: a manual trigger, then select → process."""
    return workflow(PICK_ALL, PROCESS, name=name, settings=settings or None)


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem document with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


@pytest.fixture
def ana(client: TestClient) -> Actor:
    return actor(client, "ana@example.com", Role.EDITOR)


class TestCreate:
    def test_a_draft_is_stored_even_with_issues(self, ana: Actor) -> None:
        """A new workflow is a Draft created by you; Final-checks issues come back but do not refuse it."""
        response = ana.post("/workflows", {"name": "Nightly", "steps": []})
        assert response.status_code == 201
        body = response.json()
        me = ana.get("/auth/me").json()
        assert (body["name"], body["status"], body["state"], body["created_by"]) == (
            "Nightly",
            "Draft",
            "draft",
            me["id"],
        )
        assert {(i["path"], i["node"]) for i in body["issues"]} == {("trigger", "trigger"), ("steps", "trigger")}
        assert ana.get(f"/workflows/{body['id']}").json()["status"] == "Draft"

    def test_a_ready_document_has_no_issues(self, ana: Actor) -> None:
        """A complete document is stored with an empty issue list."""
        assert ana.post("/workflows", ready()).json()["issues"] == []

    def test_an_unparsable_document_is_refused_with_every_issue(self, ana: Actor) -> None:
        """A document that does not parse: 422 naming each problem by its path and node; nothing stored."""
        bad = {"name": "", "trigger": {"type": "sometimes"}, "steps": [{"id": "Bad Id", "type": "filter"}], "x": 1}
        body = assert_problem(ana.post("/workflows", bad), 422)
        paths = {e["path"]: e["node"] for e in body["errors"]}
        assert paths == {"name": None, "trigger.type": "trigger", "steps[0].id": "Bad Id", "x": None}
        assert ana.get("/workflows").json()["count"] == 0

    def test_limits_beyond_what_is_stored_are_refused(self, ana: Actor) -> None:
        """A call limit too large to store is an issue at settings.call_limit, not a server error."""
        body = assert_problem(ana.post("/workflows", ready(call_limit=2**40)), 422)
        assert [e["path"] for e in body["errors"]] == ["settings.call_limit"]


class TestList:
    def test_status_last_run_and_order(self, client: TestClient, ana: Actor, clock: FixedClock) -> None:
        """The list shows each workflow by name with its status and its latest run's number, status and time."""
        live = ana.published(ready("b live"))
        draft = ana.create(ready("A draft"))
        with store_of(client).transaction() as session:
            document = document_from_data(ready("b live"))
            for _ in range(2):
                start_run(session, workflow_id=live, document=document, version=1, now=clock.now())
                clock.advance(60)
        rows = ana.get("/workflows").json()
        assert rows["count"] == 2
        assert [(w["id"], w["status"]) for w in rows["data"]] == [(draft, "Draft"), (live, "Live")]
        last = rows["data"][1]["last_run"]
        assert (last["number"], last["status"], last["at"]) == (2, "queued", "2026-04-01T09:01:00Z")
        assert rows["data"][0]["last_run"] is None

    def test_search_is_case_insensitive_and_literal(self, ana: Actor) -> None:
        """Search workflows matches part of the name whatever its case; % and _ are plain characters."""
        names = ["Nightly QA", "nightly export", "Weekly", "100% done", "a_b"]
        for name in names:
            ana.create(ready(name))

        def found(term: str) -> set[str]:
            return {w["name"] for w in ana.get("/workflows", params={"search": term}).json()["data"]}

        assert found("NIGHT") == {n for n in names if "night" in n.lower()}
        assert found("%") == {"100% done"}
        assert found("_") == {"a_b"}

    def test_pagination_pages_through_all(self, ana: Actor) -> None:
        """limit/offset walk the whole list in name order; count is the total every time."""
        names = [f"flow {i:02d}" for i in range(7)]
        for name in reversed(names):
            ana.create(ready(name))
        seen = []
        for offset in range(0, 7, 3):
            page = ana.get("/workflows", params={"limit": 3, "offset": offset}).json()
            assert page["count"] == 7
            seen += [w["name"] for w in page["data"]]
        assert seen == sorted(names)

    def test_only_workflows_you_may_see(self, client: TestClient, ana: Actor) -> None:
        """Someone whose rules are narrower than the creator's neither lists nor opens the creator's workflows."""
        hidden = ana.create(ready("Ana's"))
        bo = actor(client, "bo@example.com", Role.EDITOR, teams=["Billing"])
        mine = bo.create(ready("Bo's"))
        assert [w["id"] for w in bo.get("/workflows").json()["data"]] == [mine]
        assert_problem(bo.get(f"/workflows/{hidden}"), 404)
        assert {w["id"] for w in ana.get("/workflows").json()["data"]} == {hidden, mine}


class TestRenameAndDelete:
    def test_rename(self, ana: Actor) -> None:
        """Renaming changes the workflow and its draft; the published version keeps its name."""
        workflow_id = ana.published(ready("Old"))
        renamed = ana.patch(f"/workflows/{workflow_id}", {"name": "New"}).json()
        assert (renamed["name"], renamed["status"]) == ("New", "Live")
        assert ana.get(f"/workflows/{workflow_id}/draft").json()["name"] == "New"
        assert ana.get(f"/workflows/{workflow_id}/versions/1").json()["document"]["name"] == "Old"
        assert ana.get(f"/workflows/{workflow_id}/audit").json()["data"][0]["detail"] == {"from": "Old", "to": "New"}

    def test_delete_cascades_and_cancels(self, client: TestClient, ana: Actor, clock: FixedClock) -> None:
        """Delete: its queued run is cancelled, versions, runs and their files go; the audit log keeps the fact."""
        workflow_id = ana.published(ready())
        store = store_of(client)
        with store.transaction() as session:
            run = start_run(
                session, workflow_id=workflow_id, document=document_from_data(ready()), version=1, now=clock.now()
            )
            run_id = run.id
            named = store.artifacts_dir / run_id / "pick" / "out.parquet"
            unnamed = store.artifacts_dir / run_id / "analyse" / "left-by-a-cancel.parquet"
            for path in (named, unnamed):
                path.parent.mkdir(parents=True)
                path.write_bytes(b"x")
            session.add(
                Artifact(
                    run_id=run_id, step_id="pick", port="out", path=str(named), rows=1, bytes=1, created_at=clock.now()
                )
            )
        assert ana.delete(f"/workflows/{workflow_id}").status_code == 204
        assert_problem(ana.get(f"/workflows/{workflow_id}"), 404)
        with store.transaction() as session:
            for table in (Run, WorkflowVersion, Artifact, Call):
                assert session.scalar(select(func.count()).select_from(table)) == 0
        assert not (store.artifacts_dir / run_id).exists()
        with store.transaction() as session:
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert (entry.workflow_id, entry.user_email, entry.detail["cancelled_runs"]) == (
            workflow_id,
            "ana@example.com",
            [run_id],
        )

    def test_delete_unknown_is_404(self, ana: Actor) -> None:
        """Deleting what does not exist answers 404 problem details."""
        assert_problem(ana.delete("/workflows/nope"), 404)


class TestDraft:
    def test_get_answers_the_document(self, ana: Actor) -> None:
        """The draft comes back as the workflow document that was stored."""
        document = ready("Doc")
        workflow_id = ana.create(document)
        assert document_from_data(ana.get(f"/workflows/{workflow_id}/draft").json()) == document_from_data(document)

    def test_put_replaces_and_reports_issues(self, ana: Actor) -> None:
        """PUT stores the new draft and answers it with its issues (here: a step with no input)."""
        workflow_id = ana.create(ready())
        orphan = workflow(PICK_ALL, step("analyse", "process_conversations", pipeline="default-qa"), name="Flow")
        body = ana.put(f"/workflows/{workflow_id}/draft", orphan).json()
        assert [(i["path"], i["node"]) for i in body["issues"]] == [("steps[1].after", "analyse")]
        assert ana.get(f"/workflows/{workflow_id}/draft").json()["steps"][1]["after"] == []

    def test_put_of_a_bad_document_changes_nothing(self, ana: Actor) -> None:
        """A document that does not parse is refused with its paths; the stored draft stays as it was."""
        workflow_id = ana.create(ready())
        before = ana.get(f"/workflows/{workflow_id}/draft").json()
        body = assert_problem(ana.put(f"/workflows/{workflow_id}/draft", {"name": "x", "steps": "many"}), 422)
        assert [e["path"] for e in body["errors"]] == ["steps"]
        assert ana.get(f"/workflows/{workflow_id}/draft").json() == before

    def test_put_renames_and_applies_settings(self, ana: Actor) -> None:
        """The document's name and limits apply to the workflow at once; the limit change is audited."""
        workflow_id = ana.create(ready("Before"))
        ana.put(f"/workflows/{workflow_id}/draft", ready("After", call_limit=9))
        assert ana.get(f"/workflows/{workflow_id}").json()["name"] == "After"
        assert ana.get(f"/workflows/{workflow_id}/settings").json()["call_limit"] == 9
        entry = ana.get(f"/workflows/{workflow_id}/audit").json()["data"][0]
        assert (entry["action"], entry["detail"]["after"]["call_limit"]) == ("settings", 9)


class TestIssues:
    def test_final_checks_per_node(self, ana: Actor) -> None:
        """Final checks: the guide's reminder, every issue, and the issues grouped by their node."""
        document = workflow(PICK_ALL, step("analyse", "process_conversations", ["pick"]), name="Flow")
        document["trigger"] = None
        workflow_id = ana.create(document)
        body = ana.get(f"/workflows/{workflow_id}/issues").json()
        assert body["message"] == "Make sure all issues are fixed before publishing this workflow."
        assert body["count"] == len(body["issues"]) >= 2
        assert {i["node"] for i in body["issues"]} == set(body["nodes"]) == {"trigger", "analyse"}
        assert sum(len(v) for v in body["nodes"].values()) == body["count"]
        assert [i["path"] for i in body["nodes"]["analyse"]] == ["steps[1].config.pipeline"]


class TestPublish:
    def test_refused_while_issues_remain(self, ana: Actor) -> None:
        """Publishing with issues: 422 with the guide's message and every issue; it stays a draft."""
        workflow_id = ana.create({"name": "Empty"})
        body = assert_problem(ana.post(f"/workflows/{workflow_id}/publish"), 422)
        assert body["detail"] == PUBLISH_REFUSED
        issues = ana.get(f"/workflows/{workflow_id}/issues").json()["issues"]
        assert body["errors"] == issues
        assert ana.get(f"/workflows/{workflow_id}").json()["status"] == "Draft"
        assert ana.get(f"/workflows/{workflow_id}/versions").json()["count"] == 0

    def test_publish_makes_a_live_version(self, ana: Actor) -> None:
        """Publishing makes version 1 active and the workflow Live; publishing again makes version 2."""
        workflow_id = ana.create(ready())
        first = ana.post(f"/workflows/{workflow_id}/publish").json()
        assert (first["status"], first["state"], first["active_version"]) == ("Live", "live", 1)
        second = ana.post(f"/workflows/{workflow_id}/publish").json()
        assert second["active_version"] == 2
        actions = [e["action"] for e in ana.get(f"/workflows/{workflow_id}/audit").json()["data"]]
        assert actions == ["publish", "publish"]

    def test_a_version_does_not_change_with_the_draft(self, ana: Actor) -> None:
        """After publishing, editing the draft leaves the version's document as it was published."""
        workflow_id = ana.published(ready())
        published = ana.get(f"/workflows/{workflow_id}/versions/1").json()["document"]
        ana.put(f"/workflows/{workflow_id}/draft", workflow(PICK_ALL, name="Flow"))
        assert ana.get(f"/workflows/{workflow_id}/versions/1").json()["document"] == published
        assert [s["id"] for s in published["steps"]] == ["pick", "analyse"]


class TestPauseResume:
    def test_pause_and_resume(self, ana: Actor) -> None:
        """Pause: Paused with who paused it as the reason; resume: Live again and the reason cleared."""
        workflow_id = ana.published(ready())
        paused = ana.post(f"/workflows/{workflow_id}/pause").json()
        assert (paused["status"], paused["state"]) == ("Paused", "paused")
        assert "ana@example.com" in paused["paused_reason"]
        assert ana.get("/workflows").json()["data"][0]["paused_reason"] == paused["paused_reason"]
        resumed = ana.post(f"/workflows/{workflow_id}/resume").json()
        assert (resumed["status"], resumed["paused_reason"]) == ("Live", None)
        actions = [e["action"] for e in ana.get(f"/workflows/{workflow_id}/audit").json()["data"]]
        assert actions == ["resume", "pause", "publish"]

    def test_pause_leaves_ongoing_runs_alone(self, client: TestClient, ana: Actor, clock: FixedClock) -> None:
        """Pausing will not affect any ongoing workflow runs: a queued run stays queued."""
        workflow_id = ana.published(ready())
        with store_of(client).transaction() as session:
            run_id = start_run(
                session, workflow_id=workflow_id, document=document_from_data(ready()), version=1, now=clock.now()
            ).id
        ana.post(f"/workflows/{workflow_id}/pause")
        with store_of(client).transaction() as session:
            assert session.get(Run, run_id).status == "queued"  # type: ignore[union-attr]

    @pytest.mark.parametrize(("action", "state"), [("pause", "draft"), ("resume", "draft"), ("resume", "live")])
    def test_refused_in_the_wrong_state(self, ana: Actor, action: str, state: str) -> None:
        """Pausing a draft, or resuming what is not paused, is a 409 that names the present state."""
        workflow_id = ana.create(ready()) if state == "draft" else ana.published(ready())
        body = assert_problem(ana.post(f"/workflows/{workflow_id}/{action}"), 409)
        assert state in body["detail"]


class TestEdit:
    def test_unpublished_changes_then_edit(self, ana: Actor) -> None:
        """A changed draft shows Unpublished Changes with its notice; Edit workflow restores the live version."""
        workflow_id = ana.published(ready())
        ana.put(f"/workflows/{workflow_id}/draft", workflow(PICK_ALL, name="Flow"))
        shown = ana.get(f"/workflows/{workflow_id}").json()
        assert (shown["status"], shown["notice"]) == (
            "Unpublished Changes",
            "This workflow has changes that are not published yet.",
        )
        edited = ana.post(f"/workflows/{workflow_id}/edit").json()
        assert (edited["status"], edited["notice"]) == ("Live", None)
        assert (
            ana.get(f"/workflows/{workflow_id}/draft").json()["steps"]
            == (ana.get(f"/workflows/{workflow_id}/versions/1").json()["document"]["steps"])
        )

    def test_renaming_or_limits_are_not_unpublished_changes(self, ana: Actor) -> None:
        """Name and settings apply at once, so changing them leaves a live workflow Live."""
        workflow_id = ana.published(ready())
        ana.patch(f"/workflows/{workflow_id}", {"name": "Renamed"})
        ana.put(f"/workflows/{workflow_id}/settings", {"call_limit": 3})
        assert ana.get(f"/workflows/{workflow_id}").json()["status"] == "Live"

    def test_edit_needs_a_published_version(self, ana: Actor) -> None:
        """A workflow never published has nothing to edit from: 409."""
        assert_problem(ana.post(f"/workflows/{ana.create(ready())}/edit"), 409)


class TestVersions:
    def test_list_view_and_set_active(self, ana: Actor) -> None:
        """Versions list newest first with who published them; Set as active moves the active flag."""
        workflow_id = ana.published(ready())
        ana.put(f"/workflows/{workflow_id}/draft", workflow(PICK_ALL, name="Flow"))
        ana.post(f"/workflows/{workflow_id}/publish")
        listed = ana.get(f"/workflows/{workflow_id}/versions").json()
        assert [(v["number"], v["active"], v["created_by_email"]) for v in listed["data"]] == [
            (2, True, "ana@example.com"),
            (1, False, "ana@example.com"),
        ]
        activated = ana.post(f"/workflows/{workflow_id}/versions/1/activate").json()
        assert (activated["active_version"], activated["status"]) == (1, "Unpublished Changes")
        assert [v["active"] for v in ana.get(f"/workflows/{workflow_id}/versions").json()["data"]] == [False, True]
        one = ana.get(f"/workflows/{workflow_id}/versions/1").json()
        assert (one["number"], one["active"], len(one["document"]["steps"])) == (1, True, 2)
        entry = ana.get(f"/workflows/{workflow_id}/audit").json()["data"][0]
        assert (entry["action"], entry["detail"]) == ("set_active", {"version": 1, "previous": 2})

    def test_unknown_version_is_404(self, ana: Actor) -> None:
        """Viewing or activating a version that does not exist answers 404."""
        workflow_id = ana.published(ready())
        assert_problem(ana.get(f"/workflows/{workflow_id}/versions/2"), 404)
        assert_problem(ana.post(f"/workflows/{workflow_id}/versions/2/activate"), 404)

    def test_out_of_range_numbers_are_422(self, ana: Actor) -> None:
        """A version number beyond what is stored is a request problem, not a database overflow."""
        workflow_id = ana.published(ready())
        body = assert_problem(ana.get(f"/workflows/{workflow_id}/versions/{2**40}"), 422)
        assert body["errors"][0]["path"].endswith("number")


class TestSettings:
    def test_spend_and_calls_are_counted(self, client: TestClient, ana: Actor, clock: FixedClock) -> None:
        """Settings show credits spent since the limit was set and calls in the last 24 hours only."""
        workflow_id = ana.create(ready(credits_limit=100))
        set_at = clock.now()
        with store_of(client).transaction() as session:
            for hours_ago, amount in ((1, "9.5"), (30, "4")):
                at = set_at - timedelta(hours=hours_ago)
                session.add(Call(workflow_id=workflow_id, kind="firing", count=2, at=at))
                session.add(Call(workflow_id=workflow_id, kind="pipeline", count=5, at=at))
                session.add(
                    Charge(
                        workflow_id=workflow_id,
                        conversation_id="c",
                        pipeline_id=1,
                        pipeline_version=1,
                        amount=Decimal(amount),
                        at=set_at + timedelta(minutes=1) if hours_ago == 1 else at,
                    )
                )
        clock.advance(120)
        shown = ana.get(f"/workflows/{workflow_id}/settings").json()
        assert (shown["credits_limit"], shown["credits_spent"], shown["calls_last_24h"]) == (100.0, 9.5, 7)
        # What the calls are made of (Settings shows "2 triggers + 5 conversations = 7 of … calls in the last 24 h").
        assert (shown["triggers_last_24h"], shown["conversations_last_24h"]) == (2, 5)
        assert shown["credits_limit_since"] == "2026-04-01T09:00:00Z"

    def test_a_changed_credits_limit_counts_from_now(self, ana: Actor, clock: FixedClock) -> None:
        """Changing the credits limit resets "since"; saving the same limit again does not (nor audits)."""
        workflow_id = ana.create(ready(credits_limit=100))
        clock.advance(3600)
        same = ana.put(f"/workflows/{workflow_id}/settings", {"credits_limit": 100}).json()
        assert same["credits_limit_since"] == "2026-04-01T09:00:00Z"
        changed = ana.put(f"/workflows/{workflow_id}/settings", {"credits_limit": 50, "call_limit": 7}).json()
        assert (changed["credits_limit_since"], changed["call_limit"]) == ("2026-04-01T10:00:00Z", 7)
        entries = ana.get(f"/workflows/{workflow_id}/audit").json()["data"]
        assert [e["action"] for e in entries] == ["settings"]
        assert entries[0]["detail"]["before"] == {"credits_limit": 100}
        assert ana.get(f"/workflows/{workflow_id}/draft").json()["settings"] == {"call_limit": 7, "credits_limit": 50}

    @pytest.mark.parametrize("body", [{"call_limit": -1}, {"call_limit": 2**31}, {"credits_limit": 10**13}, {"x": 1}])
    def test_bad_limits_are_refused(self, ana: Actor, body: dict[str, Any]) -> None:
        """Negative or too large limits, or unknown fields: 422 naming the field."""
        workflow_id = ana.create(ready())
        problem = assert_problem(ana.put(f"/workflows/{workflow_id}/settings", body), 422)
        assert problem["errors"][0]["path"].endswith(next(iter(body)))


class TestDuplicate:
    def test_copy_of_the_draft(self, ana: Actor) -> None:
        """Duplicate: a new draft "… (copy)" with the draft's steps and the same limits; the source is audited."""
        workflow_id = ana.published(ready("Triage", call_limit=5))
        ana.put(f"/workflows/{workflow_id}/draft", workflow(PICK_ALL, name="Triage", settings={"call_limit": 5}))
        response = ana.post(f"/workflows/{workflow_id}/duplicate")
        assert response.status_code == 201
        copy = response.json()
        assert (copy["name"], copy["status"], copy["active_version"]) == ("Triage (copy)", "Draft", None)
        assert [s["id"] for s in ana.get(f"/workflows/{copy['id']}/draft").json()["steps"]] == ["pick"]
        assert ana.get(f"/workflows/{copy['id']}/settings").json()["call_limit"] == 5
        entry = ana.get(f"/workflows/{workflow_id}/audit").json()["data"][0]
        assert (entry["action"], entry["detail"]["copy_id"]) == ("duplicate", copy["id"])

    def test_copy_of_the_active_version(self, ana: Actor) -> None:
        """With source "active", the copy holds the live version's steps, not the draft's."""
        workflow_id = ana.published(ready("Triage"))
        ana.put(f"/workflows/{workflow_id}/draft", workflow(PICK_ALL, name="Triage"))
        copy = ana.post(f"/workflows/{workflow_id}/duplicate", {"source": "active"}).json()
        assert [s["id"] for s in ana.get(f"/workflows/{copy['id']}/draft").json()["steps"]] == ["pick", "analyse"]

    def test_a_draft_has_no_active_version_to_copy(self, ana: Actor) -> None:
        """Copying the active version of a never-published workflow is a 409."""
        assert_problem(ana.post(f"/workflows/{ana.create(ready())}/duplicate", {"source": "active"}), 409)


class TestExportImport:
    def test_round_trip(self, ana: Actor) -> None:
        """Exported documents import as new drafts with the same content, each import audited."""
        ids = [ana.create(ready("One", call_limit=3)), ana.create(workflow(PICK_ALL, name="Two"))]
        exported = ana.get("/workflows/export", params={"ids": ",".join(ids)}).json()
        assert [d["name"] for d in exported] == ["One", "Two"]
        response = ana.post("/workflows/import", exported)
        assert response.status_code == 201
        imported = response.json()["data"]
        assert {w["id"] for w in imported}.isdisjoint(ids)
        for original, new in zip(ids, imported, strict=True):
            assert ana.get(f"/workflows/{new['id']}/draft").json() == ana.get(f"/workflows/{original}/draft").json()
            assert ana.get(f"/workflows/{new['id']}/audit").json()["data"][0]["action"] == "import"

    def test_any_invalid_document_stores_nothing(self, ana: Actor) -> None:
        """One bad document refuses the whole import; every issue is named by document index and path."""
        incomplete = workflow(step("analyse", "process_conversations", pipeline="default-qa"), name="B")
        body = assert_problem(ana.post("/workflows/import", [ready("A"), incomplete, "nonsense"]), 422)
        paths = {e["path"] for e in body["errors"]}
        assert paths == {"[1].steps[0].after", "[2]"}
        assert ana.get("/workflows").json()["count"] == 0

    def test_export_of_what_you_may_not_see_is_404(self, client: TestClient, ana: Actor) -> None:
        """Asking to export someone else's hidden workflow answers 404, whatever else was asked."""
        hidden = ana.create(ready())
        bo = actor(client, "bo@example.com", Role.EDITOR, teams=["Billing"])
        mine = bo.create(ready())
        assert_problem(bo.get("/workflows/export", params=[("ids", mine), ("ids", hidden)]), 404)


SPLIT = step("split", "distribute", ["analyse"], mode="round_robin", groups=[{"name": "A"}, {"name": "B"}])
GRAPH = workflow(
    PICK_ALL,
    PROCESS,
    SPLIT,
    step("low", "filter", ["split.A"], condition={"combinator": "and", "rules": []}),
    step("top", "sort", ["low"], by=[{"field": "score", "direction": "asc"}]),
    step("other", "sort", ["split.B"], by=[{"field": "score", "direction": "asc"}]),
    name="Graph",
)


class TestCanvas:
    def test_deleting_a_step_affects_everything_downstream(self, ana: Actor) -> None:
        """Deleting a step tells how many steps downstream of it are affected, and which."""
        workflow_id = ana.create(GRAPH)
        impact = ana.get(f"/workflows/{workflow_id}/draft/impact", params={"step": "analyse"}).json()
        assert impact == {"affected": 4, "steps": ["split", "low", "top", "other"]}
        leaf = ana.get(f"/workflows/{workflow_id}/draft/impact", params={"step": "top"}).json()
        assert leaf == {"affected": 0, "steps": []}

    def test_deleting_a_connection_affects_its_target_and_below(self, ana: Actor) -> None:
        """Deleting split.A → low affects low and what follows it, not the B branch."""
        workflow_id = ana.create(GRAPH)
        impact = ana.get(f"/workflows/{workflow_id}/draft/impact", params={"connection": "split.A->low"}).json()
        assert impact == {"affected": 2, "steps": ["low", "top"]}

    @pytest.mark.parametrize(
        ("params", "status"),
        [({"step": "ghost"}, 404), ({"connection": "pick->top"}, 404), ({"connection": "pick"}, 404), ({}, 422)],
    )
    def test_unknown_or_ambiguous_targets(self, ana: Actor, params: dict[str, str], status: int) -> None:
        """A step or connection not in the draft is 404; giving neither (or both) is 422."""
        workflow_id = ana.create(GRAPH)
        assert_problem(ana.get(f"/workflows/{workflow_id}/draft/impact", params=params), status)

    def test_change_trigger_needs_confirmation_and_clears_steps(self, ana: Actor) -> None:
        """Changing the trigger warns with the guide's words first; confirmed, it sets the trigger and clears steps."""
        document = {**GRAPH, "layout": {"trigger": {"x": 0, "y": 0}, "pick": {"x": 1, "y": 1}}}
        workflow_id = ana.create(document)
        daily = {"type": "schedule", "daily": "02:00", "timezone": "Europe/London"}
        body = assert_problem(ana.post(f"/workflows/{workflow_id}/draft/trigger", {"trigger": daily}), 409)
        assert CHANGE_WARNING in body["detail"]
        assert len(ana.get(f"/workflows/{workflow_id}/draft").json()["steps"]) == len(GRAPH["steps"])
        changed = ana.post(f"/workflows/{workflow_id}/draft/trigger", {"trigger": daily, "confirm": True}).json()
        draft = changed["document"]
        assert (draft["trigger"], draft["steps"], draft["layout"]) == (daily, [], {"trigger": {"x": 0, "y": 0}})
        assert [i["path"] for i in changed["issues"]] == ["steps"]

    def test_clear_trigger_starts_over(self, ana: Actor) -> None:
        """Clear trigger leaves neither trigger nor steps; the name and limits stay."""
        workflow_id = ana.create({**GRAPH, "settings": {"call_limit": 4}})
        cleared = ana.delete(f"/workflows/{workflow_id}/draft/trigger").json()["document"]
        assert ("trigger" in cleared, cleared["steps"], cleared["name"]) == (False, [], "Graph")
        assert cleared["settings"] == {"call_limit": 4}

    def test_a_bad_trigger_is_refused_with_its_path(self, ana: Actor) -> None:
        """A trigger that does not parse is 422 pointing inside it."""
        workflow_id = ana.create(ready())
        body = assert_problem(
            ana.post(f"/workflows/{workflow_id}/draft/trigger", {"trigger": {"type": "schedule"}}), 422
        )
        assert body["errors"][0]["path"].endswith("trigger")


WORKFLOW_PATHS: list[tuple[str, str, Any]] = [
    ("get", "", None),
    ("patch", "", {"name": "x"}),
    ("delete", "", None),
    ("get", "/draft", None),
    ("put", "/draft", ready()),
    ("get", "/issues", None),
    ("get", "/draft/impact?step=pick", None),
    ("post", "/draft/trigger", {"trigger": {"type": "manual"}, "confirm": True}),
    ("delete", "/draft/trigger", None),
    ("post", "/publish", None),
    ("post", "/pause", None),
    ("post", "/resume", None),
    ("post", "/edit", None),
    ("post", "/duplicate", None),
    ("get", "/versions", None),
    ("get", "/versions/1", None),
    ("post", "/versions/1/activate", None),
    ("get", "/settings", None),
    ("put", "/settings", {"call_limit": 1}),
    ("get", "/audit", None),
]
CHANGES = [p for p in WORKFLOW_PATHS if p[0] != "get"]


def call(user: Actor, method: str, path: str, body: Any) -> Response:
    if method in ("get", "delete"):
        return getattr(user, method)(path)  # type: ignore[no-any-return]
    return getattr(user, method)(path, body)  # type: ignore[no-any-return]


class TestAccess:
    def test_viewers_cannot_change(self, client: TestClient, ana: Actor) -> None:
        """A viewer who may see the workflow gets 403 on every change, and nothing changes."""
        workflow_id = ana.published(ready())
        viewer = actor(client, "vi@example.com", Role.VIEWER)

        def state() -> list[Any]:
            return [ana.get(f"/workflows/{workflow_id}{suffix}").json() for suffix in ("", "/draft", "/versions")]

        before = state()
        for method, suffix, body in CHANGES:
            response = call(viewer, method, f"/workflows/{workflow_id}{suffix}", body)
            assert response.status_code == 403, (method, suffix)
            assert_problem(response, 403)
        assert state() == before

    def test_viewers_cannot_create_or_import(self, client: TestClient) -> None:
        """Viewers cannot add workflows either way."""
        viewer = actor(client, "vi@example.com", Role.VIEWER)
        assert_problem(viewer.post("/workflows", ready()), 403)
        assert_problem(viewer.post("/workflows/import", [ready()]), 403)

    def test_viewers_read(self, client: TestClient, ana: Actor) -> None:
        """A viewer reads everything about a workflow they may see."""
        workflow_id = ana.published(ready())
        viewer = actor(client, "vi@example.com", Role.VIEWER)
        for method, suffix, body in WORKFLOW_PATHS:
            if method == "get":
                assert call(viewer, method, f"/workflows/{workflow_id}{suffix}", body).status_code == 200, suffix

    def test_hidden_workflows_are_404_everywhere(self, client: TestClient, ana: Actor) -> None:
        """An editor whose rules do not cover the creator's gets exactly the answer for a missing id, on every path."""
        workflow_id = ana.published(ready())
        bo = actor(client, "bo@example.com", Role.EDITOR, teams=["Billing"])
        for method, suffix, body in WORKFLOW_PATHS:
            hidden = call(bo, method, f"/workflows/{workflow_id}{suffix}", body)
            missing = call(bo, method, f"/workflows/{'0' * 32}{suffix}", body)
            assert hidden.status_code == 404, (method, suffix)
            assert_problem(hidden, 404)
            assert (hidden.json()["title"], hidden.json()["detail"].replace(workflow_id, "?")) == (
                missing.json()["title"],
                missing.json()["detail"].replace("0" * 32, "?"),
            )
        assert ana.get(f"/workflows/{workflow_id}").json()["status"] == "Live"

    def test_an_admin_sees_all(self, client: TestClient, ana: Actor) -> None:
        """Admins see and manage every workflow, whatever their own data rules."""
        workflow_id = ana.published(ready())
        admin = actor(client, "root@example.com", Role.ADMIN, teams=[])
        assert [w["id"] for w in admin.get("/workflows").json()["data"]] == [workflow_id]
        assert admin.post(f"/workflows/{workflow_id}/pause").json()["status"] == "Paused"


class TestAudit:
    def test_who_when_what(self, client: TestClient, ana: Actor, clock: FixedClock) -> None:
        """The audit log lists each change with who made it and when, newest first, paged."""
        workflow_id = ana.published(ready())
        clock.advance(60)
        admin = actor(client, "root@example.com", Role.ADMIN)
        admin.post(f"/workflows/{workflow_id}/pause")
        log = ana.get(f"/workflows/{workflow_id}/audit").json()
        assert log["count"] == 2
        assert [(e["action"], e["user_email"], e["at"]) for e in log["data"]] == [
            ("pause", "root@example.com", "2026-04-01T09:01:00Z"),
            ("publish", "ana@example.com", "2026-04-01T09:00:00Z"),
        ]
        page = ana.get(f"/workflows/{workflow_id}/audit", params={"limit": 1, "offset": 1}).json()
        assert [e["action"] for e in page["data"]] == ["publish"]


class TestStorableText:
    def test_nul_characters_are_refused_by_path(self, ana: Actor) -> None:
        """Text PostgreSQL cannot store (NUL) is a 422 naming where it is, on every way in; nothing is stored."""
        workflow_id = ana.create(ready())
        document = workflow(step("pick", "select_conversations", source={"integration": "a\x00b"}), name="Flow")
        body = assert_problem(ana.post("/workflows", document), 422)
        assert [e["path"] for e in body["errors"]] == ["steps[0].config.source.integration"]
        body = assert_problem(ana.put(f"/workflows/{workflow_id}/draft", {**ready(), "name": "x\x00"}), 422)
        assert [e["path"] for e in body["errors"]] == ["name"]
        assert [e["path"] for e in assert_problem(ana.post("/workflows/import", [document]), 422)["errors"]] == [
            "[0].steps[0].config.source.integration"
        ]
        nul_trigger = {"trigger": {"type": "sync_completed", "integration": "\x00"}, "confirm": True}
        body = assert_problem(ana.post(f"/workflows/{workflow_id}/draft/trigger", nul_trigger), 422)
        assert [e["path"] for e in body["errors"]] == ["trigger.integration"]
        assert_problem(ana.patch(f"/workflows/{workflow_id}", {"name": "a\x00"}), 422)
        for path in (
            "/workflows?search=%00",
            f"/workflows/{workflow_id}/draft/impact?step=%00",
            "/workflows/export?ids=%00",
        ):
            assert_problem(ana.get(path), 422)
        assert_problem(ana.get("/workflows/%00"), 422)
        assert [w["id"] for w in ana.get("/workflows").json()["data"]] == [workflow_id]
        assert ana.get(f"/workflows/{workflow_id}/draft").json()["name"] == "Flow"
