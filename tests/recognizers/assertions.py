"""Shared assertion for recognizer tests: the exact set of spans, nothing more or less."""

from __future__ import annotations

from collections.abc import Sequence

from recognizers.base import RecognizerResult

#: An expected span: ``(entity, substring)``, ``(entity, start, end)`` or ``(start, end)``.
Expected = tuple


def _resolve(text: str, item: Expected) -> tuple[str | None, int, int]:
    if len(item) == 2 and isinstance(item[1], str):
        entity, substring = item
        start = text.find(substring)
        if start < 0 or text.find(substring, start + 1) >= 0:
            raise ValueError(f"{substring!r} must occur exactly once in {text!r}")
        return entity, start, start + len(substring)
    if len(item) == 2:
        return None, item[0], item[1]
    entity, start, end = item
    return entity, start, end


def assert_spans(
    results: Sequence[RecognizerResult], text: str, expected: Sequence[Expected]
) -> None:
    """Assert that ``results`` are exactly the ``expected`` spans of ``text``.

    Every result must be expected and every expected span found; a ``(start, end)``
    item matches any entity type. The failure message shows the covered substrings.
    """
    want = sorted(_resolve(text, item) for item in expected)
    exact = {(e, s, t) for e, s, t in want if e is not None}
    loose = {(s, t) for e, s, t in want if e is None}
    got = sorted((r.entity_type, r.start, r.end) for r in results)

    def show(spans):
        return [(e, text[s:t]) for e, s, t in spans]

    unexpected = [g for g in got if g not in exact and g[1:] not in loose]
    found_loose = {g[1:] for g in got}
    missing = [w for w in want if (w not in got if w[0] else w[1:] not in found_loose)]
    assert not unexpected and not missing and len(got) == len(want), (
        f"in {text!r}: unexpected {show(unexpected)}, missing {show(missing)}, got {show(got)}"
    )
