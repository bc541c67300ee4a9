"""The engine runs a workflow graph: a pure planner, a runner around it, and backends. See CONTRACTS.md."""
