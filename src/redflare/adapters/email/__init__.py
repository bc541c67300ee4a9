"""Email out: compose an outbox message into an email (`compose`), send it over SMTP (`SmtpSender`).

A send that does not go raises `SendFailure(text, permanent)`; the deliverer (services/delivery.py) decides
from `permanent` whether to retry.
"""

from redflare.adapters.email.compose import compose, message_id_header
from redflare.adapters.email.smtp import SendFailure, SmtpSender

__all__ = ["SendFailure", "SmtpSender", "compose", "message_id_header"]
