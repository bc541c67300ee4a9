"""Export downloads: the signed link in a "Your Report is Ready" email serves the report's file.

Only to a signed-in user (session cookie or API token: 401 otherwise) who may see the export's workflow
(404 otherwise, as for a workflow that does not exist), and only with the link's own, unexpired,
untampered signature (403). The file goes out as an attachment with its type's media type: straight
from disk when the storage is a local folder, streamed from the storage otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from redflare.adapters.storage import ExportStorage
from redflare.domain.errors import NotFound
from redflare.services import exports as export_service
from redflare.services.users import Principal
from redflare.web.deps import ClockDep, ServicesDep, SessionDep, current_principal

router = APIRouter(tags=["exports"])

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV, "xlsx": XLSX}
CHUNK_BYTES = 256 * 1024
GONE = "the export's file is no longer stored"
_NOT_PLAIN_ASCII = re.compile(r'[^\x20-\x7e]|["\\]')  # what a quoted header value cannot carry as it is

ExportId = Annotated[str, Path(min_length=1, max_length=64)]
# Optional in the schema so a link that lost its query string gets "not valid" (403), like any bad link.
Signature = Annotated[str, Query(max_length=512, description="The signature from the emailed link.")]

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The report file, as an attachment", "content": {CSV: _BINARY, XLSX: _BINARY}},
    303: {"description": "Not signed in, from a browser: to sign-in, which comes back here"},
    401: {"description": "Not signed in"},
    403: {"description": "The link is not valid, was changed, or has expired"},
    404: {"description": "No such export, or not one you may see"},
}


def _signed_in_or_browser(request: Request, session: SessionDep, now: ClockDep) -> Principal | None:
    """The signed-in user; None for a browser that is not signed in (it is sent to sign in); else 401."""
    try:
        return current_principal(request, session, now)
    except HTTPException as exc:
        if exc.status_code == 401 and "text/html" in request.headers.get("Accept", ""):
            return None
        raise


@router.get("/exports/{export_id}/download", response_class=Response, responses=_RESPONSES)
def download_export(
    request: Request,
    export_id: ExportId,
    principal: Annotated[Principal | None, Depends(_signed_in_or_browser)],
    session: SessionDep,
    app: ServicesDep,
    sig: Signature = "",
) -> Response:
    """Download a Schedule Export's file through the signed link its email carries."""
    if principal is None:
        # The emailed link opened in a browser that is not signed in: the app's sign-in page, then back here.
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/?next={quote(back, safe='')}", status_code=303)
    opened = export_service.open_export(
        session, principal=principal, export_id=export_id, sig=sig, links=app.delivery.links
    )
    export = opened.export
    headers = {
        "Content-Disposition": content_disposition(opened.filename),
        # The file is one user's view of the data: no shared cache keeps it, no browser guesses its type.
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    media_type = MEDIA_TYPES[export.file_type]
    storage = app.delivery.storage
    local = storage.local_path(export.key)
    if local is not None:
        if not local.is_file():
            raise NotFound(GONE)
        return FileResponse(local, media_type=media_type, headers=headers)
    return StreamingResponse(_chunks(_open(storage, export.key)), media_type=media_type, headers=headers)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the exact name as RFC 5987 `filename*`."""
    fallback = _NOT_PLAIN_ASCII.sub("_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _open(storage: ExportStorage, key: str) -> BinaryIO:
    # Opened before the response starts, so a missing file is a 404 rather than a broken stream.
    try:
        return storage.open(key)
    except FileNotFoundError:
        raise NotFound(GONE) from None


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
