"""``python -m scanner`` runs the catoscan CLI."""

from scanner.cli import main

main()
