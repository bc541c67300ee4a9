"""The HTTP API (FastAPI appears only here): the same API the canvas, the CLI and scripts use."""
