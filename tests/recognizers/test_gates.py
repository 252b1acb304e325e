"""A recognizer's gate never rules out a text it finds something in.

The detector searches a batch of free texts for every gate at once and skips a recognizer
on the texts none of its gate's regexes match (``Detector._note_gates``). A gate that
misses a text hides a finding, so each gate, and each pattern's prefilter it is made of,
is checked here against its recognizer on texts built to hit the patterns' edges.
"""

import random
import unicodedata
from pathlib import Path

import pytest

from recognizers import build_recognizers
from recognizers.base import PatternRecognizer, only_pattern_matches
from scanner.config import load_configs
from scanner.detect import detector as detector_module
from scanner.detect import freetext
from scanner.entities import ENTITY_TYPES, NER_ENTITY_TYPES

ROOT = Path(__file__).resolve().parents[2]

#: Characters the patterns turn on: digits, hex letters, their separators, and the words
#: and symbols the prefilters look for.
_PIECES = list("0123456789abcdefABCDEF-:. ./\\@=_%'’の") + [
    "%40", "user", "users", "home", "login", "id=", "desktop-", "lt-", "-pc", "pass",
    "token", "bearer ", "://", "pop ", "windows ", "mozilla/5", "client", "os=", "S-1-5-21-",
    "ssn ", "mac ", "tel ", "マイナンバー", "\n", "  ",
]  # fmt: skip


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def _positives(rng: random.Random) -> list[str]:
    """Values each of the code recognizers finds, written in every way they accept."""
    out = []
    for _ in range(80):
        card = _luhn_complete(rng.choice(["4", "51", "37", "6011", "3530", "62"]) + "".join(
            rng.choice("0123456789") for _ in range(rng.choice([11, 12, 13, 14, 15]))
        ))  # fmt: skip
        sep = rng.choice(["", " ", "-"])
        grouped = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
        area = rng.randrange(1, 665)
        ssn = f"{area:03d}{rng.randrange(1, 99):02d}{rng.randrange(1, 9999):04d}"
        ssn_sep = rng.choice(["-", " ", ".", ""])
        mac = [f"{rng.randrange(256):02x}" for _ in range(6)]
        twelve = "".join(rng.choice("0123456789") for _ in range(12))
        out += [
            f"card {grouped} paid",
            f"ssn {ssn[:3]}{ssn_sep}{ssn[3:5]}{ssn_sep}{ssn[5:]}",
            f"{ssn[:3]}-{ssn[3:]}",
            f"{ssn[:5]}-{ssn[5:]} x",
            rng.choice([":", "-"]).join(mac),
            ".".join("".join(mac[i : i + 2]) for i in (0, 2, 4)),
            f"マイナンバー {twelve}",
            f"my number {twelve[:4]} {twelve[4:8]} {twelve[8:]}",
            f"mail x.{ssn}@example.com or y%40example.org",
            *_phones(rng),
        ]
    return out


