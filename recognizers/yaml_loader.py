"""Load the pattern-only recognizers of ``configs/recognizers.yaml``.

The file uses presidio's custom-recognizer schema (``recognizers:`` list of ``name``,
``supported_language``, ``supported_entity``, ``patterns``, ``context``). Unlike
presidio's ``RecognizerRegistry.add_recognizers_from_yaml``, which prints and re-raises
or silently ignores unknown keys, this loader checks every entry and stops at the first
problem with the file, the key path and what was expected.

An optional top-level ``prefilters:`` section (which presidio's loader ignores) gives
patterns a cheap necessary condition: a pattern runs only on texts its prefilter matches.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import regex
import yaml

from recognizers.base import REGEX_FLAGS, Pattern, PatternRecognizer
from recognizers.safe_yaml import YAML_LOADER

TOP_KEYS = frozenset({"recognizers"})
TOP_OPTIONAL_KEYS = frozenset({"prefilters"})
REQUIRED_KEYS = frozenset({"name", "supported_entity", "patterns"})
OPTIONAL_KEYS = frozenset({"type", "supported_language", "context"})
PATTERN_KEYS = frozenset({"name", "regex", "score"})
ENTITY_NAME = regex.compile(r"[A-Z][A-Z0-9_]*")

log = logging.getLogger(__name__)


class YamlRecognizer(PatternRecognizer):
    """A pattern-only recognizer of ``recognizers.yaml``.

    Free text meets every YAML recognizer, and few of its patterns match: the lean search
    of :class:`recognizers.base.PatternRecognizer` (presidio's results without its
    per-pattern upkeep) and each pattern's prefilter (filled by the loader before the first
    ``analyze``) keep that cheap. These recognizers have no ``validate_result`` or
    ``invalidate_result``.
    """


class RecognizerConfigError(ValueError):
    """``recognizers.yaml`` is unreadable or has an invalid entry.

    The scanner reports it as a configuration error (exit code 2) where it builds the
    recognizers (``scanner.detect.detector.Detector``).
    """


def load_yaml_recognizers(
    path: str | os.PathLike[str] | Traversable, *, reserved_names: Collection[str] = ()
) -> list[YamlRecognizer]:
    """Build one ``PatternRecognizer`` per entry of a recognizers YAML file.

    Args:
        path: The YAML file.
        reserved_names: Names already taken (the code recognizers); an entry may not
            reuse one, since findings record the recognizer's name.

    Returns:
        The recognizers, in file order. Each one's ``name`` is the entry's ``name``.

    Raises:
        RecognizerConfigError: If the file cannot be read or parsed, or an entry has a
            missing, unknown or invalid key.
    """
    source = Path(path) if isinstance(path, str | os.PathLike) else path
    try:
        document = yaml.load(source.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except OSError as error:
        raise RecognizerConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise RecognizerConfigError(f"{path}: not valid YAML: {error}") from error

    if not isinstance(document, dict):
        raise RecognizerConfigError(f"{path}: expected a mapping with a 'recognizers' list")
    _check_keys(path, "", document, TOP_KEYS, TOP_KEYS | TOP_OPTIONAL_KEYS)
    entries = document["recognizers"]
    if not isinstance(entries, list) or not entries:
        raise RecognizerConfigError(f"{path}: recognizers: expected a non-empty list")

    recognizers = []
    taken = set(reserved_names)
    for index, entry in enumerate(entries):
        where = f"recognizers[{index}]"
        recognizer = _build(path, where, entry)
        if recognizer.name in taken:
            raise RecognizerConfigError(
                f"{path}: {where}.name: {recognizer.name!r} is already used; "
                f"taken names: {', '.join(sorted(taken))}"
            )
        taken.add(recognizer.name)
        recognizers.append(recognizer)
    _add_prefilters(path, document.get("prefilters"), recognizers)
    return recognizers


def _add_prefilters(path: object, section: Any, recognizers: list[YamlRecognizer]) -> None:
    """Check the ``prefilters:`` section and give each recognizer its own.

    A prefilter must be a necessary condition of its pattern (every text the pattern
    matches, the prefilter matches too, under the same flags): that cannot be checked
    here, only that it names a real pattern and compiles. The differential test of the
    packaged file (tests/recognizers/test_yaml_recognizer.py) runs with and without them.
    """
    if section is None:
        return
    if not isinstance(section, dict):
        raise RecognizerConfigError(f"{path}: prefilters: expected a mapping of recognizer names")
    by_name = {r.name: r for r in recognizers}
    for name, entries in section.items():
        recognizer = by_name.get(name)
        if recognizer is None:
            raise RecognizerConfigError(
                f"{path}: prefilters: {name!r} is not a recognizer in this file; "
                f"recognizers: {', '.join(by_name)}"
            )
        if not isinstance(entries, dict) or not entries:
            raise RecognizerConfigError(
                f"{path}: prefilters.{name}: expected a mapping of pattern names to regexes"
            )
        patterns = [p.name for p in recognizer.patterns]
        for pattern, expression in entries.items():
            where = f"prefilters.{name}.{pattern}"
            if pattern not in patterns:
                raise RecognizerConfigError(
                    f"{path}: {where}: no such pattern in {name}; patterns: {', '.join(patterns)}"
                )
            expression = _string(path, where, expression)
            try:
                regex.compile(expression, REGEX_FLAGS)
            except regex.error as error:
                message = f"{path}: {where}: does not compile: {error}"
                raise RecognizerConfigError(message) from error
            recognizer.prefilters[pattern] = expression


def _build(path: object, where: str, entry: Any) -> YamlRecognizer:
    """Validate one entry and build its recognizer."""
    if not isinstance(entry, dict):
        raise RecognizerConfigError(f"{path}: {where}: expected a mapping")
    _check_keys(path, where, entry, REQUIRED_KEYS, REQUIRED_KEYS | OPTIONAL_KEYS)
    name = _string(path, f"{where}.name", entry["name"])
    where = f"{where} ({name})"
    if entry.get("type", "custom") != "custom":
        raise RecognizerConfigError(
            f"{path}: {where}.type: only 'custom' is supported, got {entry['type']!r}"
        )
    entity = _string(path, f"{where}.supported_entity", entry["supported_entity"])
    if not ENTITY_NAME.fullmatch(entity):
        raise RecognizerConfigError(
            f"{path}: {where}.supported_entity: expected an upper-case name such as "
            f"'USERNAME', got {entity!r}"
        )
    language = _string(path, f"{where}.supported_language", entry.get("supported_language", "en"))
    context = entry.get("context") or []
    if not isinstance(context, list) or not all(isinstance(w, str) and w for w in context):
        raise RecognizerConfigError(f"{path}: {where}.context: expected a list of words")
    patterns = entry["patterns"]
    if not isinstance(patterns, list) or not patterns:
        raise RecognizerConfigError(f"{path}: {where}.patterns: expected a non-empty list")
    return YamlRecognizer(
        supported_entity=entity,
        name=name,
        supported_language=language,
        patterns=[
            _pattern(path, f"{where}.patterns[{i}]", pattern) for i, pattern in enumerate(patterns)
        ],
        context=list(context) or None,
        global_regex_flags=REGEX_FLAGS,
    )


def _pattern(path: object, where: str, entry: Any) -> Pattern:
    """Validate one pattern: a name, a regex that compiles, a score in [0, 1]."""
    if not isinstance(entry, dict):
        raise RecognizerConfigError(f"{path}: {where}: expected a mapping")
    _check_keys(path, where, entry, PATTERN_KEYS, PATTERN_KEYS)
    name = _string(path, f"{where}.name", entry["name"])
    where = f"{where} ({name})"
    expression = _string(path, f"{where}.regex", entry["regex"])
    try:
        regex.compile(expression, REGEX_FLAGS)
    except regex.error as error:
        raise RecognizerConfigError(f"{path}: {where}.regex: does not compile: {error}") from error
    score = entry["score"]
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise RecognizerConfigError(
            f"{path}: {where}.score: expected a number from 0 to 1, got {score!r}"
        )
    return Pattern(name=name, regex=expression, score=float(score))


def _check_keys(
    path: object, where: str, entry: dict, required: frozenset[str], allowed: frozenset[str]
) -> None:
    """Fail on a missing or unknown key, listing the valid ones."""
    prefix = f"{path}: {where + ': ' if where else ''}"
    missing = sorted(required - entry.keys())
    if missing:
        raise RecognizerConfigError(f"{prefix}missing key {missing[0]!r}")
    unknown = sorted(str(key) for key in entry.keys() - allowed)
    if unknown:
        raise RecognizerConfigError(
            f"{prefix}unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(allowed))}"
        )


def _string(path: object, where: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string, else fail naming ``where``."""
    if not isinstance(value, str) or not value.strip():
        raise RecognizerConfigError(f"{path}: {where}: expected a non-empty string, got {value!r}")
    return value
