"""Example workflow files that `redflare demo` writes out and loads."""
