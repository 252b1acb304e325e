import io

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
