"""YAML files of the inventory commands, validated into typed models with precise errors."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from scanner.errors import ConfigError


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_model(model: type[BaseModel], text: str, source: str) -> Any:
    """Parse YAML ``text`` into ``model``.

    Args:
        model: The pydantic model of the whole file.
        text: The file's text.
        source: How to name the file in errors (its path).

    Raises:
        ConfigError: ``<source>: line N not valid YAML: ...`` or ``<source>: <key.path>: <why>``.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{source}:{where} not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigError(
            f"{source}: {key}: {message}" if key else f"{source}: {message}"
        ) from None
