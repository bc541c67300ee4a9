"""Integrations: the sources conversations arrive from (a push endpoint, a watched folder), each arrival a sync."""
