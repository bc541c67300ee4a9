"""The Runs tab's header figures, checked against runs made up at random and stored as they are."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import mean

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflare.adapters.db.orm import Run, Workflow
from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules, Role
from redflare.domain.errors import NotFound
from redflare.domain.runs import RunStatus
from redflare.services.metrics import NO_RUNS_MESSAGE, NO_RUNS_TITLE, workflow_metrics
from redflare.services.users import Principal, create_user

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
ADMIN = Principal(user_id="admin", email="admin@example.com", role=Role.ADMIN, access=AccessRules())
RunSpec = tuple[RunStatus, Decimal, float, bool]  # status, credits, seconds from start to finish, a test run

runs_specs = st.lists(
    st.tuples(
        st.sampled_from(list(RunStatus)),
        st.decimals(min_value=0, max_value=10_000, places=4),
        st.floats(min_value=0, max_value=86_400, allow_nan=False).map(lambda s: round(s, 3)),
        st.booleans(),  # a test run
    ),
    max_size=12,
)


def store_runs(store: Store, specs: list[RunSpec]) -> str:
    """A new workflow with these runs (a queued run has not started; a running one has not finished)."""
    workflow_id = uuid.uuid4().hex
    with store.transaction() as session:
        session.add(Workflow(id=workflow_id, name="metrics", status="live", draft={}, created_at=T0, updated_at=T0))
        session.flush()
        for number, (status, credits, seconds, test) in enumerate(specs, start=1):
            started = None if status is RunStatus.QUEUED else T0 + timedelta(hours=number)
            ended = status not in (RunStatus.QUEUED, RunStatus.RUNNING)
            session.add(
                Run(
                    id=uuid.uuid4().hex,
                    workflow_id=workflow_id,
                    number=number,
                    version=1,
                    status=str(status),
                    trigger_type="manual",
                    trigger_payload={},
                    test=test,
                    definition={},
                    created_at=T0,
                    started_at=started,
                    finished_at=started + timedelta(seconds=seconds) if started and ended else None,
                    credits=credits,
                    conversations_processed=0,
                )
            )
    return workflow_id


class TestWorkflowMetrics:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(runs_specs)
    def test_figures_are_those_of_the_runs(self, store: Store, specs: list[RunSpec]) -> None:
        """Credits used, average runtime and the counts per status are what the stored real runs add up to; test runs
        (previews) are counted apart, and in the figures only when asked for."""
        workflow_id = store_runs(store, specs)
        for include_tests in (False, True):
            with store.read() as session:
                figures = workflow_metrics(
                    session, principal=ADMIN, workflow_id=workflow_id, include_tests=include_tests
                )
            counted = [spec for spec in specs if include_tests or not spec[3]]
            statuses = [status for status, _, _, _ in counted]
            completed = [seconds for status, _, seconds, _ in counted if status is RunStatus.COMPLETED]
            assert figures.total == len(counted)
            assert figures.test_runs == sum(1 for spec in specs if spec[3])
            assert figures.in_progress == statuses.count(RunStatus.QUEUED) + statuses.count(RunStatus.RUNNING)
            assert (figures.completed, figures.failed, figures.cancelled) == (
                statuses.count(RunStatus.COMPLETED),
                statuses.count(RunStatus.FAILED),
                statuses.count(RunStatus.CANCELLED),
            )
            assert figures.credits_used == sum((credits for _, credits, _, _ in counted), Decimal(0))
            if completed:
                assert figures.average_runtime_s == pytest.approx(mean(completed), abs=1e-3)
            else:
                assert figures.average_runtime_s is None
            assert (figures.empty_state is None) == bool(specs)

    def test_no_runs_yet(self, store: Store) -> None:
        """With no run the answer carries the guide's empty state."""
        workflow_id = store_runs(store, [])
        with store.read() as session:
            figures = workflow_metrics(session, principal=ADMIN, workflow_id=workflow_id)
        assert figures.empty_state is not None
        assert (figures.empty_state.title, figures.empty_state.message) == (NO_RUNS_TITLE, NO_RUNS_MESSAGE)
        assert NO_RUNS_TITLE == "No Runs yet"

    def test_a_workflow_one_may_not_see_is_not_found(self, store: Store) -> None:
        """Someone whose rules do not cover the creator's gets NotFound, not figures."""
        workflow_id = store_runs(store, [(RunStatus.COMPLETED, Decimal(1), 1.0, False)])
        with store.transaction() as session:
            creator, _ = create_user(session, email="ana@example.com", role=Role.EDITOR, password="long secret", now=T0)
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            workflow.created_by = creator.id
        narrow = Principal(
            user_id="bo", email="bo@example.com", role=Role.EDITOR, access=AccessRules(teams=frozenset({"Billing"}))
        )
        with store.read() as session, pytest.raises(NotFound):
            workflow_metrics(session, principal=narrow, workflow_id=workflow_id)
