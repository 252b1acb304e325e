"""Where catoscan leans on another library's private parts, each with its fallback.

- :data:`DecompressReader`: the standard library's reader behind ``LZMAFile``, used for xz
  input with a memory limit that ``LZMAFile`` does not offer. It lives in the private
  ``_compression`` module up to Python 3.13 and in ``compression._common._streams`` from
  3.14; where neither exists, :class:`FallbackDecompressReader` does the same work.
- :func:`run_exit_functions`: ``atexit._run_exitfuncs``, which lets the CLI leave by
  ``os._exit`` after a scan (skipping the interpreter's slow teardown) without skipping
  the exit handlers. Where it is missing, the CLI leaves the ordinary way.
- :func:`arrow_without_pandas`: pyarrow's probes for pandas inputs, which import pandas
  (called once by :mod:`scanner.dataset`). Where pandas is already loaded, or pyarrow no
  longer probes, it changes nothing.

One more lives beside the code it serves, already harmless when what it patches is not
there: ``recognizers/_presidio.py`` (presidio's name-mangled regex check, skipped only
while presidio imports). ``tests/test_compat.py`` tests every fallback here.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Bytes read from the compressed stream at a time (the standard library's choice).
BUFFER_SIZE = io.DEFAULT_BUFFER_SIZE


class FallbackDecompressReader(io.RawIOBase):
    """A raw stream of the decompressed bytes of ``fp``, stream after concatenated stream.

    Args:
        fp: The compressed bytes.
        decompressor: Makes a fresh decompressor (``lzma.LZMADecompressor``), called with
            ``decompressor_args`` for the first stream and each one concatenated after it.
        trailing_error: The decompressor's error on bytes that are no stream: trailing bytes
            after a complete stream that raise it are ignored, as ``LZMAFile`` ignores them.
        decompressor_args: Passed to ``decompressor`` (``memlimit=...``).

    Raises (on read):
        EOFError: the compressed data ends before the end of a stream.
    """

    def __init__(
        self,
        fp: BinaryIO,
        decompressor: Callable[..., Any],
        trailing_error: type[BaseException] | tuple[type[BaseException], ...] = (),
        **decompressor_args: Any,
    ):
        super().__init__()
        self._fp = fp
        self._factory = decompressor
        self._args = decompressor_args
        self._decompressor = decompressor(**decompressor_args)
        self._trailing_error = trailing_error
        self._eof = False

    def readable(self) -> bool:
        """True: the stream is read, never written."""
        return True

    def close(self) -> None:
        """Drop the decompressor (and its buffers) and close the stream."""
        self._decompressor = None
        super().close()

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Fill ``buffer`` with decompressed bytes; the count, 0 at the end of the data."""
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read(len(target))
            target[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` decompressed bytes (all the rest when negative); ``b""`` at the end."""
        if size < 0:
            return self.readall()
        if not size or self._eof:
            return b""
        data = b""
        while not data:
            if self._decompressor.eof:
                block = self._decompressor.unused_data or self._fp.read(BUFFER_SIZE)
                if not block:
                    break  # the last stream ended with the file
                self._decompressor = self._factory(**self._args)  # a concatenated stream
                try:
                    data = self._decompressor.decompress(block, size)
                except self._trailing_error:
                    break  # bytes after the last stream that are no stream: ignored
            else:
                block = b""
                if self._decompressor.needs_input:
                    block = self._fp.read(BUFFER_SIZE)
                    if not block:
                        raise EOFError(
                            "Compressed file ended before the end-of-stream marker was reached"
                        )
                data = self._decompressor.decompress(block, size)
        if not data:
            self._eof = True
        return data


def _standard_reader() -> type | None:
    for name in ("_compression", "compression._common._streams"):
        try:
            module = __import__(name, fromlist=["DecompressReader"])
        except ImportError:
            continue
        reader = getattr(module, "DecompressReader", None)
        if isinstance(reader, type):
            return reader
    return None


#: The standard library's reader where this Python has one, else the fallback.
DecompressReader: type = _standard_reader() or FallbackDecompressReader


def run_exit_functions() -> bool:
    """Run the ``atexit`` handlers now, as the interpreter would at exit.

    Returns:
        False when this Python has no way to do that (the caller must then exit the
        ordinary way, which runs them).
    """
    import atexit

    run = getattr(atexit, "_run_exitfuncs", None)
    if run is None:
        return False
    run()
    return True


def arrow_without_pandas() -> None:
    """Keep pyarrow from importing pandas (0.3 to 0.5 s of start-up) on a scan's path.

    The first time pyarrow builds any array it imports pandas, only to check whether its
    input is a pandas object, and ``pyarrow.dataset`` (which ``group_by`` loads, and the
    writer's carry-forward) imports it again; catoscan's writer never hands pyarrow a
    pandas object. Letting those probes find no pandas makes pyarrow treat inputs as the
    plain sequences they are. pandas is not lost: pyarrow's explicit conversions
    (``to_pandas``, ``from_pandas``, used by the inventory commands) retry the import and
    then behave as usual.

    Fallback: once pandas is loaded this does nothing, and a pyarrow that stops probing
    never asks the finder; the finder is gone again when this returns, whatever happened.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])  # an array whose type is inferred probes; one of a given type does not
        import pyarrow.acero  # noqa: F401 - group_by's engine, imported here without pandas
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """A meta path finder for which pandas does not exist."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
