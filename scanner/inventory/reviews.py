"""Steward review decisions: ``DIR/reviews.yaml`` next to the dataset, and how they apply.

A decision marks findings ``confirmed``, ``false_positive`` or ``accepted_risk`` by one
scope: a field and entity type, a value hash, or a source path glob (optionally narrowed to
one entity type). Like a detect-secrets baseline, the file is meant to be read in review
and kept under version control; decisions apply to every scan, later ones included.

False positives are left out of reports, retention manifests, diffs and the
``--fail-on-undeclared`` count; the dataset itself is never changed. A revoked decision
stays in the file with who revoked it, when and why, and no longer applies. When several
decisions match one finding the most specific scope wins (value hash, then field, then
source glob); between equally specific ones, the later decision wins.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import getpass
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AwareDatetime, field_validator, model_validator

from scanner.config import Strict
from scanner.config import parse_yaml_model as parse_model
from scanner.entities import ENTITY_TYPES
from scanner.errors import ConfigError, resource_error
from scanner.escaping import for_terminal

REVIEWS_FILE = "reviews.yaml"
VERDICTS = ("confirmed", "false_positive", "accepted_risk")
Verdict = Literal["confirmed", "false_positive", "accepted_risk"]
_HASH = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"r[1-9][0-9]*")
_RANK = {"source": 0, "field": 1, "value_hash": 2}
_HEADER = (
    "# catoscan review decisions for the dataset in this directory.\n"
    "# Managed with `catoscan review add|list|revoke`; review changes like code.\n"
    "# Verdicts: confirmed, false_positive (left out of reports and gates, never deleted\n"
    "# from the dataset), accepted_risk. Revoked decisions stay, marked, and no longer apply.\n"
)


class Scope(Strict):
    """Which findings a decision covers: exactly one of three kinds."""

    field: str | None = None
    entity_type: str | None = None
    value_hash: str | None = None
    source: str | None = None

    @field_validator("entity_type")
    @classmethod
    def _entity(cls, value: str | None) -> str | None:
        if value is not None and value not in ENTITY_TYPES:
            raise ValueError(f"unknown entity {value!r}; {closest(value, ENTITY_TYPES)}")
        return value

    @field_validator("value_hash")
    @classmethod
    def _hash(cls, value: str | None) -> str | None:
        if value is not None and not _HASH.fullmatch(value):
            raise ValueError("must be a value_hash: 64 lower-case hex digits")
        return value

    @field_validator("field", "source")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Scope:
        kinds = [k for k in ("field", "value_hash", "source") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one of: field (with entity_type), value_hash, source (a path glob)"
            )
        if self.field is not None and self.entity_type is None:
            raise ValueError("field needs entity_type")
        if self.value_hash is not None and self.entity_type is not None:
            raise ValueError("value_hash already names the entity type; drop entity_type")
        return self

    @property
    def kind(self) -> str:
        """``field``, ``value_hash`` or ``source``."""
        if self.field is not None:
            return "field"
        return "value_hash" if self.value_hash is not None else "source"

    def describe(self) -> str:
        """A one-line description, e.g. ``field cs5 + PHONE_NUMBER`` (names escaped)."""
        if self.field is not None:
            return f"field {for_terminal(self.field)} + {self.entity_type}"
        if self.value_hash is not None:
            return f"value_hash {self.value_hash[:16]}…"
        suffix = f" + {self.entity_type}" if self.entity_type else ""
        return f"source {for_terminal(self.source or '')}{suffix}"


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class Revocation(Strict):
    """Who revoked a decision, when and why."""

    by: str
    when: AwareDatetime
    reason: str

    @field_validator("by", "reason")
    @classmethod
    def _text(cls, value: str) -> str:
        return _non_empty(value)


class Decision(Strict):
    """One steward decision."""

    id: str
    verdict: Verdict
    scope: Scope
    reason: str
    by: str
    when: AwareDatetime
    revoked: Revocation | None = None

    @field_validator("by", "reason")
    @classmethod
    def _text(cls, value: str) -> str:
        return _non_empty(value)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(f"{value!r}: ids are r1, r2, ...")
        return value

    @property
    def active(self) -> bool:
        """Whether the decision applies (it was not revoked)."""
        return self.revoked is None


class ReviewsFile(Strict):
    """``reviews.yaml``."""

    version: Literal[1]
    decisions: tuple[Decision, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> ReviewsFile:
        seen: set[str] = set()
        for decision in self.decisions:
            if decision.id in seen:
                raise ValueError(f"decisions: id {decision.id} appears twice")
            seen.add(decision.id)
        return self


def reviews_path(out: Path) -> Path:
    """Where the decisions of the dataset in ``out`` live."""
    return out / REVIEWS_FILE


def load_reviews(out: Path) -> ReviewsFile:
    """The dataset's decisions (none when the file does not exist).

    Raises:
        ConfigError: the file cannot be read or is not valid.
    """
    path = reviews_path(out)
    if not path.exists():
        return ReviewsFile(version=1)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_model(ReviewsFile, text, str(path))


def add_decision(
    out: Path,
    verdict: str,
    scope: dict[str, str | None],
    reason: str,
    by: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Add a decision to ``out/reviews.yaml`` (created if missing) and return it.

    Args:
        out: The dataset directory.
        verdict: ``confirmed``, ``false_positive`` or ``accepted_risk``.
        scope: ``{"field", "entity_type"}``, ``{"value_hash"}`` or ``{"source"[, "entity_type"]}``.
        reason: Why (required).
        by: Who decided (default: the login name).
        now: The decision time (default: now, UTC).

    Raises:
        InvalidDecision: an invalid verdict, scope, reason or name.
        ConfigError: the existing file is invalid.
    """
    with _locked(out):
        reviews = load_reviews(out)
        numbers = [int(d.id[1:]) for d in reviews.decisions]
        data = {
            "id": f"r{max(numbers, default=0) + 1}",
            "verdict": verdict,
            "scope": {k: v for k, v in scope.items() if v is not None},
            "reason": reason,
            "by": by or _login(),
            "when": _now(now),
        }
        decision = _validated(Decision, data)
        _save(out, ReviewsFile(version=1, decisions=(*reviews.decisions, decision)))
    return decision


