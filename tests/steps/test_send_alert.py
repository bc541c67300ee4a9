"""Send Alert: its config and Final checks, its HTML part, and its message through the real engine into the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.adapters.db.orm import Conversation, OutboxMessage, User
from redflare.adapters.db.outbox import messages_of_run
from redflare.adapters.db.run_facts import run_url
from redflare.adapters.db.step_contexts import SqlStepContexts
from redflare.adapters.db.store import Store
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.adapters.storage.local import LocalStorage
from redflare.domain.access import AccessRules, Role
from redflare.domain.delivery import NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN, MessageStatus
from redflare.domain.errors import Issue
from redflare.domain.loading import document_from_data, issues_from_validation_error
from redflare.domain.validation import Environment, validate
from redflare.domain.workflow import Settings as Limits
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.engine.ports import RunFacts
from redflare.services import drafts, lifecycle
from redflare.services.users import principal_of
from redflare.services.workflows import final_checks
from redflare.steps.alert_html import TABLE_ROWS, alert_html
from redflare.steps.context import TriggerInfo
from redflare.steps.registry import STEP_KINDS
from redflare.steps.send_alert import KIND, MAX_SUBJECT, Config, execute, one_line
from redflare.steps.when_empty import SKIPPED_EMPTY
from tests.factories import PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, step, workflow

BASE_URL = "http://127.0.0.1:8000"  # make_runner's engine has no settings: its links point here
ENV = Environment(pipelines={"default-qa": ["greeting", "closing"]}, integrations=frozenset({"demo"}))
SCRIPT = "<script>alert('owned')</script>"
MESSAGE = (
    "Workflow {{ workflow.name }}, run {{ run.number }}: {{ run.url }}\n"
    "{% for row in input.rows %}- {{ row.id }} {{ row.agent }} ({{ row.team }})\n{% endfor %}"
)


def alert(after: list[str], **config: Any) -> dict[str, Any]:
    settings = {
        "subject": "{{ input.count }} calls need review",
        "message": MESSAGE,
        "recipients": ["ops@example.com", "Lead@Example.com", "OPS@example.com"],
    }
    return step("alert", "send_alert", after, **(settings | config))


WORST_THREE = step(
    "worst",
    "sort",
    ["analyse"],
    by=[{"field": "score", "direction": "asc"}, {"field": "id", "direction": "asc"}],
    limit=3,
)


def config_issues(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(data)
    return {issue.path: issue.message for issue in issues_from_validation_error(caught.value)}


class Page(HTMLParser):
    """What a mail client would show of the HTML part: tags opened, table cells, links, paragraph text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self.paragraphs: list[str] = []
        self._cell: list[str] | None = None
        self._paragraph: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links.extend(value or "" for name, value in attrs if name == "href")
        elif tag == "p":
            self._paragraph = []
        elif tag == "br" and self._paragraph is not None:
            self._paragraph.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "p" and self._paragraph is not None:
            self.paragraphs.append("".join(self._paragraph))
            self._paragraph = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._paragraph is not None:  # its line breaks are the <br>s; the newlines after them are layout
            self._paragraph.append(data.replace("\n", ""))


class TestConfig:
    def test_recipients_lose_duplicates_whatever_their_case(self) -> None:
        """An address listed twice gets one email; the first spelling is kept."""
        config = Config.model_validate(
            {"subject": "s", "message": "m", "recipients": [" ops@example.com", "OPS@Example.com", "lead@example.com"]}
        )
        assert config.recipients == ["ops@example.com", "lead@example.com"]

    def test_a_malformed_address_is_named_where_it_is(self) -> None:
        """The issue points at the bad entry and quotes it."""
        issues = config_issues({"subject": "s", "message": "m", "recipients": ["ops@example.com", "ops@"]})
        assert list(issues) == ["recipients[1]"]
        assert issues["recipients[1]"].startswith("'ops@' is not an email address")

    def test_no_recipient_is_refused(self) -> None:
        """An alert to nobody is an issue on its recipients field."""
        assert config_issues({"subject": "s", "message": "m", "recipients": []}) == {
            "recipients": "add at least one recipient"
        }

    def test_template_problems_are_issues_of_their_field(self) -> None:
        """A broken subject and a misspelt fact in the message are each reported on their own field."""
        issues = config_issues(
            {"subject": "{{ input.count }", "message": "Run {{ run.numbr }}", "recipients": ["a@example.com"]}
        )
        assert issues == {
            "subject": "line 1: template syntax error: unexpected '}'",
            "message": "line 1: run has no 'numbr' (it has number, url, id, test, started_at, trigger, credits, "
            "conversations_processed)",
        }

    def test_lengths(self) -> None:
        """An empty or over-long subject and an empty message are refused."""
        issues = config_issues({"subject": "x" * (MAX_SUBJECT + 1), "message": "", "recipients": ["a@example.com"]})
        assert set(issues) == {"subject", "message"}

    def test_every_field_explains_itself_and_lists_the_facts(self) -> None:
        """The side panel has a title, description and helper text for each field; templates list the facts as
        variables to click (the helper text itself uses no template notation)."""
        fields = KIND.json_schema()["properties"]
        assert set(fields) == {"subject", "message", "only_when_not_empty", "recipients"}
        assert all(f.get("title") and f.get("description") and f.get("helper") for f in fields.values())
        for name in ("subject", "message"):
            assert not re.search(r"[{}|]|<step id>", fields[name]["helper"])
            variables = fields[name]["template_variables"]
            names = {fact["name"] for fact in variables["facts"]}
            assert {"workflow.name", "run.number", "run.url", "run.credits", "input.count", "input.rows"} <= names
            assert {"rows_in", "rows_out"} <= {fact["attribute"] for fact in variables["step_facts"]}


