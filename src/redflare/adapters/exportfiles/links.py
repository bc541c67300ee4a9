"""Signed, expiring download links for exports (itsdangerous; the key is the server's secret key).

A link is `{base_url}/api/exports/{id}/download?sig=…`; the signature covers the export id and the time it
was made, so a link for one export never opens another, and one older than `max_age` is refused. The
signature's clock is the service's `Clock`, so tests can step past expiry. Signed is not encrypted: the
signature carries nothing but the export id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from redflare.domain.errors import Forbidden
from redflare.domain.ports import Clock

SALT = "redflare.export-download"
EXPIRED = "This download link has expired; open the run to get a new one."
INVALID = "This download link is not valid."


class _ClockSigner(TimestampSigner):
    clock: Clock

    def get_timestamp(self) -> int:
        return int(self.clock.now().timestamp())


@dataclass(frozen=True)
class ExportLinks:
    secret_key: str
    base_url: str
    clock: Clock
    max_age: timedelta = timedelta(days=7)

    def _signer(self) -> _ClockSigner:
        signer = _ClockSigner(self.secret_key, salt=SALT)
        signer.clock = self.clock
        return signer

    def signature(self, export_id: str) -> str:
        """The `sig` value for one export, made now."""
        signed = self._signer().sign(export_id).decode()
        return signed[len(export_id) + 1 :]  # the id travels in the path, not twice

    def url(self, export_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/api/exports/{quote(export_id)}/download?sig={self.signature(export_id)}"

    def check(self, export_id: str, sig: str) -> None:
        """Nothing if `sig` is this export's, unexpired and untampered; Forbidden saying which otherwise."""
        signer = self._signer()
        try:
            signer.unsign(f"{export_id}{signer.sep.decode()}{sig}", max_age=int(self.max_age.total_seconds()))
        except SignatureExpired as exc:
            raise Forbidden(EXPIRED) from exc
        except BadSignature as exc:
            raise Forbidden(INVALID) from exc
