"""The error tree of RedFlare.

    RedflareError
    ├── NotFound            (LookupError)   a workflow, run, pipeline … that does not exist (or is not yours to see)
    ├── Forbidden           (PermissionError) you may see it, but your role may not do this
    ├── Conflict                            the request contradicts stored state
    ├── InvalidWorkflow     (ValueError)    a workflow document with issues; carries them all
    ├── InvalidInput        (ValueError)    bad import rows, bad settings, bad arguments
    ├── IllegalTransition                   a run or step status change the table forbids
    ├── StepError                           a step failed; says whether retrying may help
    ├── LimitReached                        a call or credits limit stopped the work
    └── Cancelled                           the run was cancelled while the work was going on

Web and CLI translate these into HTTP statuses and exit codes in one place each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class RedflareError(Exception):
    """Base of every error RedFlare raises on purpose."""


class NotFound(RedflareError, LookupError):
    """The thing asked for does not exist."""


class Forbidden(RedflareError, PermissionError):
    """The user may see the object but their role does not allow the action."""


class Conflict(RedflareError):
    """The request contradicts what is stored (a duplicate, a wrong state)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a workflow or an input file.

    `path` points at the offending place (`steps[2].config.limit`, `file.csv:14`);
    `node` names the canvas node it belongs to (`trigger` or a step id), when there is one.
    """

    path: str
    message: str
    node: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidWorkflow(RedflareError, ValueError):
    """A workflow document that cannot be stored or run as it is."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class InvalidInput(RedflareError, ValueError):
    """Input that failed validation; `issues` says what and where."""

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        self.issues = list(issues)
        super().__init__(message)


class IllegalTransition(RedflareError):
    """A status change that the state machine does not allow."""


class StepError(RedflareError):
    """A step could not finish. `retryable` says whether running it again may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)


class LimitReached(RedflareError):
    """A workflow's call or credits limit stopped the work."""


class Cancelled(RedflareError):
    """The run was cancelled."""