class TestOneLine:
    @given(st.text(max_size=400))
    def test_a_subject_is_one_line_that_fits(self, text: str) -> None:
        """Whatever the template renders, the subject has no line break (no header injection) and fits."""
        line = one_line(text)
        assert "\n" not in line
        assert "\r" not in line
        assert len(line) <= MAX_SUBJECT

    def test_line_breaks_become_spaces(self) -> None:
        """A subject written over lines reads as one line."""
        assert one_line("3 calls\n  need\r\nreview\n") == "3 calls need review"


class TestFinalChecks:
    BROKEN = (
        SELECT_DEMO,
        step("alert", "send_alert", ["pick"], subject="{% if %}", message="{{ conversations }}", recipients=[]),
        step("alert2", "send_alert", ["pick"], subject="s", message="m", recipients=["ops@example.com", "ops@"]),
    )

    def expect(self, issues: list[Issue]) -> None:
        found = {(i.node, i.path): i.message for i in issues}
        assert set(found) == {
            ("alert", "steps[1].config.subject"),
            ("alert", "steps[1].config.message"),
            ("alert", "steps[1].config.recipients"),
            ("alert2", "steps[2].config.recipients[1]"),
        }
        assert "template syntax error" in found[("alert", "steps[1].config.subject")]
        assert "unknown name 'conversations'" in found[("alert", "steps[1].config.message")]
        assert found[("alert", "steps[1].config.recipients")] == "add at least one recipient"
        assert "'ops@'" in found[("alert2", "steps[2].config.recipients[1]")]

    def test_each_problem_is_an_issue_naming_node_and_field(self) -> None:
        """Template syntax, unknown fact, no recipient, malformed address: four issues, each where it is."""
        self.expect(validate(document_from_data(workflow(*self.BROKEN)), STEP_KINDS, ENV))

    def test_a_good_alert_passes(self) -> None:
        """The alert this module's engine tests run has no issues."""
        document = workflow(SELECT_DEMO, PROCESS, WORST_THREE, alert(["worst"]))
        assert validate(document_from_data(document), STEP_KINDS, ENV) == []

    def test_publish_is_refused_with_those_issues(self, store: Store) -> None:
        """Publishing the draft is refused, listing the same issues (not a crash at 2 a.m.)."""
        add_conversations(store, 1)  # the demo integration the select step names
        make_runner(store)  # and the built-in pipelines
        with store.transaction() as session:
            user = User(
                id=uuid.uuid4().hex,
                email="ana@example.com",
                password_hash=None,
                role=Role.EDITOR.value,
                disabled=False,
                created_at=T0,
            )
            session.add(user)
            session.flush()
            ana = principal_of(user)
            created = drafts.create_workflow(session, principal=ana, data=workflow(*self.BROKEN), now=T0)
            with pytest.raises(lifecycle.PublishRefused) as refused:
                lifecycle.publish(session, principal=ana, workflow_id=created.workflow.id, now=T0)
        assert str(refused.value) == lifecycle.PUBLISH_REFUSED
        self.expect(refused.value.issues)


