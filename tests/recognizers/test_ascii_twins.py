"""The ``re`` twins of the recognizers' patterns find what ``regex`` finds on plain ASCII.

:func:`recognizers.base.ascii_twin` compiles a pattern with ``re`` where ``re`` reads it as
``regex`` does; the recognizers search plain ASCII texts with the twin. Every built-in
pattern's twin is held here to its ``regex`` original, match for match, over the sample
data's lines, presidio's own test texts and random edits of both.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import regex

from recognizers import base
from recognizers.base import REGEX_FLAGS, ascii_twin, plain_ascii
from recognizers.domain import _CANDIDATE_TWIN, CANDIDATE

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    """Plain ASCII texts: sample lines, presidio's test texts, and random edits of them."""
    found: list[str] = []
    for path in sorted((ROOT / "sample_data").rglob("*")):
        if path.is_file() and path.suffix in {".json", ".jsonl", ".log", ".csv", ".txt", ".cef"}:
            found += path.read_bytes().decode("utf-8", "replace").splitlines()
    for name in ("presidio_cases.jsonl", "japanese_cases.jsonl"):
        for line in (ROOT / "tests" / "parity" / name).read_text(encoding="utf-8").splitlines():
            found.append(json.loads(line)["text"])
    pieces = [
        "@", ".", "-", "_", "%40", "%2E", ":", "/", "\\", " ", "\n", "=", "'", '"', "(", ")",
        "com", "co.uk", "example", "www.", "http://", "0", "1", "9", "a", "Z", "x", "ff", ":00",
        "192.168.", "10.0.0.1", "::1", "fe80::", "00:1a:2b", "-12-", "Mac", "DESKTOP-", "LT-",
        "user=", "password:", "token ", "Bearer ", "S-1-5-21-", "C:\\Users\\", "/home/",
    ]  # fmt: skip
    rng = random.Random(7)
    seeds = [t for t in found if t.isascii()]
    for _ in range(4000):
        text = rng.choice(seeds) if seeds and rng.random() < 0.7 else ""
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(0, len(text) + 1)
            cut = rng.randrange(0, 4)
            text = text[:at] + rng.choice(pieces) + text[at + cut :]
        found.append(text[:400])
    return [t for t in dict.fromkeys(found) if plain_ascii(t)]


TEXTS = _texts()


def _spans(pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _patterns(by_name) -> list[tuple[str, object, object]]:
    """(name, regex pattern, its twin) of every built-in pattern with a twin."""
    out = [("DomainRecognizer candidate", CANDIDATE, _CANDIDATE_TWIN)]
    for recognizer in by_name.values():
        if not isinstance(recognizer, base.PatternRecognizer):
            continue
        flags = recognizer.global_regex_flags
        twins = recognizer._twinned(flags)
        for (pattern, compiled, _prefilter), twin in zip(
            recognizer._compiled(flags), twins, strict=True
        ):
            if twin is not None:
                out.append((f"{recognizer.name} {pattern.name}", compiled, twin))
    return out


def test_the_corpus_is_large_and_holds_what_the_patterns_find():
    assert len(TEXTS) > 4000
    assert any("@" in t for t in TEXTS) and any("://" in t for t in TEXTS)


def test_every_twin_finds_what_its_regex_finds(by_name):
    patterns = _patterns(by_name)
    assert len(patterns) > 20  # most built-in patterns have a twin
    matched = 0
    for name, original, twin in patterns:
        for text in TEXTS:
            want = _spans(original, text)
            assert _spans(twin, text) == want, (name, text)
            matched += bool(want)
    assert matched > 600  # the corpus exercises the patterns, not only their misses


def test_a_recognizer_finds_the_same_with_and_without_its_twins(by_name, monkeypatch):
    def run() -> list:
        return [
            (name, text, [(r.entity_type, r.start, r.end, r.score) for r in found])
            for name, recognizer in sorted(by_name.items())
            for text in TEXTS
            if (found := recognizer.analyze(text, recognizer.supported_entities, None))
        ]

    fast = run()
    monkeypatch.setattr(base, "plain_ascii", lambda text: False)
    for module in ("recognizers.domain", "recognizers.email"):
        monkeypatch.setattr(f"{module}.plain_ascii", lambda text: False)
    assert run() == fast
    assert len(fast) > 1000


def test_whole_addresses_are_decided_alike_by_the_twin(by_name, monkeypatch):
    email = by_name["EmailRecognizer"]
    texts = [t.strip() for t in TEXTS if t.count("@") == 1][:3000]
    fast = [email.whole_address(t) for t in texts]
    monkeypatch.setattr("recognizers.email.plain_ascii", lambda text: False)
    assert [email.whole_address(t) for t in texts] == fast
    assert any(fast)


@pytest.mark.parametrize(
    "pattern, flags",
    [
        (r"\p{L}+", REGEX_FLAGS),  # a class of regex's own
        (r"(?<=user\s*=\s*)\w+", REGEX_FLAGS),  # a look-behind of no fixed width
        (r"(?:cato){e<=1}", REGEX_FLAGS),  # a fuzzy match
        (r"[[:alpha:]]+", REGEX_FLAGS),  # a POSIX class: re reads a nested set, and warns
        (r"\w+", REGEX_FLAGS | regex.FULLCASE),  # flags re does not have
        (r"\w+", regex.ASCII),
        (r"\w+", regex.VERSION1),
    ],
)
def test_what_re_reads_otherwise_keeps_regex(pattern, flags):
    assert ascii_twin(pattern, flags) is None


def test_a_plain_pattern_has_a_twin_with_the_same_flags():
    twin = ascii_twin(r"a.b", REGEX_FLAGS)
    assert twin is not None and twin.search("A\nB")


def test_only_plain_ascii_texts_are_searched_by_twins():
    assert plain_ascii("user jdoe@example.com from 10.1.2.3")
    assert not plain_ascii("user\x1cjdoe")  # re's \s matches the separators, regex's does not
    assert regex.search(r"\s", "\x1c") is None and ascii_twin(r"\s", REGEX_FLAGS).search("\x1c")
    assert not plain_ascii("ユーザー jdoe")
