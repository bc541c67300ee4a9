"""Triggers: when a workflow starts on its own. `schedule` is the pure core of "On a Schedule"."""
