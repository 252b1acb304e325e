import pytest

from recognizers import build_recognizers


@pytest.fixture(scope="session")
def by_name():
    """One instance of every recognizer (code and packaged YAML), by name."""
    return {recognizer.name: recognizer for recognizer in build_recognizers()}