def _phones(rng: random.Random) -> list[str]:
    """A phone number in each way the recognizer reads one (a fictional or random one)."""

    def d(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    return [
        f"call +81 3-{d(4)}-{d(4)} now",
        f"+1 202-555-01{d(2)}",
        f"+8190{d(8)}",
        f"(202) 555-01{d(2)}",
        f"tel (03) {d(4)}-{d(4)}",
        f"03({d(4)}){d(4)}",
        f"03-{d(4)}-{d(4)}",
        f"03 {d(4)} {d(4)}",
        f"91-415-555-{d(4)}",
        f"09-{d(7)}",
        f"01 42 {d(2)} {d(2)} {d(2)}",
        f"202.555.{d(4)}",
        f"phone: 1381{d(7)}",
        f"電話:090{d(8)}",
        f"連絡先 080{d(8)}",
    ]


def _corpus() -> list[str]:
    rng = random.Random(20261207)
    texts = [
        "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 40))) for _ in range(4000)
    ]
    texts += _positives(rng)
    for path in sorted((ROOT / "sample_data").rglob("*")):
        if path.suffix in (".log", ".jsonl", ".csv", ".json") and path.stat().st_size < 200_000:
            raw = path.read_bytes()
            for encoding in ("utf-8", "cp932"):
                try:
                    texts += raw.decode(encoding).splitlines()
                    break
                except UnicodeDecodeError:
                    continue
    return [unicodedata.normalize("NFKC", t) for t in texts]


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


@pytest.fixture(scope="module")
def built():
    return build_recognizers()


def test_every_prefilter_matches_where_its_pattern_does(built, corpus):
    checked = 0
    for recognizer in built:
        if not isinstance(recognizer, PatternRecognizer):
            continue
        for pattern, compiled, prefilter in recognizer._compiled(recognizer.global_regex_flags):
            if prefilter is None:
                continue
            hits = [t for t in corpus if compiled.search(t)]
            missed = [t for t in hits if not prefilter.search(t)]
            assert missed == [], (recognizer.name, pattern.name, missed[:3])
            checked += len(hits)
    assert checked > 1500  # the corpus reaches the patterns


def test_every_gate_matches_where_its_recognizer_finds_something(built, corpus):
    gated = {r.name: r for r in built if r.gate() is not None}
    assert {
        "CreditCardRecognizer", "UsSsnRecognizer", "JpMyNumberRecognizer",
        "MacAddressRecognizer", "EmailRecognizer", "UsernameRecognizer", "PhoneRecognizer",
    } <= set(gated)  # fmt: skip
    for name, recognizer in gated.items():
        gate = recognizer.gate()
        entities = list(recognizer.supported_entities)
        found = [t for t in corpus if recognizer.analyze(t, entities, None)]
        missed = [t for t in found if not any(rx.search(t) for rx in gate)]
        assert missed == [], (name, missed[:3])
        if name in (
            "CreditCardRecognizer", "UsSsnRecognizer", "MacAddressRecognizer", "PhoneRecognizer"
        ):  # fmt: skip
            assert len(found) > 40, name  # the positives reached it


def test_the_gates_rule_texts_out(built, corpus):
    """They are worth their search: most random texts hold no card, SSN or MAC."""
    for name in (
        "CreditCardRecognizer", "UsSsnRecognizer", "MacAddressRecognizer", "PhoneRecognizer"
    ):  # fmt: skip
        [recognizer] = [r for r in built if r.name == name]
        passed = sum(any(rx.search(t) for rx in recognizer.gate()) for t in corpus)
        assert passed < len(corpus) / 3, name


def test_an_analyze_that_may_add_findings_has_no_gate():
    class Adds(PatternRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            return super().analyze(text, entities, nlp_artifacts, regex_flags)

    class Rescores(PatternRecognizer):
        @only_pattern_matches
        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            return super().analyze(text, entities, nlp_artifacts, regex_flags)

    from recognizers.base import Pattern

    for cls, gated in ((PatternRecognizer, True), (Adds, False), (Rescores, True)):
        recognizer = cls("TICKET", patterns=[Pattern("t", r"T-\d+", 0.5)])
        recognizer.prefilters = {"t": "T-"}
        assert (recognizer.gate() is not None) is gated, cls
        recognizer = cls("TICKET", patterns=[Pattern("t", r"T-\d+", 0.5)])
        assert recognizer.gate() is None, cls  # a pattern without a prefilter always runs


def test_a_batch_searched_together_finds_what_each_text_alone_finds(corpus):
    """Detector._pattern_spans with its batch's gates noted (as in prefetch) against without.

    The entities besides names and places: the name recognizers have no gate.
    """
    detector = detector_module.Detector(load_configs(), nlp="none")
    texts = list(dict.fromkeys(corpus))
    entities = freetext._STRUCTURED
    assert set(entities) | set(NER_ENTITY_TYPES) == set(ENTITY_TYPES)
    alone = [detector._pattern_spans(t, entities) for t in texts]
    for start in range(0, len(texts), 2048):
        batch = texts[start : start + 2048]
        detector._note_gates(batch)
        try:
            together = [detector._pattern_spans(t, entities) for t in batch]
        finally:
            detector._absent = {}
        assert together == alone[start : start + 2048]
    assert sum(map(bool, alone)) > 1000


def _registry_gates(built) -> list:
    """Every regex a gate searches: the entities' prefilters and the recognizers' gates."""
    from scanner.detect.gates import PREFILTERS

    out = list(PREFILTERS.values())
    for recognizer in built:
        out += recognizer.gate() or []
    return list({(type(rx).__module__, rx.pattern, rx.flags): rx for rx in out}.values())


def _re2_hits(pattern: str, texts: list[str]) -> list[bool]:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.match_substring_regex(pa.array(texts, pa.string()), pattern).to_pylist()


def test_re2_answers_as_python_for_every_gate_on_ascii_texts(built, corpus):
    """A gate regex run by RE2 matches the same ASCII texts as the regex itself."""
    from scanner.detect.re2 import re2_pattern

    texts = [t for t in dict.fromkeys(corpus) if t.isascii()]
    gates = _registry_gates(built)
    translated = [(rx, p) for rx in gates if (p := re2_pattern(rx)) is not None]
    # ASCII patterns without anchors translate: all of them but a handful
    assert len(translated) >= len(gates) - 4, [rx.pattern for rx in gates if not re2_pattern(rx)]
    reached = 0
    for rx, pattern in translated:
        python = [rx.search(t) is not None for t in texts]
        assert _re2_hits(pattern, texts) == python, rx.pattern
        reached += any(python)
    assert reached > len(translated) * 0.8  # the corpus reaches them


def test_re2_answers_as_python_for_random_regexes():
    """Regexes made of the pieces the translation handles, against random ASCII texts."""
    import re

    import regex

    from scanner.detect.re2 import re2_pattern

    rng = random.Random(7)
    atoms = [
        r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"\b", r"\B", ".", "a", "B", "-", r"\.",
        r"\x20", r"\t", "[a-c]", r"[^\d]", r"[\s,]", r"[\w-]", "[-x]", "[0-9A-F]", r"\\",
        "@", "_", ":", "é?",
    ]  # fmt: skip
    alphabet = "aAbBcCxX09 _-.,:@\t\n\x0b\x1c\x1f\\/=é"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(600)]
    texts = [t for t in texts if t.isascii()]
    checked = 0
    for _ in range(400):
        parts = []
        for _ in range(rng.randrange(1, 4)):
            atom = rng.choice(atoms)
            parts.append(atom + rng.choice(["", "", "*", "+", "?", "{2}", "{1,3}", "*?"]))
        body = "".join(parts)
        if rng.random() < 0.3:
            body = f"(?:{body})|{rng.choice(atoms)}"
        engine = rng.choice([re, regex])
        flags = rng.choice([0, engine.IGNORECASE, engine.DOTALL | engine.MULTILINE])
        try:
            rx = engine.compile(body, flags)
        except Exception:
            continue
        pattern = re2_pattern(rx)
        if pattern is None:
            assert "é" in body or "-" in body or r"\B" in body, body  # only what it must
            continue
        python = [rx.search(t) is not None for t in texts]
        assert _re2_hits(pattern, texts) == python, (engine.__name__, body, flags)
        checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    "pattern",
    [
        r"^a", r"a$", r"(?=a)b", r"(?<!a)b", r"\Aa", r"a\Z", r"(a)\1", r"a{,3}", r"[[:alpha:]]",
        r"[]a]", r"\p{L}", r"a*+", r"(?>a)", r"a{2}+", r"[a-\d]", r"[\d-z]", "é", r"[a&&b]",
        r"(?i)a", r"\u0041", r"\B", r"a{1001}",
    ],
)  # fmt: skip
def test_re2_refuses_what_it_may_read_otherwise(pattern):
    import regex

    from scanner.detect.re2 import re2_pattern

    assert re2_pattern(regex.compile(pattern)) is None


