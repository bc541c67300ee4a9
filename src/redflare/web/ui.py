"""The browser app: the front end's built files (`frontend/dist`) served at `/`, with the API under `/api`.

Any path that is not the API and not a built file answers `index.html`, so the app's own routes
(`/workflows/…/runs/…`, the links in emails) open straight in the browser (single-page-app fallback). An
unknown `/api/…` path stays a 404 problem, never the app's page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

REPOSITORY_DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"


def ui_folder(configured: Path | None) -> Path | None:
    """The built front end to serve: the configured folder, else the repository's `frontend/dist` if built."""
    folder = configured if configured is not None else REPOSITORY_DIST
    return folder if (folder / "index.html").is_file() else None


def mount_ui(app: FastAPI, folder: Path) -> None:
    root = folder.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def browser_app(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no API path /{path}")
        wanted = (root / path).resolve()
        if path and wanted.is_relative_to(root) and wanted.is_file():
            return FileResponse(wanted)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
