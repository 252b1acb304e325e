r"""Gate regexes run by RE2 (through ``pyarrow.compute``) over many ASCII texts at once.

Python's ``re`` and ``regex`` search a text at 10-30 ns a character; RE2, a linear-time
engine, over an Arrow array of texts at about 2 ns. The gates (:mod:`scanner.detect.gates`)
only ask whether a regex matches a text anywhere, which is a question both engines answer
alike when the regex means the same thing to both. :func:`re2_pattern` writes a Python
regex as the RE2 pattern that matches exactly the same **ASCII** texts, or returns None
when it cannot promise that; such regexes, and texts that are not ASCII, stay with
Python.

What it takes care of, on ASCII texts:

- ``\d``, ``\w``, ``\s`` and their negations become explicit classes of the characters
  the regex's own engine matches (``re``'s ``\s`` holds ``\x1c``-``\x1f``, the
  ``regex`` module's does not; RE2's holds neither ``\v`` nor those);
- a regex's ``IGNORECASE`` and ``DOTALL`` flags become RE2's scoped ``(?i:...)``
  and ``(?s:...)``;
- what RE2 reads otherwise, or Python only understands, is refused: anchors and
  lookarounds (``$`` differs before a final newline), ``\B`` (Python's never matches an
  empty text), back-references, escapes of letters and digits other than the classes
  above and ``\b \n \r \t \f \xHH``, POSIX classes, ``{,n}``, set operations,
  possessive and atomic forms, a class escape beside a ``-`` in a set, other flags, and
  any pattern that is not ASCII. What is left and RE2 does not compile (a repeat over
  1000, say) is refused too.

``tests/recognizers/test_gates.py`` holds every gate of the registry to the same answers
as Python's on texts built to hit their edges, and the translation to Python's answers on
random regexes and texts.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: Flags a regex may carry (besides its engine's defaults): case and dot-all are written
#: into the pattern; multi-line changes only anchors, which are refused.
_IGNORECASE, _DOTALL = 2, 16
_ALLOWED_FLAGS = {"re": 2 | 8 | 16 | 32, "_regex": 2 | 8 | 16 | 32 | 8192}  # I M S U (V0)

#: Characters after a backslash that mean a class or a control character in both engines;
#: ``x`` is handled on its own (``\\xHH``), ``b`` outside classes only.
_CLASSES = "dDwWsS"
_CONTROLS = {"n": r"\n", "r": r"\r", "t": r"\t", "f": r"\f"}


@cache
def _ascii_class(module: str, escape: str) -> str:
    r"""The ASCII characters ``\<escape>`` matches in ``module``'s engine, as class items."""
    import regex

    engine: Any = re if module == "re" else regex
    compiled = engine.compile("\\" + escape)
    return "".join(f"\\x{c:02x}" for c in range(128) if compiled.fullmatch(chr(c)))


#: Past ASCII, what a class may hold: any character (a superset of Python's \d \w \s).
_BEYOND_ASCII = r"\x{80}-\x{10ffff}"

#: The characters beyond ASCII that ``re`` or ``regex`` match to an ASCII letter when
#: ignoring case (``tests/recognizers/test_gates.py`` checks every code point).
CASE_EXTRAS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def re2_pattern(rx: Any) -> str | None:
    """The RE2 pattern that matches the same ASCII texts as ``rx`` (re or regex), or None."""
    return _translate(rx.pattern, type(rx).__module__, int(rx.flags), False)


def re2_superset(rx: Any) -> str | None:
    r"""An RE2 pattern that matches every text ``rx`` matches, and perhaps more; or None.

    For texts that are not ASCII: a class escape may match any character beyond ASCII,
    ``\b`` is left out, and a letter ignoring case also matches the characters of
    :data:`CASE_EXTRAS`. Only the texts it matches need Python's search.
    """
    return _translate(rx.pattern, type(rx).__module__, int(rx.flags), True)


@cache
def _translate(pattern: str | bytes, module: str, flags: int, superset: bool) -> str | None:
    allowed = _ALLOWED_FLAGS.get(module)
    if allowed is None or not isinstance(pattern, str) or not pattern.isascii():
        return None
    if flags & ~allowed:
        return None
    folds = CASE_EXTRAS if superset and flags & _IGNORECASE else None
    body = _body(pattern, module, superset, folds)
    if body is None:
        return None
    inline = ("i" if flags & _IGNORECASE else "") + ("s" if flags & _DOTALL else "")
    out = f"(?{inline}:{body})" if inline else f"(?:{body})"
    return out if _compiles(out) else None