class TestHtmlPart:
    INPUT: ClassVar[dict[str, Any]] = {
        "count": 14,
        "columns": ["id", "channel", "agent", "team", "started_at", "score", "tags"],
        "rows": [
            {
                "id": f"c-{i}",
                "channel": "chat",
                "agent": SCRIPT if i == 0 else "Dana Ito",
                "team": "Billing",
                "started_at": "2026-03-02T09:15:00+00:00",
                "score": 41.256 if i == 0 else None,
                "tags": ["vip"],
            }
            for i in range(12)
        ],
    }

    def test_message_rows_and_link_are_shown_and_nothing_runs(self) -> None:
        """The message keeps its lines, the table shows the usual columns of the first 10 rows, all inert text."""
        page = Page(alert_html("Hello <b>team</b>\n& goodbye", self.INPUT, "http://x/runs/1?a=1&b=2"))
        assert "script" not in page.tags
        assert "b" not in page.tags
        assert page.paragraphs[0] == "Hello <b>team</b>\n& goodbye"
        header, *rows = page.rows
        assert header == ["id", "agent", "team", "started_at", "score"]
        assert len(rows) == TABLE_ROWS
        assert rows[0] == ["c-0", SCRIPT, "Billing", "2026-03-02T09:15:00+00:00", "41.26"]
        assert rows[1][4] == ""  # no score: an empty cell
        assert "Showing the first 10 of 14 conversations." in page.paragraphs
        assert page.links == ["http://x/runs/1?a=1&b=2"]

    def test_without_the_usual_columns_the_first_six_are_shown(self) -> None:
        """A set with none of the usual columns still gets a table, of its first six columns."""
        columns = [f"m{i}" for i in range(8)]
        page = Page(alert_html("m", {"count": 1, "columns": columns, "rows": [{c: c for c in columns}]}, None))
        assert page.rows == [columns[:6], columns[:6]]
        assert page.links == []

    def test_an_empty_set_has_no_table(self) -> None:
        """No rows, no empty table."""
        page = Page(alert_html("Nothing today.", {"count": 0, "columns": ["id"], "rows": []}, "http://x"))
        assert page.rows == []
        assert page.paragraphs[0] == "Nothing today."


def outbox(store: Store, run_id: str) -> list[OutboxMessage]:
    with store.read() as session:
        return messages_of_run(session, run_id)


def steps_by_id(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in resource["steps"]}


class TestThroughTheEngine:
    @pytest.fixture
    def demo(self, store: Store) -> Store:
        """Twelve chats; the first one's agent name carries a script, as customer data may."""
        add_conversations(store, 12)
        with store.transaction() as session:
            first = session.get(Conversation, "c-00000")
            assert first is not None
            first.agent = SCRIPT
        return store

    def test_the_alert_lands_in_the_outbox_held_without_smtp(self, demo: Store) -> None:
        """select → process → sort → alert: one message, subject, text, deduped recipients and an escaped table."""
        document = workflow(SELECT_DEMO, PROCESS, WORST_THREE, alert(["worst"]), name="Review queue")
        resource = make_runner(demo).run_document(document)
        assert resource["status"] == "completed"
        steps = steps_by_id(resource)
        assert steps["alert"]["status"] == "completed"
        assert steps["alert"]["rows_in"] == steps["alert"]["rows_out"] == 3  # the set passes through
        assert steps["alert"]["tally"] == {"recipients": 2}
        link = run_url(BASE_URL, resource["workflow_id"], resource["id"])
        [message] = outbox(demo, resource["id"])
        assert (message.step_id, message.kind) == ("alert", "alert")
        assert message.subject == "3 calls need review"
        assert message.recipients == ["ops@example.com", "Lead@example.com"]
        assert message.text == (
            f"Workflow Review queue, run 1: {link}\n"
            f"- c-00000 {SCRIPT} (Billing)\n"
            "- c-00003 Bo Chen (Support)\n"
            "- c-00006 Ana Ruiz (Billing)\n"
        )
        assert (message.status, message.reason) == (MessageStatus.HELD, NOT_SENT_NO_SMTP)
        assert message.html is not None
        page = Page(message.html)
        assert "script" not in page.tags
        assert page.paragraphs[0] == message.text
        header, *rows = page.rows
        assert header == ["id", "agent", "team", "started_at", "score", "sentiment_label"]
        assert [row[:3] for row in rows] == [
            ["c-00000", SCRIPT, "Billing"],
            ["c-00003", "Bo Chen", "Support"],
            ["c-00006", "Ana Ruiz", "Billing"],
        ]
        assert page.links == [link]

    def test_a_test_run_holds_the_message(self, demo: Store) -> None:
        """In a test run the alert is built and shown, never sent."""
        document = workflow(SELECT_DEMO, PROCESS, WORST_THREE, alert(["worst"]))
        resource = make_runner(demo).run_document(document, test=True)
        assert steps_by_id(resource)["alert"]["status"] == "completed"
        [message] = outbox(demo, resource["id"])
        assert message.subject == "3 calls need review"
        assert (message.status, message.reason) == (MessageStatus.HELD, NOT_SENT_TEST_RUN)

    def test_a_template_failing_at_run_time_fails_the_step_naming_the_field(self, demo: Store) -> None:
        """An average over no calls divides by zero: the step fails saying where, and nothing is queued."""
        nobody = step(
            "nobody", "filter", ["pick"], condition={"rules": [{"field": "team", "operator": "=", "value": "Nobody"}]}
        )
        average = alert(["nobody"], message="Flagged {{ input.count }}\nShare: {{ 100 / input.count }}%")
        resource = make_runner(demo).run_document(workflow(SELECT_DEMO, nobody, average))
        assert resource["status"] == "failed"
        failed = steps_by_id(resource)["alert"]
        assert failed["status"] == "failed"
        assert failed["error"] == "message: division by zero (line 2)"
        assert outbox(demo, resource["id"]) == []

    def test_hung_off_a_sync_trigger_it_alerts_on_what_the_sync_brought(self, demo: Store) -> None:
        """With no upstream step, the alert's input is the trigger's set."""
        document = workflow(alert([], message="{% for row in input.rows %}{{ row.id }} {% endfor %}"))
        document["trigger"] = {"type": "sync_completed", "integration": "demo"}
        resource = make_runner(demo).run_document(document, payload={"conversation_ids": ["c-00001", "c-00004"]})
        assert steps_by_id(resource)["alert"]["rows_in"] == 2
        [message] = outbox(demo, resource["id"])
        assert (message.subject, message.text) == ("2 calls need review", "c-00001 c-00004 ")

    def test_no_input_at_all_is_an_empty_set(self, demo: Store, tmp_path: Path) -> None:
        """Called with no frame, the step alerts on an empty set rather than failing."""
        runner = make_runner(demo)
        resource = runner.run_document(workflow(SELECT_DEMO, alert(["pick"])))
        contexts = SqlStepContexts(
            demo.sessions,
            runner.clock,
            InlineAnalysisExecutor(),
            LocalStorage(tmp_path / "exports"),
            ExportLinks("k" * 32, BASE_URL, runner.clock, max_age=timedelta(days=7)),
            BASE_URL,
            batch_size=4,
        )
        facts = RunFacts(resource["id"], resource["workflow_id"], TriggerInfo("manual"), Limits(), AccessRules(), False)
        context = contexts.context(facts, "alert")
        result = execute(context, KIND.parse(alert(["pick"])["config"]), None)
        assert result.outputs["out"].height == 0
        [message] = result.messages
        assert message.subject == "0 calls need review"
        assert message.text.startswith(
            f"Workflow Test flow, run 1: {run_url(BASE_URL, resource['workflow_id'], resource['id'])}"
        )


