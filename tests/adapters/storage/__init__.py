"""Tests of the export storages: one contract, run against every backend."""
