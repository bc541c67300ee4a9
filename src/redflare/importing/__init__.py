"""Conversation import: files in SPEC appendix D's format, or public datasets, into domain conversations.

Layers, outermost first:
- `readers` turns a JSON, JSONL or CSV file (or a folder of them) into raw records, each tagged with
  the file and line it came from, and reports unreadable rows the same way;
- `datasets` does the same for the public datasets' own layouts, mapping them onto appendix D;
- `schema` validates one raw record (the appendix-D model) and makes the domain `Conversation`.

Nothing here touches the store: `redflare.services.imports` owns the transaction.
"""
