"""Configuration: the YAML files validated into typed models, and the frozen ScanConfig.

Every file is validated at load; any problem raises :class:`ConfigError` naming the file,
the key and the valid choices, before a single input is read. Nothing falls back to a
default silently: the packaged ``configs/`` are the defaults, a ``--config-dir`` replaces
the files it holds, and the manifest records which file each setting came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from recognizers.phone_regions import check_phone_regions
from recognizers.safe_yaml import YAML_LOADER
from scanner.entities import ENTITY_TYPES
from scanner.errors import ConfigError

CONFIG_FILES = ("fields.yaml", "policy.yaml", "scanner.yaml", "recognizers.yaml", "lists.yaml")
#: Read from a --config-dir by other commands (retention).
OTHER_CONFIG_FILES = ("retention.yaml",)
#: Files of a --config-dir with these suffixes look like configuration: named if not read.
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_ACTIONS = ("identity", "text", "ignore")


def check_regexes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Validator for config keys holding regexes: each must compile."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"bad regex {pattern!r}: {exc}") from None
    return patterns


class Strict(BaseModel):
    """Base of every config file model: unknown keys are errors, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyPair(Strict):
    """One (CCPA category, policy element) pair."""

    category: str
    element: str


class Condition(Strict):
    """``when`` of a field rule: another field of the same record decides."""

    field: str
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    present: bool | None = None
    not_match: str | None = None

    @field_validator("not_match")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return value if value is None else check_regexes((value,))[0]

    def holds(self, lookup: dict[str, str]) -> bool:
        """Whether the condition holds for a record's ``{field: value}`` lookup."""
        value = lookup.get(self.field)
        if self.present is not None:
            return (value is not None) == self.present
        if self.not_match is not None:  # absent, or present and not matching
            return value is None or re.search(self.not_match, value) is None
        return value is not None and self.in_ is not None and value in self.in_


class FieldRule(Strict):
    """One rule of fields.yaml."""

    fields: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    detect: str
    ner: bool = True
    scan_inside: tuple[str, ...] = ()
    when: Condition | None = None
    policy: tuple[PolicyPair, ...] | None = None

    @field_validator("detect")
    @classmethod
    def _detect(cls, value: str) -> str:
        if value not in ENTITY_TYPES and value not in _ACTIONS:
            raise ValueError(f"must be one of {', '.join(_ACTIONS + ENTITY_TYPES)}")
        return value

    @field_validator("scan_inside")
    @classmethod
    def _inside(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if v not in ENTITY_TYPES]
        if bad:
            raise ValueError(f"unknown entity {bad[0]!r}; valid: {', '.join(ENTITY_TYPES)}")
        return value

    @field_validator("match")
    @classmethod
    def _regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_regexes(value)

    @property
    def rule_id(self) -> str:
        """Stable name of the rule for the ``detector`` column."""
        return self.fields[0] if self.fields else self.match[0]


class Unmapped(Strict):
    """What happens to fields no rule names."""

    detect: Literal["text", "ignore"]
    ner: bool = True


class FieldsFile(Strict):
    """fields.yaml."""

    version: Literal[1]
    time_fields: tuple[str, ...]
    #: regexes of vendor namespaces (``cato_networks.event.``), left out of a field's path
    #: before rules are matched; optional
    namespaces: tuple[str, ...] = ()
    unmapped: Unmapped
    rules: tuple[FieldRule, ...]

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_regexes(value)


class PolicyFile(Strict):
    """policy.yaml."""

    version: Literal[1]
    categories: dict[str, str]
    #: category id -> where it is in the statute (shown beside the policy's own letter)
    statute: dict[str, str] = Field(default_factory=dict)
    declared: dict[str, tuple[str, ...]]
    entities: dict[str, tuple[PolicyPair, ...]]


class TemplateSettings(Strict):
    """Free text per template (scanner/detect/templates.py)."""

    #: messages of a template read by spaCy before its slots are trusted; 0: spaCy reads all
    exemplars: int = Field(ge=0, le=100)
    #: share of equal tokens from which a message joins a template
    similarity: float = Field(gt=0, le=1)

    @field_validator("exemplars")
    @classmethod
    def _enough(cls, value: int) -> int:
        if value == 1:
            raise ValueError("must be 0 (off) or at least 2")
        return value


