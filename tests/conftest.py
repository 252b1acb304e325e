import io
import logging

import pytest

from scanner.readers.textio import ReadOptions
from scanner.record import ReadProblem, Record

TIME_FIELDS = (
    "time",
    "event_timestamp",
    "time_str",
    "audit_timestamp",
    "creation_date",
    "creationTime",
    "rt",
    "start",
    "Time",
    "Last Connection Date",
)


#: The "scanner" logger as importing the package leaves it, before any CLI call.
_SCANNER_LOGGER = logging.getLogger("scanner")
_SCANNER_LOGGER_DEFAULT = (_SCANNER_LOGGER.handlers[:], _SCANNER_LOGGER.level, _SCANNER_LOGGER.propagate)


def _reset_scanner_logger() -> None:
    handlers, level, propagate = _SCANNER_LOGGER_DEFAULT
    _SCANNER_LOGGER.handlers[:] = handlers
    _SCANNER_LOGGER.setLevel(level)
    _SCANNER_LOGGER.propagate = propagate


@pytest.fixture(autouse=True)
def _scanner_logger_as_imported():
    """Start and end every test with the "scanner" logger as importing the package left it.

    The CLI's group callback replaces the logger's handlers and turns propagation off. A CLI
    call made by a module- or session-scoped fixture happens before any function fixture, so
    restoring "what the test found" is not enough: the state is reset to the import-time one,
    or ``caplog`` in a later test sees nothing, depending on test order.
    """
    _reset_scanner_logger()
    yield
    _reset_scanner_logger()


@pytest.fixture
def key_file(tmp_path):
    """A private HMAC key file (mode 600), as scans require."""
    path = tmp_path / "key"
    path.write_text("ab" * 32)
    path.chmod(0o600)
    return path


@pytest.fixture
def opts():
    return ReadOptions(time_fields=TIME_FIELDS)


def read(reader, data: bytes, opts=None):
    """Run a reader over bytes; return (records, problems)."""
    opts = opts or ReadOptions(time_fields=TIME_FIELDS)
    items = list(reader(io.BytesIO(data), data[:65536], opts))
    records = [i for i in items if isinstance(i, Record)]
    problems = [i for i in items if isinstance(i, ReadProblem)]
    return records, problems
