"""Send Alert: email the right people about this run, with a subject and message built from its facts.

Contract:
- Subject and message are Jinja2 templates (see `templating`); a template that cannot work — bad
  syntax, a name that is not a fact, an attribute a fact does not have — is refused by the config,
  so it is a Final checks issue naming the field, found at publish time.
- Recipients are email addresses (checked for form, not deliverability), duplicates removed
  case-insensitively with the first spelling kept; a malformed one is an issue naming it.
- At run time the step renders both templates (a failure — a render past its work or time budget
  included — fails the step, naming the field; a render looks for a cancel of the run every
  `templating.POLL_S` seconds while its loops run, and a cancel ends the step cancelled), and
  hands the engine one message to all recipients: plain text plus an HTML part with a table of the
  input's top rows. Sending is the engine's job (the outbox); the input passes through on `out`.
- The subject is one line: line breaks and runs of spaces collapse to one space (a header with a
  newline in it would be a header injection), and it is cut to `MAX_SUBJECT` characters.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from pydantic import Field, field_validator

from redflare.domain.delivery import OutgoingMessage, unique_recipients
from redflare.domain.validation import Columns, Environment
from redflare.sets.frames import empty_set
from redflare.steps.alert_html import alert_html
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, helper
from redflare.steps.context import StepContext
from redflare.steps.recipients import MAX_RECIPIENTS, EmailAddress
from redflare.steps.templating import (
    MAPPING_METHODS,
    facts_help,
    input_facts,
    plain,
    render,
    step_references,
    template_problems,
    template_variables,
)
from redflare.steps.when_empty import INITIAL, only_when_not_empty_field, skipped_when_empty
from redflare.steps.wording import counted, joined

TYPE = "send_alert"
VERSION = 1
MAX_SUBJECT = 300
MAX_MESSAGE = 20_000


def _checked_template(text: str) -> str:
    problems = template_problems(text)
    if problems:
        raise ValueError("; ".join(problems))
    return text


class Config(StepConfig):
    subject: str = Field(
        min_length=1,
        max_length=MAX_SUBJECT,
        title="Subject",
        description="The email's subject line, a template that may use the run's facts.",
        json_schema_extra={
            **helper("One line, e.g. “12 calls need review”. Line breaks become spaces. " + facts_help()),
            "template_variables": template_variables(),
        },
    )
    message: str = Field(
        min_length=1,
        max_length=MAX_MESSAGE,
        title="Message",
        description="The email's body, a template that may use the run's facts.",
        json_schema_extra={
            **helper(
                "Plain text; the email also carries a table of the input's first rows and a link to the run. "
                + facts_help()
            ),
            "template_variables": template_variables(),
        },
    )
    only_when_not_empty: bool = only_when_not_empty_field()
    recipients: list[EmailAddress] = Field(
        max_length=MAX_RECIPIENTS,
        title="Recipients",
        description="Who receives the alert: one or more email addresses.",
        # minItems by hand: the validator below says it in the user's words rather than pydantic's.
        json_schema_extra={
            **helper("All recipients get one email together. An address listed twice gets it once."),
            "minItems": 1,
        },
    )

    @field_validator("subject", "message")
    @classmethod
    def _templates_work(cls, text: str) -> str:
        return _checked_template(text)

    @field_validator("recipients")
    @classmethod
    def _each_address_once(cls, addresses: list[str]) -> list[str]:
        if not addresses:
            raise ValueError("add at least one recipient")
        return unique_recipients(addresses)


def one_line(text: str) -> str:
    """`text` on one line: every run of whitespace (newlines included) becomes one space, cut to fit."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_SUBJECT else line[: MAX_SUBJECT - 1] + "…"


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    # The engine gives a step hung off the trigger the trigger's set; None is left only in odd cases.
    frame = empty_set() if frame is None else frame
    quiet = skipped_when_empty(frame, config.only_when_not_empty)
    if quiet is not None:
        return quiet
    # plain(): the run's times read as ISO 8601 text, like the input rows' (one spelling in an email).
    facts: dict[str, Any] = plain({**ctx.facts.facts(), "input": input_facts(frame)})

    def cancelled() -> bool:  # asks the store: render calls it at most every templating.POLL_S seconds
        return ctx.cancellation.cancelled

    subject = one_line(render(config.subject, facts, field="subject", should_stop=cancelled))
    if not subject:  # a template that rendered to nothing: still a subject the reader can place
        subject = f"Alert from {facts.get('workflow', {}).get('name') or 'RedFlare'}"
    text = render(config.message, facts, field="message", should_stop=cancelled)
    message = OutgoingMessage(
        recipients=tuple(config.recipients),
        subject=subject,
        text=text,
        html=alert_html(text, facts["input"], facts.get("run", {}).get("url")),
        kind="alert",
    )
    return StepResult.single(frame, messages=[message], tally={"recipients": len(config.recipients)})


def columns(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    """The input passes through; a template naming a step the workflow does not have is a publish-time issue."""
    problems: Problems = []
    if env.step_ids is not None:
        for field_name in ("subject", "message"):
            for step_id, line in step_references(getattr(config, field_name)):
                if step_id not in env.step_ids and step_id not in MAPPING_METHODS:
                    problems.append((field_name, f"line {line}: no step {step_id!r} in this workflow"))
    return inputs, problems


def summarize(config: Config) -> str:
    """`To qa@example.com · “Low scores today”`, `To 3 recipients · …` (the subject as written, template and all)."""
    to = config.recipients[0] if len(config.recipients) == 1 else counted(len(config.recipients), "recipient")
    return joined([f"To {to}", f"“{' '.join(config.subject.split())}”"])


KIND: StepKind[Config] = StepKind(
    type=TYPE,
    version=VERSION,
    title="Send Alert",
    description="Email the right people about this run.",
    config_model=Config,
    execute=execute,
    initial_config=INITIAL,
    columns_of=columns,
    look=Look(icon="M3 6h18v12H3zM3 7l9 6 9-6", color="red"),
    summarize=summarize,
)