def revoke_decision(
    out: Path, decision_id: str, reason: str, by: str | None = None, now: datetime | None = None
) -> Decision:
    """Mark a decision revoked (it stays in the file) and return it.

    Raises:
        InvalidDecision: an empty reason or name.
        ConfigError: no such decision, or it is already revoked.
    """
    with _locked(out):
        reviews = load_reviews(out)
        path = reviews_path(out)
        found = [d for d in reviews.decisions if d.id == decision_id]
        if not found:
            ids = ", ".join(d.id for d in reviews.decisions) or "none"
            raise ConfigError(f"{path}: no decision {decision_id!r}; decisions: {ids}")
        old = found[0]
        if old.revoked is not None:
            raise ConfigError(
                f"{path}: {decision_id} was already revoked by {old.revoked.by} "
                f"at {stamp(old.revoked.when)}"
            )
        revocation = _validated(
            Revocation, {"by": by or _login(), "when": _now(now), "reason": reason}
        )
        new = old.model_copy(update={"revoked": revocation})
        decisions = tuple(new if d.id == decision_id else d for d in reviews.decisions)
        _save(out, ReviewsFile(version=1, decisions=decisions))
    return new


def apply_reviews(decisions: tuple[Decision, ...], frame: Any) -> tuple[Any, Any]:
    """The verdict and decision id of each finding (None where no active decision applies).

    Args:
        decisions: The decisions (revoked ones are skipped).
        frame: Findings with ``source_path``, ``field``, ``entity_type`` and ``value_hash``.

    Returns:
        Two object Series aligned with ``frame``: verdicts and decision ids.
    """
    import pandas as pd

    verdict = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    decided_by = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    active = sorted(
        (d for d in decisions if d.active),
        key=lambda d: (_RANK[d.scope.kind], d.when, int(d.id[1:])),
    )
    for decision in active:
        mask = scope_mask(decision.scope, frame)
        verdict[mask] = decision.verdict
        decided_by[mask] = decision.id
    return verdict, decided_by


