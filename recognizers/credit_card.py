"""Payment card numbers: 13-19 digits with a known IIN prefix and a valid Luhn check digit."""

from __future__ import annotations

from stdnum import luhn

from recognizers._common import DataPatternRecognizer


class CreditCardRecognizer(DataPatternRecognizer):
    """Find card numbers, plain or grouped with spaces or dashes, and check them with Luhn.

    Only numbers starting with a common issuer prefix are considered: Visa ``4``,
    Mastercard ``51-55`` and ``22-27``, Amex ``34``/``37``, Discover ``6011``/``65`` and
    JCB ``35``. This keeps epoch milliseconds (``1741915425000``) and most numeric ids
    out before the checksum, which alone passes one random number in ten.
    """

    ENTITY = "CREDIT_CARD"
    PATTERNS = (
        (
            "card number",
            r"""(?x)
            (?<! [0-9] ) (?<! [0-9][ -] )           # not the tail of a longer digit run
            (?= 4 | 5[1-5] | 2[2-7] | 3[47] | 6011 | 65 | 35 )  # issuer prefix (IIN)
            [0-9] (?: [ -]? [0-9] ){12,18}          # 13-19 digits, single separators
            (?! [ -]? [0-9] )                       # not the head of a longer run
            """,
            0.5,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool:
        """Accept a Luhn-valid number that uses one kind of separator at most.

        Args:
            pattern_text: The matched number.

        Returns:
            True for a valid card number (the score becomes 1.0), False otherwise.
        """
        if " " in pattern_text and "-" in pattern_text:
            return False
        digits = pattern_text.replace(" ", "").replace("-", "")
        return len(set(digits)) > 1 and luhn.is_valid(digits)
