"""MAC addresses (``host_mac``, ``visible_device_id``, CEF ``smac``/``dmac``, Wi-Fi BSSIDs)."""

from __future__ import annotations

from recognizers._common import DataPatternRecognizer, boost_on_context
from recognizers.base import RecognizerResult, only_pattern_matches

HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class MacAddressRecognizer(DataPatternRecognizer):
    """Find 48-bit MAC addresses in colon, dash and Cisco dotted notation, any case.

    A run of hex pairs that goes on (an IPv6 address, a certificate fingerprint, a hash)
    is not a MAC: the lookarounds refuse a match that touches more hex digits or another
    separator-and-hex. The all-zero and broadcast addresses are dropped.

    A dotted address with no digit at all (``aabb.ccdd.eeff``) is as often a word game
    (``face.beef.cafe``): it scores ``LETTERS_ONLY_SCORE``, under the default threshold,
    unless a context word (``mac``, ``physical address``) is near.
    """

    ENTITY = "MAC_ADDRESS"
    PATTERNS = (
        (
            "mac colon",
            r"""(?x)
            (?<! [0-9A-Za-z_:] )                   # not the tail of a longer colon run
            [0-9A-Fa-f]{2} (?: : [0-9A-Fa-f]{2} ){5}
            (?! [0-9A-Za-z_] | :[0-9A-Fa-f] )       # nor its head
            """,
            0.95,
        ),
        (
            "mac dash",
            r"""(?x)
            (?<! [0-9A-Za-z_-] )
            [0-9A-Fa-f]{2} (?: - [0-9A-Fa-f]{2} ){5}
            (?! [0-9A-Za-z_] | -[0-9A-Fa-f] )
            """,
            0.95,
        ),
        (
            "mac cisco dotted",
            r"""(?x)
            (?<! [0-9A-Za-z_.] )
            [0-9A-Fa-f]{4} (?: \. [0-9A-Fa-f]{4} ){2}
            (?! [0-9A-Za-z_] | \.[0-9A-Za-z] )      # not the start of a host name
            """,
            0.85,
        ),
    )

    PREFILTERS = {  # each pattern without its lookarounds
        "mac colon": r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}",
        "mac dash": r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}",
        "mac cisco dotted": r"[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}",
    }
    CONTEXT = ("mac", "physical", "hardware address", "bssid", "ether", "hwaddr")
    LETTERS_ONLY_SCORE = 0.3
    CONTEXT_SCORE_LETTERS = 0.85

    @only_pattern_matches
    def analyze(
        self, text: str, entities, nlp_artifacts=None, regex_flags=None
    ) -> list[RecognizerResult]:
        """Run the patterns; a digit-less dotted address needs a context word.

        Args:
            text: A field value or a line of free text.
            entities: Unused; the caller chooses.
            nlp_artifacts: Unused.
            regex_flags: Overrides the recognizer's regex flags, as in presidio.

        Returns:
            The results.
        """
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        letters_only = []
        for result in results:
            found = text[result.start : result.end]
            if "." in found and not any(ch.isdigit() for ch in found):
                result.score = self.LETTERS_ONLY_SCORE
                letters_only.append(result)
        if letters_only:
            boost_on_context(letters_only, text, self._context_words, self.CONTEXT_SCORE_LETTERS)
        return results

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop the all-zero and broadcast addresses.

        Args:
            pattern_text: The matched address.

        Returns:
            True when the match is not a usable MAC address.
        """
        digits = "".join(ch for ch in pattern_text if ch in HEX_DIGITS).lower()
        if digits in ("000000000000", "ffffffffffff"):
            return True
        return False
