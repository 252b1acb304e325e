"""One module per CLI command; each defines one click command, registered in ``scanner.cli``.

:mod:`.options` holds the click pieces the inventory commands share (the dataset argument,
``--format``, ``--scan``, library errors as click errors), so the inventory package they
wrap stays a library without click.
"""
