"""Email recipients as delivery steps take them: checked for form (never for deliverability: a publish-time
check must not depend on DNS, and the SMTP server has the last word), at most `MAX_RECIPIENTS`."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator

MAX_RECIPIENTS = 100


def email_address(value: str) -> str:
    """The address, normalised; a ValueError naming it when it is not an email address."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an email address: {exc}") from None


EmailAddress = Annotated[str, AfterValidator(email_address)]