def test_a_template_naming_a_step_the_workflow_lacks_is_a_publish_time_issue(store: Store) -> None:
    """`steps.<id>` must name a step of this workflow; a misspelt id is flagged on its field, not at 2 a.m."""
    alert = step(
        "tell",
        "send_alert",
        ["pick"],
        subject="{{ steps.pick.rows_out }} picked",
        message="{{ steps.analyse.rows_out }} analysed\n{{ steps['pick'].status }}",
        recipients=["qa@example.com"],
    )
    add_conversations(store, 1)  # the "demo" integration Select Conversations names
    with store.transaction() as session:
        issues = final_checks(session, document_from_data(workflow(SELECT_DEMO, alert)))
    assert [(i.path, i.node, i.message) for i in issues] == [
        ("steps[1].config.message", "tell", "line 1: no step 'analyse' in this workflow")
    ]


class TestOnlyWhenNotEmpty:
    def test_an_empty_list_sends_nothing_when_asked_and_a_new_step_asks(self, store: Store) -> None:
        """Issue P8: a run with 0 rows still emailed "0 … need review". With "Only when the list is not empty" (on for
        a step added on the canvas; off for a workflow file that does not say) an empty run stays quiet."""
        add_conversations(store, 4)
        nobody = {"combinator": "and", "rules": [{"field": "agent", "operator": "=", "value": "nobody"}]}
        nothing = step("pick", "select_conversations", source={"integration": "demo"}, filter=nobody)
        resource = make_runner(store).run_document(workflow(nothing, alert(["pick"], only_when_not_empty=True)))
        tell = steps_by_id(resource)["alert"]
        assert tell["status"] == "completed"
        assert tell["messages"] == []
        assert tell["tally"]["notes"] == [SKIPPED_EMPTY]
        loud = make_runner(store).run_document(workflow(nothing, alert(["pick"]), name="Loud"))
        assert len(steps_by_id(loud)["alert"]["messages"]) == 1  # a file without the key: as before
        assert KIND.initial_config == {"only_when_not_empty": True}
