"""Backends that carry out runs: `local` (one box) now; `celery` (a cluster) later."""
