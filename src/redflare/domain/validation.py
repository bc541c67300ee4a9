"""Final checks: every issue that keeps a workflow from being published or run.

Steps are plug-ins the domain does not import; it sees them through `StepSpec`, which the step
registry provides. Knowledge of the world (pipelines, integrations) comes in `Environment`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from redflare.domain.conditions import ColumnKind
from redflare.domain.errors import InvalidWorkflow, Issue
from redflare.domain.loading import document_from_data, issues_from_validation_error
from redflare.domain.workflow import DEFAULT_PORT, Trigger, TriggerType, WorkflowDocument, split_port_ref

Columns = Mapping[str, ColumnKind]
TRIGGER_NODE = "trigger"


@dataclass(frozen=True)
class Environment:
    """What the validator may know of the world: pipelines (name → criterion names) and integrations.

    `None` means "not known here" and skips those checks (e.g. a file read before any store exists).
    """

    pipelines: Mapping[str, Sequence[str]] | None = None
    integrations: frozenset[str] | None = None
    trigger_type: TriggerType | None = field(default=None)
    step_ids: frozenset[str] | None = field(default=None)  # the document's steps, for checks that name them


class StepSpec(Protocol):
    """What validation needs of a step kind."""

    @property
    def type(self) -> str: ...

    @property
    def takes_input(self) -> bool: ...

    def parse(self, config: Mapping[str, Any]) -> BaseModel: ...

    def json_schema(self) -> dict[str, Any]:
        """The config's JSON Schema: the titles its errors name fields by (the side panel's)."""
        ...

    def ports(self, config: Any) -> list[str]: ...

    def columns(self, config: Any, inputs: Columns, env: Environment) -> tuple[Columns, list[tuple[str, str]]]:
        """Output columns given input columns, and (path, message) problems inside the config."""
        ...


def validate(document: WorkflowDocument, specs: Mapping[str, StepSpec], env: Environment | None = None) -> list[Issue]:
    """Every issue in the document, each pointing at its node; empty means ready to publish."""
    env = env or Environment()
    env = Environment(
        env.pipelines,
        env.integrations,
        document.trigger.type if document.trigger else None,
        frozenset(step.id for step in document.steps),
    )
    issues: list[Issue] = []
    if document.trigger is None:
        issues.append(Issue("trigger", "Select a trigger to start a workflow", TRIGGER_NODE))
    if not document.steps:
        issues.append(Issue("steps", "Add new step: a workflow needs at least one step", TRIGGER_NODE))
    trigger_integration = document.trigger.integration if document.trigger else None
    if trigger_integration and env.integrations is not None and trigger_integration not in env.integrations:
        issues.append(Issue("trigger.integration", f"unknown integration {trigger_integration!r}", TRIGGER_NODE))

    index_of: dict[str, int] = {}
    for index, step in enumerate(document.steps):
        if step.id in index_of:
            issues.append(Issue(f"steps[{index}].id", f"step id {step.id!r} is used twice", step.id))
        else:
            index_of[step.id] = index

    configs: dict[str, Any] = {}
    for index, step in enumerate(document.steps):
        spec = specs.get(step.type)
        if spec is None:
            known = ", ".join(sorted(specs))
            issues.append(Issue(f"steps[{index}].type", f"unknown step type {step.type!r} (known: {known})", step.id))
            continue
        try:
            configs[step.id] = spec.parse(step.config)
        except ValidationError as exc:
            issues.extend(
                issues_from_validation_error(
                    exc,
                    prefix=f"steps[{index}].config",
                    node=step.id,
                    schema=spec.json_schema(),
                    data=step.config,
                    owner=f"step '{step.id}'",
                )
            )

    issues.extend(_connection_issues(document, specs, configs, index_of))
    order = _topological_order(document, index_of, issues)
    if order is not None:
        issues.extend(_follow_columns(document, specs, configs, index_of, order, env)[0])
    return issues


def data_issues(data: object, specs: Mapping[str, StepSpec], env: Environment | None = None) -> list[Issue]:
    """Every issue of a document given as plain data, all at once: when parts of it do not parse (a trigger
    with a bad cron expression, a broken settings block), their issues come first and the rest of the document
    is still checked without them, so a bad trigger does not hide the steps' issues until it is fixed."""
    try:
        return validate(document_from_data(data), specs, env)
    except InvalidWorkflow as refused:
        parse_issues = refused.issues
    rest = _without_broken_parts(data, parse_issues)
    if rest is None:
        return parse_issues
    broken_trigger = any(issue.path.startswith("trigger") for issue in parse_issues)
    more = [
        issue
        for issue in validate(rest, specs, env)
        # A trigger that is there but broken is reported above; "Select a trigger" would say it is missing.
        if not (broken_trigger and issue.path == "trigger") and issue not in parse_issues
    ]
    return [*parse_issues, *more]


def _without_broken_parts(data: object, issues: Sequence[Issue]) -> WorkflowDocument | None:
    """The document without its top-level parts that failed to parse (a broken trigger keeps its type, which the
    steps' checks depend on), or None when what is left still does not parse."""
    if not isinstance(data, Mapping):
        return None
    broken = {issue.path.split(".")[0].split("[")[0] for issue in issues}
    if broken - {"trigger", "settings", "layout", "description"}:
        return None  # the name or the steps themselves are broken: nothing sound is left to check
    kept = {key: value for key, value in data.items() if key not in broken}
    try:
        document = document_from_data(kept)
    except InvalidWorkflow:
        return None
    trigger = data.get("trigger")
    kind = trigger.get("type") if isinstance(trigger, Mapping) else None
    if "trigger" in broken and kind in {member.value for member in TriggerType}:
        document = document.model_copy(update={"trigger": Trigger.model_construct(type=TriggerType(kind))})
    return document


