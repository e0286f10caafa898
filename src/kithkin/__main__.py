"""`python -m kithkin` is the `kithkin` command."""

from kithkin.cli import main

main()