def test_re2_classes_are_the_engine_own():
    """``re``'s \\s holds the separators \\x1c-\\x1f, the ``regex`` module's does not."""
    import re

    import regex

    from scanner.detect.re2 import re2_pattern

    texts = ["a\x1cb", "a\x0bb", "ab"]
    assert _re2_hits(re2_pattern(re.compile(r"a\sb")), texts) == [True, True, False]
    assert _re2_hits(re2_pattern(regex.compile(r"a\sb")), texts) == [False, True, False]
    assert _re2_hits(re2_pattern(regex.compile(r"a\Sb")), texts) == [True, False, False]
    assert re2_pattern(re.compile("(?P<x>ab)", re.IGNORECASE)) == "(?i:(?:ab))"


def test_texts_searched_together_match_as_each_alone():
    """Joined: ASCII texts by RE2, the others and the untranslated regexes by Python."""
    import re

    from scanner.detect.gates import Joined

    texts = ["user=x", "ユーザー user=y", "nothing", "end 12", "12 start", "", "ＵＳＥＲ=z"]
    texts += ["user=\udcff", "\ud800 thing"]  # lone surrogates: not UTF-8, not for Arrow
    gates = [
        [re.compile(r"user\s*=", re.IGNORECASE)],
        [re.compile(r"\d$")],  # an anchor: Python
        [re.compile(r"^\d"), re.compile("thing")],  # one of each
    ]
    for gate in gates:
        alone = [any(rx.search(unicodedata.normalize("NFKC", t)) for rx in gate) for t in texts]
        assert Joined(texts).may_match(gate) == alone, gate


