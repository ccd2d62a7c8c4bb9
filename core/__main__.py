"""``python -m zwgk`` runs the ``zwgk`` command line."""

from .console import main

main()
