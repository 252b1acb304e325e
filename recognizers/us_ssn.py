"""US Social Security Numbers, validated with ``stdnum.us.ssn``."""

from __future__ import annotations

from stdnum.us import ssn

from recognizers._common import DataPatternRecognizer

#: Numbers ``stdnum`` refuses only because they were printed in public (specimens).
_PUBLISHED = frozenset({"078051120", "219099999", "457555462"})


class UsSsnRecognizer(DataPatternRecognizer):
    """Find SSNs written ``123-45-6789`` (or, weakly, ``123 45 6789``).

    Structure is checked as ``stdnum.us.ssn`` does (area 000, 666 and 900-999, group 00
    and serial 0000 are never issued), but numbers known to be published (078-05-1120,
    219-09-9999) are still found: a scanner must report an SSN-shaped value in a log even
    when it is a specimen, whereas stdnum's blacklist serves fraud checks. There is no
    check digit, so a dashed hit scores 0.85 and a spaced one 0.4; an ``SSN``/``social
    security`` context word nearby raises either to 0.95.
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
            "ssn spaced",
            r"""(?x)
            (?<! [0-9] ) (?<! [0-9]\x20 )
            [0-9]{3} \x20 [0-9]{2} \x20 [0-9]{4}
            (?! \x20? [0-9] )
            """,
            0.4,
        ),
    )
    CONTEXT = ("ssn", "social security", "social sec")
    CONTEXT_SCORE = 0.95

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop numbers that cannot be issued; keep the published specimens.

        Args:
            pattern_text: The matched number.

        Returns:
            True when the number is not a possible SSN.
        """
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        if digits in _PUBLISHED:
            return False
        return not ssn.is_valid(digits)