class NlpSettings(Strict):
    """The spaCy model and how its labels become findings."""

    model: str
    language: str
    labels: dict[str, str]
    score: float = Field(ge=0, le=1)
    templates: TemplateSettings


class LimitSettings(Strict):
    """Limits that bound memory and time on hostile or broken input.

    Every limit is enforced while reading (never trusting what a header claims), and what
    it stops is reported in ``errors/`` naming the key (``limits.<name>``).
    """

    max_archive_depth: int = Field(ge=0)
    max_member_bytes: int = Field(gt=0)
    max_nested_archive_bytes: int = Field(gt=0)
    max_expanded_bytes: int = Field(gt=0)
    max_expansion_ratio: int = Field(gt=0)
    max_line_bytes: int = Field(gt=0)
    max_document_bytes: int = Field(gt=0)
    max_fields_per_record: int = Field(gt=0)
    max_json_depth: int = Field(gt=0, le=512)


class ScannerFile(Strict):
    """scanner.yaml."""

    version: Literal[1]
    nlp: NlpSettings
    min_score: float = Field(ge=0, le=1)
    phone_regions: tuple[str, ...]
    precedence: tuple[str, ...]
    containers: tuple[str, ...]
    cache_size: int = Field(ge=0)
    batch_rows: int = Field(gt=0)
    limits: LimitSettings

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_phone_regions(value)


@dataclass(frozen=True)
class Configs:
    """All configuration files, validated, with where each came from."""

    fields: FieldsFile
    policy: PolicyFile
    scanner: ScannerFile
    recognizers_path: Path
    sources: dict[str, str]
    sha256: str
    lists_path: Path | None = None  # allow/deny lists, validated by scanner.detect.filters
    #: the text of every file read, by name: lets a machine without the files rebuild them
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    def portable(self, directory: Path) -> Configs:
        """These configs with their file-backed parts rewritten under ``directory``.

        Recognizers and lists are loaded from files; a Spark executor on another machine
        has neither the driver's ``--config-dir`` nor its install path, so it writes the
        texts it was sent to ``directory`` and loads them from there.
        """
        if not self.texts:
            return self
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in self.texts.items():
            (directory / name).write_text(text, encoding="utf-8")
        lists = directory / "lists.yaml" if self.lists_path is not None else None
        return replace(self, recognizers_path=directory / "recognizers.yaml", lists_path=lists)


@dataclass(frozen=True)
class ScanConfig:
    """Everything one scan needs; built by the CLI, passed to ``scanner.pipeline.run``."""

    paths: tuple[Path, ...]
    out: Path
    configs: Configs
    key: bytes = field(repr=False)
    key_id: str
    key_source: str
    nlp: str = "spacy"  # "spacy" or "none"
    format: str | None = None
    include_values: bool = False
    min_score: float | None = None
    fail_on_undeclared: bool = False
    progress: bool = True
    debug: bool = False
    workers: int | None = None  # None: one per core
    incremental: bool = False
    engine: str = "local"  # a name in scanner.engines.ENGINES
    uris: tuple[str, ...] = ()  # inputs named by URI (s3a://...), read through Spark
    spark_master: str | None = None  # --engine spark: None takes spark-submit's or local[*]
    #: --engine spark: seconds without a live executor before the job is cancelled
    executor_wait: float = 300.0
    resume: bool = False  # adopt the unchanged finished files of the kept interrupted scan
    include: tuple[str, ...] = ()  # --include globs: read only input files matching one
    exclude: tuple[str, ...] = ()  # --exclude globs: never read input files matching one


def build_scan_config(
    *,
    key_file: Path | None,
    config_dir: Path | None,
    on_new_key: Callable[[str], None] | None = None,
    **settings: Any,
) -> ScanConfig:
    """A :class:`ScanConfig` from the options of ``catoscan scan`` (CLI or library).

    Loads the configuration files and the HMAC key (created once when there is none:
    ``on_new_key`` is told where) and fills in its ``key_id``; ``settings`` are the other
    fields of ScanConfig.
    """
    from scanner.hashing import key_id, load_key

    configs = load_configs(config_dir)
    key, key_source, created = load_key(key_file)
    if created and on_new_key is not None:
        on_new_key(key_source)
    return ScanConfig(
        configs=configs, key=key, key_id=key_id(key), key_source=key_source, **settings
    )


