"""Import presidio_analyzer without re-checking the patterns of its built-in recognizers.

presidio's ``Pattern.__init__`` compiles its regex once only to check that it compiles,
then throws the result away. Importing ``presidio_analyzer`` builds the ~200 patterns of
its predefined recognizers at class level (the URL pattern alone has 400 alternatives),
which is about half a second of every scan's start-up, for recognizers catoscan never
registers. While presidio's own package imports, that check is skipped; it is restored
before anything else runs, so every ``Pattern`` made at run time (ours, from
``configs/recognizers.yaml``, which ``yaml_loader`` also compiles itself) is checked as
presidio intends. Importing this module when presidio is already imported changes nothing.

presidio imports spaCy, and spaCy's package imports its command-line interface for one
function of its API (``spacy.info``): every command, and weasel, typer, jinja2 and httpx
with them, about 230 modules and 0.2 s of each process that loads the model, for code a
scan never runs. While spaCy's package imports, ``spacy.cli`` is a stand-in; it is removed
once spaCy has imported, so a later ``import spacy.cli`` imports the real one, as does a
call of ``spacy.info``.

presidio's own e-mail recognizer, which catoscan never registers (its e-mail recognizer
needs no TLD list), imports ``tldextract``, and with it ``requests``, ``urllib3`` and
``filelock``: about 0.08 s of each process that loads the model. ``tldextract`` is a
stand-in until one of its names is read (:class:`_Deferred`); then it is imported, as a
plain import would have done before.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

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


def _import_spacy() -> None:
    """Import spaCy with a stand-in for its command-line interface while its package imports."""
    if "spacy" in sys.modules:
        return
    cli = ModuleType("spacy.cli")
    cli.__path__ = []  # a package, as spacy/__init__.py imports spacy.cli.info from it
    info = ModuleType("spacy.cli.info")
    info.info = _info  # type: ignore[attr-defined]
    stand_ins = {cli.__name__: cli, info.__name__: info}
    sys.modules.update(stand_ins)
    try:
        import spacy  # noqa: F401 - the import is the point
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: spaCy's own, imported when it is called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


#: What presidio imports for recognizers catoscan never registers: imported when used.
_DEFERRED = ("tldextract",)


class _Deferred(ModuleType):
    """Stands in for a module until one of its names is read, then imports it.

    Not ``importlib.util.LazyLoader``: on Python 3.11 a second ``import`` of a lazy module
    reads its ``__spec__``, which runs it. This stand-in holds the module's spec, so an
    ``import`` finds it as it is; any other name read imports the real module, which
    replaces it in ``sys.modules``, and is then read from it.
    """

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        vars(self).update(vars(real))  # later reads find the names at once
        return getattr(real, attr)


def _defer(name: str) -> None:
    """Put a :class:`_Deferred` stand-in for ``name`` in ``sys.modules``."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return  # not installed: the import that needs it fails as it would have
    module = _Deferred(name)
    module.__spec__ = spec
    sys.modules[name] = module


def _import() -> None:
    if "presidio_analyzer" in sys.modules:
        return
    for name in _DEFERRED:  # first: spaCy's import may import presidio (its spaCy factory)
        _defer(name)
    _import_spacy()
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
