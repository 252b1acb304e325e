"""US Social Security Numbers, validated with ``stdnum.us.ssn``."""

from __future__ import annotations

from stdnum.us import ssn

from recognizers._common import DataPatternRecognizer

#: Numbers ``stdnum`` refuses only because they were printed in public (specimens).
_PUBLISHED = frozenset({"078051120", "219099999", "457555462"})


class UsSsnRecognizer(DataPatternRecognizer):
    """Find SSNs in the shapes presidio knows, each scored for how likely it is an SSN.

    ``123-45-6789`` scores 0.85; the same groups spaced or dotted 0.4; nine digits in a row,
    and the groupings ``123-456789`` and ``12345-6789``, 0.05: below the default
    ``min_score`` unless an ``SSN``/``social security`` context word nearby raises the score
    to 0.95 (a log holds many 9-digit numbers). Structure is checked as ``stdnum.us.ssn``
    does (area 000, 666 and 900-999, group 00 and serial 0000 are never issued). Numbers
    printed in public (078-05-1120, 219-09-9999) are still found when written as an SSN is,
    with separators: a DLP alert about one in a log is about an SSN-shaped value; nine bare
    digits that happen to be one are not.
    """

    ENTITY = "US_SSN"
    PATTERNS = (
        (
            "ssn dashed",
            r"""(?x)
            (?<! [0-9-] )                  # not the tail of a dashed run (dates, phones)
            [0-9]{3} - [0-9]{2} - [0-9]{4}
            (?! [0-9] | -[0-9] )           # nor its head
            """,
            0.85,
        ),
        (
            "ssn spaced or dotted",
            r"""(?x)
            (?<! [0-9] ) (?<! [0-9][\x20.] )
            [0-9]{3} (?P<sep>[\x20.]) [0-9]{2} (?P=sep) [0-9]{4}
            (?! [\x20.]? [0-9] )
            """,
            0.4,
        ),
        (
            "ssn digits",
            r"(?<![0-9.-])(?:[0-9]{9}|[0-9]{3}-[0-9]{6}|[0-9]{5}-[0-9]{4})(?![0-9]|[.-][0-9])",
            0.05,
        ),
    )
    PREFILTERS = {  # each pattern without its lookarounds
        "ssn dashed": r"[0-9]{3}-[0-9]{2}-[0-9]{4}",
        "ssn spaced or dotted": r"[0-9]{3}[\x20.][0-9]{2}[\x20.][0-9]{4}",
        "ssn digits": r"[0-9]{9}|[0-9]{3}-[0-9]{6}|[0-9]{5}-[0-9]{4}",
    }
    CONTEXT = ("ssn", "ssns", "social security", "social sec")
    CONTEXT_SCORE = 0.95

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop numbers that cannot be issued; keep published specimens written as SSNs.

        Args:
            pattern_text: The matched number.

        Returns:
            True when the number is not a possible SSN.
        """
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        if len(set(digits)) == 1:
            return True
        if digits in _PUBLISHED:
            return not (len(pattern_text) == 11 and pattern_text[3] == pattern_text[6])
        return not ssn.is_valid(digits)