def load_configs(config_dir: Path | None = None) -> Configs:
    """Load and validate the configuration files (packaged ones unless ``config_dir`` has them)."""
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    paths: dict[str, Path] = {}
    packaged = resources.files("configs")
    if config_dir is not None and not config_dir.is_dir():
        raise ConfigError(f"--config-dir {config_dir}: not a directory")
    for name in CONFIG_FILES:
        candidate = config_dir / name if config_dir else None
        if candidate is not None and candidate.is_file():
            path = candidate
            sources[name] = str(candidate)
        else:
            path = Path(str(packaged.joinpath(name)))
            sources[name] = f"package:configs/{name}"
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{sources[name]}: cannot read: {exc.strerror}") from None
        paths[name] = path
    if config_dir is not None:
        _unread(config_dir)
    fields = parse_yaml_model(FieldsFile, texts["fields.yaml"], sources["fields.yaml"])
    policy = parse_yaml_model(PolicyFile, texts["policy.yaml"], sources["policy.yaml"])
    scanner = parse_yaml_model(ScannerFile, texts["scanner.yaml"], sources["scanner.yaml"])
    _cross_check(fields, policy, scanner, sources)
    digest = hashlib.sha256()
    for name in CONFIG_FILES:
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return Configs(
        fields,
        policy,
        scanner,
        paths["recognizers.yaml"],
        sources,
        digest.hexdigest(),
        lists_path=paths["lists.yaml"],
        texts=texts,
    )


def _unread(config_dir: Path) -> None:
    """Warn about files of ``config_dir`` that look like configuration and are not read."""
    import difflib
    import logging

    known = CONFIG_FILES + OTHER_CONFIG_FILES
    try:
        names = sorted(p.name for p in config_dir.iterdir() if p.is_file())
    except OSError:
        return
    for name in names:
        if name in known or not name.lower().endswith(_CONFIG_SUFFIXES):
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        logging.getLogger(__name__).warning(
            "--config-dir %s: %s is not read (%scatoscan reads %s)",
            config_dir,
            name,
            hint,
            ", ".join(sorted(known)),
        )


def parse_yaml_model(model: type[BaseModel], text: str, source: str) -> Any:
    """Parse YAML ``text`` into ``model``: the one place every config file is validated.

    Raises:
        ConfigError: ``<source>: line N not valid YAML: ...``, ``<source>: expected a
            mapping at the top level`` or ``<source>: <key.path>: <why>``.
    """
    try:
        data = yaml.load(text, Loader=YAML_LOADER)  # a safe loader (recognizers.safe_yaml)
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


def _cross_check(
    fields: FieldsFile, policy: PolicyFile, scanner: ScannerFile, sources: dict[str, str]
) -> None:
    where = sources["policy.yaml"]
    missing = [e for e in ENTITY_TYPES if e not in policy.entities]
    if missing:
        raise ConfigError(f"{where}: entities: no policy for {', '.join(missing)}")
    unknown = [e for e in policy.entities if e not in ENTITY_TYPES]
    if unknown:
        raise ConfigError(
            f"{where}: entities: unknown entity {unknown[0]!r}; valid: {', '.join(ENTITY_TYPES)}"
        )
    pairs = [p for ps in policy.entities.values() for p in ps]
    pairs += [p for r in fields.rules if r.policy for p in r.policy]
    for pair in pairs:
        if pair.category not in policy.categories:
            valid = ", ".join(policy.categories)
            raise ConfigError(f"{where}: unknown category {pair.category!r}; valid: {valid}")
    for cat in policy.declared:
        if cat not in policy.categories:
            raise ConfigError(f"{where}: declared: unknown category {cat!r}")
    for cat in policy.statute:
        if cat not in policy.categories:
            raise ConfigError(f"{where}: statute: unknown category {cat!r}")
    where = sources["scanner.yaml"]
    for name in (*scanner.precedence, *scanner.containers, *scanner.nlp.labels.values()):
        if name not in ENTITY_TYPES:
            raise ConfigError(f"{where}: unknown entity {name!r}; valid: {', '.join(ENTITY_TYPES)}")
    absent = [e for e in ENTITY_TYPES if e not in scanner.precedence]
    if absent:
        raise ConfigError(f"{where}: precedence: missing {', '.join(absent)}")
