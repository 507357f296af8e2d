"""`python -m palermo` runs the CLI."""

from palermo.cli import main

# Guarded: worker processes of `palermo serve --workers N` are spawned and import this
# module again (as `__mp_main__`), where it must not start a second command line.
if __name__ == "__main__":
    main()
