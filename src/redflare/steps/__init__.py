"""Step kinds: one file each, registered in `registry.py`. See CONTRACTS.md."""
