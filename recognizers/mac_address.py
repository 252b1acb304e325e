"""MAC addresses (``host_mac``, ``visible_device_id``, CEF ``smac``/``dmac``, Wi-Fi BSSIDs)."""

from __future__ import annotations

from recognizers._common import DataPatternRecognizer

HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class MacAddressRecognizer(DataPatternRecognizer):
    """Find 48-bit MAC addresses in colon, dash and Cisco dotted notation, any case.

    A run of hex pairs that goes on (an IPv6 address, a certificate fingerprint, a hash)
    is not a MAC: the lookarounds refuse a match that touches more hex digits or another
    separator-and-hex. The all-zero and broadcast addresses are dropped.
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

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop the all-zero and broadcast addresses, and dotted words without a digit.

        Args:
            pattern_text: The matched address.

        Returns:
            True when the match is not a usable MAC address.
        """
        digits = "".join(ch for ch in pattern_text if ch in HEX_DIGITS).lower()
        if digits in ("000000000000", "ffffffffffff"):
            return True
        # 'face.beef.cafe' is a word game, not a Cisco MAC
        return "." in pattern_text and not any(ch.isdigit() for ch in digits)
