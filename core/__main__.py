"""``python -m core`` runs the ``zwgk`` command line."""

from .cli import main

main()
