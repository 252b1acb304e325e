"""Import presidio_analyzer without re-checking the patterns of its built-in recognizers.

presidio's ``Pattern.__init__`` compiles its regex once only to check that it compiles,
then throws the result away. Importing ``presidio_analyzer`` builds the ~200 patterns of
its predefined recognizers at class level (the URL pattern alone has 400 alternatives),
which is about half a second of every scan's start-up, for recognizers catoscan never
registers. While presidio's own package imports, that check is skipped; it is restored
before anything else runs, so every ``Pattern`` made at run time (ours, from
``configs/recognizers.yaml``, which ``yaml_loader`` also compiles itself) is checked as
presidio intends. Importing this module when presidio is already imported changes nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

_PATTERN_MODULE = "presidio_analyzer.pattern"
_CHECK = "_Pattern__validate_regex"


class _SkipPatternCheck(importlib.abc.MetaPathFinder):
    """Finds ``presidio_analyzer.pattern`` and disables the check once it has run."""

    def __init__(self) -> None:
        self.saved: object = None

    def find_spec(self, name, path, target=None):  # importlib's API
        if name != _PATTERN_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module
        finder = self

        def exec_module(module: ModuleType) -> None:
            run(module)
            pattern = getattr(module, "Pattern", None)
            if pattern is not None and _CHECK in vars(pattern):
                finder.saved = vars(pattern)[_CHECK]
                setattr(pattern, _CHECK, staticmethod(_unchecked))

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _unchecked(pattern: str) -> None:
    """Stands in for presidio's regex check while presidio's package imports."""


def _import() -> None:
    if "presidio_analyzer" in sys.modules:
        return
    finder = _SkipPatternCheck()
    sys.meta_path.insert(0, finder)
    try:
        import presidio_analyzer  # noqa: F401 - the import is the point
    finally:
        sys.meta_path.remove(finder)
        module = sys.modules.get(_PATTERN_MODULE)
        if finder.saved is not None and module is not None:
            setattr(module.Pattern, _CHECK, finder.saved)


_import()
