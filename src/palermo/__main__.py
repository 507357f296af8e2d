"""`python -m palermo` runs the CLI."""

from palermo.cli import main

main()