def scope_mask(scope: Scope, frame: Any) -> Any:
    """A boolean Series: which findings of ``frame`` the scope covers."""
    if scope.value_hash is not None:
        return frame["value_hash"] == scope.value_hash
    if scope.field is not None:
        return (frame["field"] == scope.field) & (frame["entity_type"] == scope.entity_type)
    paths = {p for p in frame["source_path"].unique() if fnmatch.fnmatchcase(p, scope.source)}
    mask = frame["source_path"].isin(paths)
    if scope.entity_type is not None:
        mask &= frame["entity_type"] == scope.entity_type
    return mask


def suppressed_undeclared(out: Path, scan_id: str) -> int:
    """How many undeclared findings of a committed scan are marked false positive.

    ``catoscan scan --fail-on-undeclared`` subtracts these before deciding its exit code.

    Raises:
        ConfigError: ``reviews.yaml`` is invalid.
    """
    import pyarrow.dataset as ds

    from scanner.inventory.data import Inventory, read_frame

    reviews = load_reviews(out)
    if not any(d.active and d.verdict == "false_positive" for d in reviews.decisions):
        return 0
    frame = read_frame(
        Inventory(out, ({"scan_id": scan_id},)),
        "findings",
        [scan_id],
        ("source_path", "field", "entity_type", "value_hash"),
        ds.field("policy_declared") == False,  # noqa: E712 - a pyarrow expression
    )
    verdict, _ = apply_reviews(reviews.decisions, frame)
    return int((verdict == "false_positive").sum())


def closest(name: str, valid: Iterable[str], shown: int = 20) -> str:
    """``did you mean X?`` for a mistyped name, else the valid names (at most ``shown``).

    The names may come from the input (field names): they are escaped for the terminal.
    """
    import difflib

    valid = sorted(set(valid))
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(map(for_terminal, close))}?"
    listed = ", ".join(map(for_terminal, valid[:shown])) + (
        f" (and {len(valid) - shown} more)" if len(valid) > shown else ""
    )
    return f"valid: {listed}"


class InvalidDecision(ConfigError):
    """A new decision or revocation is not valid; ``key`` names the part (``scope.field``)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


def _validated(model: type[Strict], data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise InvalidDecision(key, err["msg"].removeprefix("Value error, ")) from None


def _save(out: Path, reviews: ReviewsFile) -> None:
    path = reviews_path(out)
    data = reviews.model_dump(mode="json", exclude_none=True)
    text = _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # reviews.yaml stays as it was; free the space
            tmp.unlink(missing_ok=True)
        refused = resource_error(exc, path)
        raise refused or ConfigError(f"{path}: cannot write: {exc.strerror}") from None


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Serialise writers of reviews.yaml (two stewards adding at once lose nothing)."""
    try:
        fh = open(out / ".reviews.lock", "w")  # held for the update, closed below
    except OSError as exc:
        refused = resource_error(exc, reviews_path(out))
        raise refused or ConfigError(f"{reviews_path(out)}: cannot write: {exc.strerror}") from None
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise ConfigError("cannot tell who you are: give --by NAME") from None


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def stamp(when: datetime) -> str:
    """A decision time as ``2025-04-02T10:00:00Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def reviewed_findings(
    inventory: Any, scan_ids: list[str] | tuple[str, ...], reviews: ReviewsFile
) -> Any:
    """Findings of the given scans with ``verdict`` and ``review_id`` columns.

    Args:
        inventory: An opened :class:`scanner.inventory.data.Inventory`.
        scan_ids: Scans to read.
        reviews: The dataset's decisions.

    Returns:
        A DataFrame of :data:`scanner.inventory.data.FINDING_COLUMNS` plus ``scan_id``,
        ``categories``, ``verdict`` and ``review_id``.
    """
    from scanner.inventory.data import FINDING_COLUMNS, read_frame

    frame = read_frame(inventory, "findings", scan_ids, FINDING_COLUMNS)
    frame["verdict"], frame["review_id"] = apply_reviews(reviews.decisions, frame)
    return frame


def without_false_positives(frame: Any) -> Any:
    """The findings no active decision marks false positive."""
    return frame[frame["verdict"] != "false_positive"]