def test_the_case_extras_are_every_character_python_folds_to_an_ascii_letter():
    import re

    import regex

    from scanner.detect.re2 import CASE_EXTRAS

    beyond = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000]
    for engine in (re, regex):
        letters = engine.compile("[a-z]", engine.IGNORECASE)
        for ch in filter(letters.fullmatch, beyond):
            [letter] = [x for x in "abcdefghijklmnopqrstuvwxyz" if engine.fullmatch(x, ch, engine.I)]
            assert ch in CASE_EXTRAS.get(letter, ""), (engine.__name__, hex(ord(ch)))


#: Characters beyond ASCII that Python's classes and case folding treat specially.
_WIDE = "٣߂০\u3000\u2028\u00a0\u0085ıİſKéßのユーザー太郎’\u200b\u2160"


def test_re2_supersets_match_every_text_beyond_ascii_python_matches(built, corpus):
    from scanner.detect.re2 import re2_superset

    rng = random.Random(11)
    texts = [t for t in dict.fromkeys(corpus) if not t.isascii()]
    pieces = _PIECES + list(_WIDE)
    texts += [
        unicodedata.normalize("NFKC", "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30))))
        for _ in range(3000)
    ]
    texts = [t for t in texts if not t.isascii()]
    gates = _registry_gates(built)
    wide = [(rx, p) for rx in gates if (p := re2_superset(rx)) is not None]
    assert len(wide) >= len(gates) - 4
    reached = 0
    for rx, pattern in wide:
        python = [rx.search(t) is not None for t in texts]
        missed = [
            t
            for t, p, r in zip(texts, python, _re2_hits(pattern, texts), strict=True)
            if p and not r
        ]
        assert missed == [], (rx.pattern, missed[:3])
        reached += any(python)
    assert reached > len(wide) * 0.7


def test_re2_supersets_of_random_regexes_hold_on_random_unicode_texts():
    import re

    import regex

    from scanner.detect.re2 import re2_superset

    rng = random.Random(12)
    atoms = [
        r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"\b", ".", "i", "K", "s", "x", r"\.",
        "[a-k]", r"[^\d]", r"[\s,]", r"[^\w]", "[^is]", r"[\D]", r"[^\S]", r"\x20", r"\x69",
        "[ .-]", "[-x]", "[k-]", r"[\--.]",
    ]  # fmt: skip
    alphabet = "aiIkKsSx09 _-.,\t\n" + _WIDE
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 10))) for _ in range(800)]
    texts = [t for t in texts if not t.isascii()]
    checked = 0
    for _ in range(500):
        body = "".join(
            rng.choice(atoms) + rng.choice(["", "", "*", "+", "?", "{2}"])
            for _ in range(rng.randrange(1, 4))
        )
        engine = rng.choice([re, regex])
        try:
            rx = engine.compile(body, rng.choice([0, engine.IGNORECASE]))
        except Exception:  # \b+ and the like
            continue
        pattern = re2_superset(rx)
        if pattern is None:
            continue
        hits = _re2_hits(pattern, texts)
        missed = [t for t, hit in zip(texts, hits, strict=True) if rx.search(t) and not hit]
        assert missed == [], (engine.__name__, body, rx.flags, missed[:3])
        checked += 1
    assert checked > 300
