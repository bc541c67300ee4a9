"""Column types shared by the models: exact credits, UTC datetimes, JSON that is JSONB on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from redflare.domain.credits import CREDIT_QUANTUM, credits

JsonType = JSON().with_variant(JSONB(), "postgresql")
UNITS_PER_CREDIT = int(1 / CREDIT_QUANTUM)


class Credits(TypeDecorator[Decimal]):
    """Credits stored as whole ten-thousandths in a BIGINT: exact on every database, sums stay integers."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int(credits(value) * UNITS_PER_CREDIT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else credits(Decimal(int(value)) / UNITS_PER_CREDIT)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps naive text; we restore the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
