"""E-mail addresses, plain or percent-encoded inside URLs and query strings.

The engine NFKC-normalises text first, so a full-width ``＠`` arrives as ``@``. There is
no TLD list (no tldextract, no network): the domain needs a dot and a final label of two
or more letters (or an ``xn--`` IDN label).
"""

from __future__ import annotations

from recognizers._common import DataPatternRecognizer
from recognizers.base import RecognizerResult, only_pattern_matches, plain_ascii

# Final labels that are file types, not TLDs: retina image names such as 'logo@2x.png'.
FILE_EXTENSION_TLDS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "css", "js"}
)


class EmailRecognizer(DataPatternRecognizer):
    """Find e-mail addresses, including ``taro.yamada%40example.com`` in a query string.

    The local part is ASCII (``A-Z a-z 0-9 . _ + -`` and ``%XX`` escapes), which keeps
    Japanese text glued in front of an address (``メールはtaro@example.com``) out of the
    span, and ``=``/``&`` out of it in query strings (``user=taro%40example.com``).
    """

    ENTITY = "EMAIL_ADDRESS"
    #: the score of its one pattern
    SCORE = 0.9
    PATTERNS = (
        (
            "email",
            r"""(?x)
            (?: (?<= %[0-9A-Fa-f]{2} )           # right after an escape: to=%20taro%40...
              | (?<! [A-Za-z0-9._%+-] ) )         # or not inside a longer local part
            [A-Za-z0-9_+-]                        # local part: starts with a plain character,
            (?: [A-Za-z0-9._+-] | %[0-9A-Fa-f]{2} ){0,63}  # then characters or %XX escapes
            (?: @ | %40 )                         # '@', or '%40' in a URL
            (?: [A-Za-z0-9] (?: [A-Za-z0-9-]{0,61} [A-Za-z0-9] )? \. )+  # domain labels
            (?: [A-Za-z]{2,63} | xn--[A-Za-z0-9-]{1,59} )                # TLD
            (?! [A-Za-z0-9_-] | \.[A-Za-z0-9] )   # the TLD really is the last label
            """,
            SCORE,
        ),
    )
    PREFILTERS = {"email": "@|%40"}

    @only_pattern_matches
    def analyze(
        self, text: str, entities, nlp_artifacts=None, regex_flags=None
    ) -> list[RecognizerResult]:
        """Find e-mail addresses; text without ``@`` or ``%40`` is skipped unscanned.

        Args:
            text: A field value or a line of free text.
            entities: Unused; as in presidio's ``PatternRecognizer``, the caller chooses.
            nlp_artifacts: Unused.
            regex_flags: Overrides the recognizer's regex flags, as in presidio.

        Returns:
            The results.
        """
        if "@" not in text and "%40" not in text:
            return []  # most values; and the regex is slowest on long dotted runs
        return super().analyze(text, entities, nlp_artifacts, regex_flags)

    def whole_address(self, text: str) -> bool:
        """Whether ``analyze`` finds exactly one address in ``text``, and it is all of it.

        Decided for plain values only (ASCII, one ``@``, no ``%``): with one separator the
        local part and the domain are fixed, and the pattern's final lookahead lets a match
        end only where no label goes on, so a match from the start is the whole text.
        Its score is the pattern's (:data:`SCORE`).
        """
        if not text.isascii() or text.count("@") != 1 or "%" in text:
            return False
        flags = self.global_regex_flags
        ((_pattern, compiled, _prefilter),) = self._compiled(flags)
        (twin,) = self._twinned(flags)
        if twin is not None and plain_ascii(text):
            compiled = twin
        return compiled.fullmatch(text) is not None and not self.invalidate_result(text)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop image and script names that look like addresses (``icon@2x.png``).

        Args:
            pattern_text: The matched address.

        Returns:
            True when the final label is a file extension rather than a TLD.
        """
        return pattern_text.rsplit(".", 1)[-1].lower() in FILE_EXTENSION_TLDS
