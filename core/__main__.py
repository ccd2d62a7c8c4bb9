"""``python -m zwgk`` runs the ``zwgk`` command line."""

from .cli import main

main()
