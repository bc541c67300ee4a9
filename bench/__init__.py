"""Benchmarks, each printing its figures next to a plain baseline. Run as modules: `python -m bench.engine`."""
