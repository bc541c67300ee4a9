"""The browser app: the front end's built files (`frontend/dist`) served at `/`, with the API under `/api`.

Any path that is not the API and not a built file answers `index.html`, so the app's own routes
(`/workflows/…/runs/…`, the links in emails) open straight in the browser (single-page-app fallback). An
unknown `/api/…` path stays a 404 problem, never the app's page.

Quick to load: the build writes a Brotli (`.br`) and a gzip (`.gz`) copy beside each text file
(frontend/precompress.js), and the copy the browser accepts is sent as it is, with `Content-Encoding` (no CPU spent
compressing per request). Files under `assets/` have content-hashed names, so a browser keeps them for a year
without asking again (`immutable`); `index.html`, which names the current ones, and anything else is revalidated
on every load (`no-cache`), so a new release is seen at once.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse

REPOSITORY_DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"
HASHED = "assets"  # Vite's folder of content-hashed files
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Best first: what the build writes beside a file, by the Accept-Encoding token that asks for it.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def ui_folder(configured: Path | None) -> Path | None:
    """The built front end to serve: the configured folder, else the repository's `frontend/dist` if built."""
    folder = configured if configured is not None else REPOSITORY_DIST
    return folder if (folder / "index.html").is_file() else None


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header accepts (lower case; `*` for any other): those without
    `q=0`. A malformed weight counts as 1, as if none were given."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for part in header.split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        if not name:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 1.0
        (accepted if weight > 0 else refused).add(name.lower())
    if "*" in accepted:
        accepted |= {coding for coding, _ in PRECOMPRESSED} - refused
    return accepted


def built_file(path: Path, root: Path, accept_encoding: str) -> FileResponse:
    """A built file as the browser accepts it: its precompressed copy when there is one it takes, else as it is."""
    cache = IMMUTABLE if path.parent == root / HASHED else REVALIDATE
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    variants = [(coding, path.with_name(path.name + suffix)) for coding, suffix in PRECOMPRESSED]
    present = [(coding, copy) for coding, copy in variants if copy.is_file()]
    headers = {"Cache-Control": cache}
    if present:
        headers["Vary"] = "Accept-Encoding"  # the answer depends on it: caches on the way must keep both apart
    accepted = accepted_encodings(accept_encoding)
    for coding, copy in present:
        if coding in accepted:
            return FileResponse(copy, media_type=media_type, headers={**headers, "Content-Encoding": coding})
    return FileResponse(path, media_type=media_type, headers=headers)


def mount_ui(app: FastAPI, folder: Path) -> None:
    root = folder.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def browser_app(path: str, request: Request) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no API path /{path}")
        wanted = (root / path).resolve()
        if path and wanted.is_relative_to(root) and wanted.is_file():
            return built_file(wanted, root, request.headers.get("accept-encoding", ""))
        return built_file(index, root, request.headers.get("accept-encoding", ""))
