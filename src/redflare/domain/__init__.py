"""The pure core: workflow graph, validation, conditions, run states, credits.

Nothing here imports web, database or queue code (an import-linter contract holds it).
"""
