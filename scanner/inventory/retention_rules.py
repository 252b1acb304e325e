"""``retention.yaml``: how long each kind of personal data may be kept, as typed rules.

Loaded like the scan's configuration files: the packaged ``configs/retention.yaml`` unless
``--config-dir`` has one; any problem raises :class:`ConfigError` naming the file, the key
and the valid choices. There is no silent default: the last rule, without ``match``, is the
default, and it must be written down.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scanner.config import Strict
from scanner.config import parse_yaml_model as parse_model
from scanner.entities import ENTITY_TYPES
from scanner.errors import ConfigError

RETENTION_FILE = "retention.yaml"
_KEEP = re.compile(r"^(\d+)(h|d|w)$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_keep(text: str) -> timedelta:
    """``48h`` / ``30d`` / ``12w`` as a timedelta.

    Raises:
        ValueError: any other form.
    """
    m = _KEEP.match(text.strip())
    if not m:
        raise ValueError(f"{text!r}: give hours, days or weeks, e.g. 48h, 30d, 12w")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class Match(Strict):
    """Which findings a rule covers (all keys given must match; any value within a key)."""

    categories: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = ()
    source_formats: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()

    @field_validator("entity_types")
    @classmethod
    def _entities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v not in ENTITY_TYPES]
        if bad:
            raise ValueError(f"unknown entity {bad[0]!r}; valid: {', '.join(ENTITY_TYPES)}")
        return value

    @field_validator("source_formats")
    @classmethod
    def _formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from scanner.readers import FORMATS

        bad = [v for v in value if v not in FORMATS]
        if bad:
            raise ValueError(f"unknown format {bad[0]!r}; valid: {', '.join(FORMATS)}")
        return value

    @model_validator(mode="after")
    def _something(self) -> Match:
        if not (self.categories or self.entity_types or self.source_formats or self.paths):
            raise ValueError(
                "give at least one of categories, entity_types, source_formats, paths "
                "(or drop match from the last rule)"
            )
        return self


class Rule(Strict):
    """One retention rule."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    match: Match | None = None
    keep: str
    action: Literal["delete", "redact"]

    @field_validator("keep")
    @classmethod
    def _keep(cls, value: str) -> str:
        parse_keep(value)
        return value

    @property
    def period(self) -> timedelta:
        """``keep`` as a timedelta."""
        return parse_keep(self.keep)


class RetentionFile(Strict):
    """``retention.yaml``."""

    version: Literal[1]
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> RetentionFile:
        names: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.name in names:
                raise ValueError(f"rules.{i}.name: {rule.name!r} is used twice")
            names.add(rule.name)
            last = i == len(self.rules) - 1
            if rule.match is None and not last:
                raise ValueError(f"rules.{i}: only the last rule may have no match")
            if last and rule.match is not None:
                raise ValueError(
                    f"rules.{i}: the last rule must have no match, so every finding has a rule"
                )
        return self


@dataclass(frozen=True)
class RetentionConfig:
    """The validated rules, where they came from and the file's sha256."""

    rules: RetentionFile
    source: str
    sha256: str


def load_retention(config_dir: Path | None, categories: dict[str, str]) -> RetentionConfig:
    """Load ``retention.yaml`` (from ``config_dir`` when it has one, else the packaged one).

    Args:
        config_dir: ``--config-dir``, or None.
        categories: The CCPA categories of policy.yaml, to check ``match.categories``.

    Raises:
        ConfigError: the file is missing, unparsable or invalid; the message names the
            file, the key and the valid choices.
    """
    if config_dir is not None and not config_dir.is_dir():
        raise ConfigError(f"--config-dir {config_dir}: not a directory")
    candidate = config_dir / RETENTION_FILE if config_dir else None
    if candidate is not None and candidate.is_file():
        path, source = candidate, str(candidate)
    else:
        path = Path(str(resources.files("configs").joinpath(RETENTION_FILE)))
        source = f"package:configs/{RETENTION_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
    rules = parse_model(RetentionFile, text, source)
    for i, rule in enumerate(rules.rules):
        for cat in rule.match.categories if rule.match else ():
            if cat not in categories:
                raise ConfigError(
                    f"{source}: rules.{i}.match.categories: unknown category {cat!r}; "
                    f"valid: {', '.join(categories)}"
                )
    return RetentionConfig(rules, source, hashlib.sha256(text.encode()).hexdigest())
