"""The HTML part of an alert: the rendered message, a small table of the input's top rows, a link to the run.

Contract: every value is escaped by Jinja's autoescape (or `markupsafe.escape`) — agent names,
queue names and the like come from customers' systems, so a `<script>` in one arrives inert text.
The message keeps its line breaks (`<br>`); nothing else of it is interpreted as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

TABLE_ROWS = 10
PREFERRED_COLUMNS = ("id", "agent", "team", "started_at", "score", "sentiment_label")
FALLBACK_COLUMNS = 6

_ENV = Environment(autoescape=True, keep_trailing_newline=True)
_PAGE = _ENV.from_string(
    """\
<!DOCTYPE html>
<html>
<body style="font-family: sans-serif; font-size: 14px; color: #1f2328;">
<p>{{ message }}</p>
{% if rows %}
<table style="border-collapse: collapse;" cellpadding="4">
<thead><tr>{% for column in columns %}\
<th style="text-align: left; border-bottom: 1px solid #d0d7de;">{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for cell in row %}<td style="border-bottom: 1px solid #eaeef2;">{{ cell }}</td>\
{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% if count > rows | length %}<p>Showing the first {{ rows | length }} of {{ count }} conversations.</p>{% endif %}
{% endif %}
{% if run_url %}<p><a href="{{ run_url }}">View this run</a></p>{% endif %}
</body>
</html>
"""
)


def alert_html(message: str, input_facts: Mapping[str, Any], run_url: str | None) -> str:
    """The HTML part: `message` (plain text) escaped, the top rows of `input_facts` as a table, the run's link.

    `input_facts` is the template fact `input` (`count`, `columns`, `rows` as dicts).
    """
    rows: Sequence[Mapping[str, Any]] = input_facts.get("rows", [])[:TABLE_ROWS]
    columns = table_columns(list(input_facts.get("columns", [])))
    return _PAGE.render(
        message=Markup("<br>\n").join(escape(line) for line in message.split("\n")),
        columns=columns,
        rows=[[cell_text(row.get(column)) for column in columns] for row in rows],
        count=int(input_facts.get("count", len(rows))),
        run_url=run_url,
    )


def table_columns(columns: Sequence[str]) -> list[str]:
    """The usual columns a reviewer scans first, when the set has them; else its first few."""
    preferred = [name for name in PREFERRED_COLUMNS if name in columns]
    return preferred or list(columns[:FALLBACK_COLUMNS])


def cell_text(value: Any) -> str:
    """A value as a short cell: empty for none, two decimals at most, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # `+ 0.0` turns a rounded -0.0 into 0.0, so a tiny negative shows "0", not "-0".
        return f"{round(value, 2) + 0.0:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(cell_text(item) for item in value)
    return str(value)
