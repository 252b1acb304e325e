"""Japanese Individual Number (My Number, 個人番号): 12 digits with a mod-11 check digit."""

from __future__ import annotations

import regex
from stdnum.jp import in_

from recognizers._common import DataPatternRecognizer

# A 12-digit run that reads as YYYYMMDDhhmm is a compact timestamp, not a My Number.
COMPACT_DATETIME = regex.compile(
    r"""
    (?: 19 | 20 ) [0-9]{2}              # year
    (?: 0[1-9] | 1[0-2] )               # month
    (?: 0[1-9] | [12][0-9] | 3[01] )    # day
    (?: [01][0-9] | 2[0-3] )            # hour
    [0-5][0-9]                          # minute
    """,
    regex.VERBOSE,
)


class JpMyNumberRecognizer(DataPatternRecognizer):
    """Find My Numbers (``123456789018``, ``1234 5678 9018``, ``1234-5678-9018``).

    The check digit (``stdnum.jp.in_``) still lets one random 12-digit number in eleven
    through, so a hit scores low (0.5 grouped 4-4-4, 0.4 as a bare run, which is below
    the default ``min_score``) unless a context word (``マイナンバー``, ``個人番号``,
    ``my number``) is within ``CONTEXT_WINDOW`` characters: then 0.95.
    """

    ENTITY = "JP_MY_NUMBER"
    PATTERNS = (
        (
            "my number grouped",
            r"""(?x)
            (?<! [0-9] ) (?<! [0-9][ -] )     # not the tail of a longer digit run
            [0-9]{4} (?P<sep>[ -]) [0-9]{4} (?P=sep) [0-9]{4}  # 4-4-4, same separator
            (?! [ -]? [0-9] )                 # nor its head
            """,
            0.5,
        ),
        (
            "my number",
            r"""(?x)
            (?<! [0-9] ) [0-9]{12} (?! [0-9] )
            """,
            0.4,
        ),
    )
    PREFILTERS = {  # each pattern without its lookarounds
        "my number grouped": r"[0-9]{4}[\x20-][0-9]{4}[\x20-][0-9]{4}",
        "my number": r"[0-9]{12}",
    }
    CONTEXT = ("マイナンバー", "個人番号", "my number", "mynumber", "my_number")
    CONTEXT_SCORE = 0.95

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop numbers with a wrong check digit, repeated digits or a timestamp's shape.

        Args:
            pattern_text: The matched number.

        Returns:
            True when the match is not a My Number.
        """
        digits = pattern_text.replace(" ", "").replace("-", "")
        if len(set(digits)) == 1 or not in_.is_valid(digits):
            return True
        return pattern_text == digits and COMPACT_DATETIME.fullmatch(digits) is not None
