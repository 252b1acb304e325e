"""One module per CLI command; each defines one click command, registered in ``scanner.cli``."""