def _compiles(pattern: str) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern)
    except pa.ArrowException:  # ArrowInvalid: a pattern RE2 does not read
        return False
    return True


def _body(pattern: str, module: str, superset: bool, folds: dict[str, str] | None) -> str | None:
    """``pattern`` with its classes made explicit, or None for what RE2 may read otherwise.

    ``superset``: the classes grow to hold every character beyond ASCII, where Python's
    might match one (never shrinking a set Python's negation would match); ``folds``: the
    letters' extra case forms (outside sets; inside a set, all of them).
    """
    out: list[str] = []
    i, n, in_class, class_start, negated = 0, len(pattern), False, 0, False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                return None
            nxt = pattern[i + 1]
            if nxt in _CLASSES:
                if in_class and (pattern[i - 1] == "-" or pattern.startswith("-", i + 2)):
                    return None  # a class beside a "-": a range to RE2, not to Python
                items = _ascii_class(module, nxt)
                if superset and nxt.isupper():  # \D \W \S: RE2's own hold all beyond ASCII
                    if in_class and negated:
                        return None  # [^\D]: RE2's would miss digits beyond ASCII
                    items = "\\" + nxt
                elif superset and not (in_class and negated):
                    items += _BEYOND_ASCII
                out.append(items if in_class else f"[{items}]")
                i += 2
                continue
            if nxt in _CONTROLS:
                out.append(_CONTROLS[nxt])
                i += 2
                continue
            if nxt == "x":
                digits = pattern[i + 2 : i + 4]
                if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    return None
                if folds and chr(int(digits, 16)).lower() in folds:
                    return None  # a letter written as \xHH: its case forms are not added
                out.append(pattern[i : i + 4])
                i += 4
                continue
            if nxt == "b" and not in_class:  # \B: Python's never matches an empty text
                # beyond ASCII, words differ: no boundary is asked for (an empty group keeps
                # a quantifier that follows off the atom before)
                out.append("(?:)" if superset else pattern[i : i + 2])
                i += 2
                continue
            if nxt.isalnum() or nxt == "_":
                return None  # back-references, \A \Z \p \N \g \u and the like
            out.append(pattern[i : i + 2])  # an escaped punctuation mark or space: literal
            i += 2
            continue
        if in_class:
            if ch == "]" and i > class_start:
                in_class = False
                if folds and not negated:
                    # before a last "-", which would make a range of them
                    at = len(out) - 1 if out[-1] == "-" else len(out)
                    out.insert(at, "".join(folds.values()))
            elif ch == "[" or pattern.startswith(("--", "&&", "~~", "||"), i):
                return None  # nested sets, POSIX classes, set operations
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            i += 1
            negated = i < n and pattern[i] == "^"
            if negated:
                i += 1
                out.append("[^")
            else:
                out.append("[")
            if i < n and pattern[i] == "]":
                return None  # a leading "]": read differently by the engines
            class_start = i
            continue
        if ch in "^$":
            return None  # anchors: "$" matches before a final newline in Python
        if ch == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
                continue
            if pattern.startswith("(?P<", i):
                close = pattern.find(">", i)
                if close < 0:
                    return None
                out.append("(?:")  # names mean nothing to a yes/no search
                i = close + 1
                continue
            if pattern.startswith("(?", i):
                return None  # lookarounds, atomic groups, inline flags, comments
            out.append(ch)
            i += 1
            continue
        if ch == "{":
            close = pattern.find("}", i)
            if close < 0 or not re.fullmatch(r"\d+(?:,\d*)?", pattern[i + 1 : close]):
                return None  # "{,n}" and literal braces: read differently by the engines
            if pattern.startswith("+", close + 1):
                return None  # possessive
            out.append(pattern[i : close + 1])
            i = close + 1
            continue
        if ch in "*+?" and i + 1 < n and pattern[i + 1] == "+":
            return None  # possessive
        extra = folds.get(ch.lower()) if folds else None
        out.append(f"[{ch}{extra}]" if extra else ch)
        i += 1
    return None if in_class else "".join(out)
