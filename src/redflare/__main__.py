"""`python -m redflare`: the same command line as `redflare`."""

from redflare.cli import main

main()
