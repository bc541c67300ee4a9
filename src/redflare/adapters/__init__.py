"""Adapters: the real (and in-memory) implementations of the core's ports."""
