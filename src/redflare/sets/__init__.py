"""Conversation sets: polars frames in memory, Parquet at rest (SPEC appendix B)."""
