"""Prefilters and gates: which texts a recognizer cannot find anything in, found cheaply.

Each entity's prefilter (``EntitySpec.prefilter``) and each recognizer's ``gate()``
(``recognizers.base``) is a necessary condition of its matches. :func:`possible_entities`
checks the prefilters of one text; :class:`Joined` searches many texts at once, one
search of the joined string per regex instead of one per text; :func:`gate_of` is what a
field rule's values need for its recognizers to find anything (the detector's fast loops
over a column); :class:`BatchGates` notes, for a batch of free texts, the entities and
recognizers each one rules out.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner.detect import values
from scanner.detect.re2 import re2_pattern, re2_superset
from scanner.entities import ENTITIES

# Necessary conditions of each entity's matches (EntitySpec.prefilter), checked before its
# recognizers run: most field values and log lines hold no e-mail, IP, card or phone number
# at all, and a compiled search is far cheaper than presidio's recognizer machinery.
PREFILTERS = {n: spec.prefilter for n, spec in ENTITIES.items() if spec.prefilter is not None}

#: What makes a regex's matches depend on what lies around the text: anchors, lookarounds.
CONTEXTUAL = re.compile(r"\\[AZz]|\(\?<?[=!]|(?<!\\)[\^$]")


def possible_entities(text: str, entities: tuple[str, ...]) -> tuple[str, ...]:
    """The entities of ``entities`` that could occur in ``text`` at all."""
    return tuple(
        e for e in entities if (rx := PREFILTERS.get(e)) is None or rx.search(text) is not None
    )


def gate_of(by_entity: Mapping[str, Sequence[Any]], entities: Iterable[str]) -> list | None:
    """Regexes one of which a text needs for a recognizer of ``entities`` to find anything.

    Each entity's prefilter, or else the gates of all its recognizers; None when one of
    them has no gate (it always runs).
    """
    gate: list = []
    for entity in entities:
        prefilter = PREFILTERS.get(entity)
        if prefilter is not None:
            gate.append(prefilter)
            continue
        for recognizer in by_entity.get(entity, ()):
            own = recognizer.gate()
            if own is None:
                return None
            gate.extend(own)
    return gate


def may_match(gate: list, texts: list[str]) -> list[bool]:
    """Whether each text may hold a match of a regex of ``gate`` (True: search it)."""
    return Joined(texts).may_match(gate)


class Joined:
    """Texts searched together, to tell which of them a regex may match.

    The recognizers read a text's NFKC form, so the forms are searched (``normalised``:
    the texts are NFKC forms already). A regex that RE2 reads as Python does on ASCII
    (:func:`scanner.detect.re2.re2_pattern`) searches the ASCII forms as one Arrow array,
    all of a gate's such regexes in one pass. The other forms are searched by Python, only
    those a superset of the regexes matches (:func:`scanner.detect.re2.re2_superset`).
    The regexes RE2 cannot read search the forms joined by newlines (:class:`_Newlines`).
    """

    def __init__(self, texts: list[str], normalised: bool = False):
        self.forms = (
            texts if normalised else [t if t.isascii() else values.nfkc_map(t)[0] for t in texts]
        )
        self._all: _Newlines | None = None
        self._ascii: list[int] | None = None  # positions of the ASCII forms, None: all
        self._array: Any = None
        self._others: _Newlines | None = None  # the forms that are not ASCII
        self._others_at: list[int] = []  # and their positions
        self._others_forms: list[str] = []
        self._others_array: Any = None

    def may_match(self, gate: list) -> list[bool]:
        """Per text, whether a regex of ``gate`` may match it."""
        forms = self.forms
        if not forms:
            return []
        fast: list[str] = []
        fast_rx: list = []
        slow: list = []
        for rx in gate:
            if (pattern := re2_pattern(rx)) is None:
                slow.append(rx)
            else:
                fast.append(pattern)
                fast_rx.append(rx)
        out = self._fast(fast, fast_rx) if fast else [False] * len(forms)
        if slow:
            if self._all is None:
                self._all = _Newlines(forms)
            for k, hit in enumerate(self._all.may_match(slow)):
                if hit:
                    out[k] = True
        return out

    def _fast(self, patterns: list[str], regexes: list) -> list[bool]:
        """Per form, whether one of ``patterns`` (RE2 forms of ``regexes``) matches it."""
        import pyarrow.compute as pc

        if self._array is None:
            self._split()
        hits = pc.match_substring_regex(self._array, "|".join(patterns)).to_pylist()
        if self._ascii is None:
            return hits
        out = [False] * len(self.forms)
        for k, hit in zip(self._ascii, hits, strict=True):
            out[k] = hit
        if self._others_at:
            for k, hit in zip(self._others_at, self._beyond_ascii(regexes), strict=True):
                out[k] = out[k] or hit
        return out

    def _beyond_ascii(self, regexes: list) -> list[bool]:
        """Per form that is not ASCII, whether one of ``regexes`` matches it.

        RE2 first rules out the forms a superset of each regex does not match
        (:func:`~scanner.detect.re2.re2_superset`); Python searches the rest.
        """
        import pyarrow.compute as pc

        forms = self._others_forms
        wide = [p for rx in regexes if (p := re2_superset(rx)) is not None]
        if len(wide) < len(regexes) or self._others_array is None:
            if self._others is None:
                self._others = _Newlines(forms)
            return self._others.may_match(regexes)
        maybe = pc.match_substring_regex(self._others_array, "|".join(wide)).to_pylist()
        return [
            m and any(rx.search(form) is not None for rx in regexes)
            for form, m in zip(forms, maybe, strict=True)
        ]

    def _split(self) -> None:
        import pyarrow as pa

        forms = self.forms
        ascii_at = [k for k, f in enumerate(forms) if f.isascii()]
        if len(ascii_at) == len(forms):
            self._array = pa.array(forms, pa.string())
            return
        self._ascii = ascii_at
        self._array = pa.array([forms[k] for k in ascii_at], pa.string())
        self._others_at = [k for k, f in enumerate(forms) if not f.isascii()]
        self._others_forms = [forms[k] for k in self._others_at]
        try:
            self._others_array = pa.array(self._others_forms, pa.string())
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, so Python searches them
            self._others_array = None


class _Newlines:
    """Texts joined by newlines, each regex searching the joined string once.

    Each regex searches from the start of the text after the one its last match began in.
    A match within one text is a match of the joined string at the same place when the
    regex looks at nothing around it (no anchors, no lookarounds; a word boundary sees the
    newline as it sees a text's end): no text that holds one is missed; a match across a
    newline only sends a text to the full search. Other regexes search each text alone.
    """

    def __init__(self, forms: list[str]):
        self.forms = forms
        self.joined = "\n".join(forms)
        self.starts = list(itertools.accumulate((len(f) + 1 for f in forms[:-1]), initial=0))

    def may_match(self, gate: list) -> list[bool]:
        """Per text, whether a regex of ``gate`` may match it."""
        forms, joined, starts = self.forms, self.joined, self.starts
        out = [False] * len(forms)
        if not forms:
            return out
        last = len(starts) - 1
        for rx in gate:
            if CONTEXTUAL.search(rx.pattern):
                for i, form in enumerate(forms):
                    out[i] = out[i] or rx.search(form) is not None
                continue
            at = 0
            while (m := rx.search(joined, at)) is not None:
                k = bisect.bisect_right(starts, m.start()) - 1
                out[k] = True
                if k == last:
                    break
                at = starts[k + 1]
        return out


class BatchGates:
    """Every entity's prefilter and every recognizer's gate, searched over a batch at once.

    :meth:`absent` gives, per NFKC form of the batch's texts, the entities whose prefilter
    and the ids of the recognizers whose gate it does not match. A gate only ever rules
    out a text its regexes do not match, so skipping them changes no finding.
    """

    def __init__(self, by_entity: Mapping[str, Sequence[Any]]):
        self.gates: list[tuple[str | int, list]] = [(e, [rx]) for e, rx in PREFILTERS.items()]
        seen: set[int] = set()
        for recognizer in (r for rs in by_entity.values() for r in rs):
            if id(recognizer) not in seen and (gate := recognizer.gate()) is not None:
                self.gates.append((id(recognizer), gate))
            seen.add(id(recognizer))

    def absent(self, texts: list[str]) -> dict[str, set]:
        """NFKC form -> the entities and recognizer ids the gates rule out in it."""
        forms = list(dict.fromkeys(values.nfkc_map(text)[0] for text in texts))
        out: dict[str, set] = {form: set() for form in forms}
        joined = Joined(forms, normalised=True)
        for key, gate in self.gates:
            for form, may in zip(forms, joined.may_match(gate), strict=True):
                if not may:
                    out[form].add(key)
        return out