def input_columns(
    document: WorkflowDocument, specs: Mapping[str, StepSpec], env: Environment | None = None
) -> dict[str, Columns]:
    """The columns each step's input will have, by step id, as validation follows them through the graph (a step
    whose config or upstream is broken is left out): what a step's column pickers may offer."""
    env = env or Environment()
    env = Environment(
        env.pipelines,
        env.integrations,
        document.trigger.type if document.trigger else None,
        frozenset(step.id for step in document.steps),
    )
    index_of = {step.id: index for index, step in enumerate(document.steps)}
    configs: dict[str, Any] = {}
    for step in document.steps:
        spec = specs.get(step.type)
        if spec is not None:
            with suppress(ValidationError):
                configs[step.id] = spec.parse(step.config)
    order = _topological_order(document, index_of, [])
    return {} if order is None else _follow_columns(document, specs, configs, index_of, order, env)[1]


def _connection_issues(
    document: WorkflowDocument, specs: Mapping[str, StepSpec], configs: Mapping[str, Any], index_of: Mapping[str, int]
) -> list[Issue]:
    issues = []
    feeds_from_trigger = document.trigger is not None and document.trigger.type is TriggerType.SYNC_COMPLETED
    for index, step in enumerate(document.steps):
        spec = specs.get(step.type)
        if spec is not None and spec.takes_input and not step.after and not feeds_from_trigger:
            issues.append(
                Issue(
                    f"steps[{index}].after",
                    "this step has no input: connect a step that produces conversations",
                    step.id,
                )
            )
        for position, ref in enumerate(step.after):
            upstream, port = split_port_ref(ref)
            path = f"steps[{index}].after[{position}]"
            if upstream not in index_of:
                issues.append(Issue(path, f"unknown upstream step {upstream!r}", step.id))
                continue
            if upstream == step.id:
                issues.append(Issue(path, "a step cannot feed itself", step.id))
                continue
            upstream_step = document.steps[index_of[upstream]]
            upstream_spec = specs.get(upstream_step.type)
            if upstream_spec is None or upstream not in configs:
                continue
            ports = upstream_spec.ports(configs[upstream])
            if "." not in ref and ports != [DEFAULT_PORT]:
                issues.append(
                    Issue(path, f"step {upstream!r} has several outputs; name one: {_refs(upstream, ports)}", step.id)
                )
            elif port not in ports:
                issues.append(
                    Issue(path, f"step {upstream!r} has no output {port!r} (it has {_refs(upstream, ports)})", step.id)
                )
        if len(set(step.after)) != len(step.after):
            issues.append(Issue(f"steps[{index}].after", "the same connection is listed twice", step.id))
    for node in document.layout:
        if node != TRIGGER_NODE and node not in index_of:
            issues.append(Issue(f"layout.{node}", f"layout names unknown step {node!r}", None))
    return issues


def _refs(step_id: str, ports: Sequence[str]) -> str:
    return ", ".join(step_id if p == DEFAULT_PORT else f"{step_id}.{p}" for p in ports)


def _topological_order(
    document: WorkflowDocument, index_of: Mapping[str, int], issues: list[Issue]
) -> list[str] | None:
    graph = {
        step.id: {split_port_ref(ref)[0] for ref in step.after if split_port_ref(ref)[0] in index_of}
        for step in document.steps
    }
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = list(dict.fromkeys(exc.args[1]))
        for step_id in cycle:
            issues.append(
                Issue(f"steps[{index_of[step_id]}].after", f"steps form a cycle: {' → '.join(cycle)}", step_id)
            )
        return None


def _follow_columns(
    document: WorkflowDocument,
    specs: Mapping[str, StepSpec],
    configs: Mapping[str, Any],
    index_of: Mapping[str, int],
    order: Sequence[str],
    env: Environment,
) -> tuple[list[Issue], dict[str, Columns]]:
    """Follow the columns each step produces through the graph and check what each step reads; answers the issues
    and each step's input columns."""
    from redflare.domain.columns import BASE_COLUMNS

    issues: list[Issue] = []
    produced: dict[str, Columns] = {}
    received: dict[str, Columns] = {}
    for step_id in order:
        step = document.steps[index_of[step_id]]
        spec = specs.get(step.type)
        if spec is None:
            continue  # already reported; downstream column checks would only echo it
        # Unknown upstream ids are reported already; check the rest as if they were not there.
        upstream_ids = [u for u in (split_port_ref(ref)[0] for ref in step.after) if u in index_of]
        if any(u not in produced for u in upstream_ids):
            continue
        inputs: dict[str, ColumnKind] = {} if upstream_ids else dict(BASE_COLUMNS)
        for upstream in upstream_ids:
            inputs.update(produced[upstream])
        if spec.takes_input:
            received[step_id] = inputs  # known before the step's own config is: its pickers need it while editing
        if step_id not in configs:
            continue  # its config's issues are reported already
        outputs, problems = spec.columns(configs[step_id], inputs, env)
        produced[step_id] = outputs
        prefix = f"steps[{index_of[step_id]}].config"
        issues.extend(Issue(f"{prefix}.{path}" if path else prefix, message, step_id) for path, message in problems)
    return issues, received
