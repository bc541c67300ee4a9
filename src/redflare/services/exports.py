"""Opening an export for download: the signed link first, then who may see it, then the file's name.

Contract of `open_export`:
- The signature is checked before anything is read: a tampered, expired or other export's link is
  Forbidden (saying which) whether or not the export exists, so a bad link learns nothing.
- A valid link still needs a signed-in user who may see the export's workflow (services/visibility.py);
  a workflow they may not see is NotFound, as for an export that is gone (its run re-run or deleted).
- The answer is the export row and the file name a download should carry: the export's name made safe
  for a file system and a Content-Disposition header, with its type's extension.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from sqlalchemy.orm import Session

from redflare.adapters.db.exports import get_export
from redflare.adapters.db.orm import Export
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow

MAX_STEM = 150  # characters of the name kept before the extension: file systems cap names at 255 bytes
FALLBACK_STEM = "export"
# Reserved on Windows or in paths everywhere; '"' and '\' would also need escaping in a quoted header value.
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")


class OpenedExport(NamedTuple):
    export: Export
    filename: str


def open_export(
    session: Session, *, principal: Principal, export_id: str, sig: str, links: ExportLinks
) -> OpenedExport:
    """The export behind a download link, and its download file name; Forbidden or NotFound otherwise."""
    links.check(export_id, sig)
    export, _run = get_export(session, export_id)
    visible_workflow(session, principal, export.workflow_id)
    return OpenedExport(export, download_name(export.name, export.file_type))


def download_name(name: str, file_type: str) -> str:
    """`<name>.<file_type>` with characters a file system or header would trip on replaced; never empty."""
    cleaned = "".join("_" if unicodedata.category(char)[0] == "C" else char for char in name)
    cleaned = _SPACES.sub(" ", _UNSAFE.sub("_", cleaned)).strip()
    # Leading dots hide a file; trailing dots and spaces are dropped by Windows.
    stem = cleaned[:MAX_STEM].strip(" .") or FALLBACK_STEM
    return f"{stem}.{file_type}"
