"""Helpers the role, keyboard, schedule, run-page and large-canvas browser tests share (on top of conftest's):
users of other roles made with `redflare users create` against the served data folder, signing in as them,
dragging a node, and runs arranged and awaited through the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Server, canvas_settled, eventually, sign_in

TERMINAL = {"completed", "failed", "cancelled"}
USER_PASSWORD = "another long password"


def add_user(served: Server, email: str, role: str) -> None:
    """A user as an admin adds one (appendix C: `redflare users create EMAIL --role …`), on the served data."""
    environment = {**os.environ, "REDFLARE_DATA_DIR": str(served.data_dir)}
    environment.pop("REDFLARE_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("redflare")
    done = subprocess.run(
        [str(cli), "users", "create", email, "--role", role, "--password", USER_PASSWORD],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def sign_in_as(page: Page, email: str, password: str = USER_PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workflows", exact=True)).to_be_visible()


def drag_by(page: Page, target: Locator, dx: float, dy: float) -> None:
    """A React Flow drag of `target` by (dx, dy) screen pixels: press, move in steps, release."""
    canvas_settled(page)
    target.hover()
    box = target.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 18)  # on the title, clear of the "+"
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()


def run_now(served: Server, workflow_id: str) -> dict[str, Any]:
    return dict(served.api.post(f"/workflows/{workflow_id}/runs"))


def wait_for_run(
    served: Server, run_id: str, statuses: set[str] | None = None, *, timeout: float = 90
) -> dict[str, Any]:
    """The run once its status is one of `statuses` (by default: it has ended)."""
    wanted = statuses or TERMINAL
    return dict(
        eventually(lambda: served.api.get(f"/runs/{run_id}"), lambda run: run["status"] in wanted, timeout=timeout)
    )


def step_of(run: dict[str, Any], step_id: str) -> dict[str, Any]:
    [found] = [step for step in run["steps"] if step["id"] == step_id]
    return dict(found)


def step(step_id: str, step_type: str, after: list[str], **config: Any) -> dict[str, Any]:
    return {"id": step_id, "type": step_type, "after": after, "config": config}


def published(served: Server, name: str, *steps: dict[str, Any]) -> str:
    """A manual workflow of these steps, created and published through the API; its id."""
    created = served.api.post("/workflows", {"name": name, "trigger": {"type": "manual"}, "steps": list(steps)})
    served.api.post(f"/workflows/{created['id']}/publish")
    return str(created["id"])


def open_run(page: Page, workflow_id: str, run: dict[str, Any]) -> None:
    sign_in(page)
    page.goto(f"/workflows/{workflow_id}/runs/{run['id']}")
    expect(page.get_by_role("heading", name=f"Run #{run['number']}")).to_be_visible()


def is_reddish(locator: Locator) -> bool:
    """The element's text color is a red (its red channel well above green and blue)."""
    red, green, blue = locator.evaluate(
        """element => getComputedStyle(element).color.match(/[\\d.]+/g).slice(0, 3).map(Number)"""
    )
    return bool(red > 150 and red > green + 60 and red > blue + 60)
