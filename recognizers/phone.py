"""Telephone numbers, found by a strict candidate regex and checked with ``phonenumbers``.

``phonenumbers.PhoneNumberMatcher`` alone is too eager on log text: at ``POSSIBLE``
leniency it reports IPv4 addresses and the tail of epoch milliseconds, and a bare
10-digit id can be a "valid" Japanese or US number. So candidates come from a regex that
wants a ``+``, parentheses or separators between digit groups, and each candidate is
then handed to the matcher at ``VALID`` leniency (which also checks that a national
number carries its trunk prefix) for each default region.

Scores: a valid number scores 0.8. A number that is only *possible* (right length, but
not in an allocated range, such as the fictional ``(555) 555-0143``) scores 0.45, and
only when written with ``+`` or an ``(area)`` group. The examples in the tests
(``+1 202-555-0143``, ``(202) 555-0143``: 555-01xx is the fictional NANP range) are
valid for ``phonenumbers`` 9.x, so they do not depend on that fallback. A context word
(``tel``, ``phone``, ``電話``...) nearby raises a hit to 0.95.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
import regex

from recognizers._common import boost_on_context
from recognizers.base import LocalRecognizer, RecognizerResult, make_result
from recognizers.phone_regions import (
    ALL_REGIONS,
    DEFAULT_REGIONS,
    check_phone_regions,
    expand_phone_regions,
)

VALID = phonenumbers.Leniency.VALID

CANDIDATE = regex.compile(
    r"""
    (?<![0-9A-Za-z_+./-])                  # not glued to a word, number, dotted run or path
    (?P<number>
        \+ [0-9]{1,3}                       # international: country code,
        (?: [ .-]? \(0\) )?                 #   an optional '(0)' trunk,
        (?: [ .-]? \(? [0-9]{1,5} \)? ){1,6}  # then groups: +81 3-5555-0101, +819012345678
      | \( [0-9]{2,5} \) \x20? [0-9]{1,4} [ .-] [0-9]{3,4}  # (202) 555-0143, (03) 5555-0101
      | [0-9]{2,5} \( [0-9]{1,4} \) [0-9]{3,4}             # 03(5555)0101, a Japanese habit
      | [0-9]{2,5} (?P<sep>[ -]) [0-9]{1,4} (?: (?P=sep) [0-9]{2,4} )? (?P=sep) [0-9]{3,4}
                                            # 03-5555-0101, 03 5555 0101, 91-415-555-0132
      | 0 [0-9]{1,4} - [0-9]{5,8}           # 09-7625400: a trunk 0, area code, number
      | 0 [1-9] (?P<pair>[ .]) [0-9]{2} (?: (?P=pair) [0-9]{2} ){3}  # 01 42 68 53 00 (FR)
      | [0-9]{3} \. [0-9]{3} \. [0-9]{4}     # 202.555.0143; other dotted runs are versions
    )
    (?! [0-9A-Za-z_] | [.:/-][0-9] )       # nor followed by more of a number, time or path
    """,
    regex.VERBOSE,
)

# A run of digits alone (13812345678): a phone number only after a phone word.
BARE = regex.compile(r"(?<![0-9A-Za-z_+./-])[0-9]{8,15}(?![0-9A-Za-z_]|[.:/-][0-9])")
BARE_CONTEXT = regex.compile(
    r"(?i)(?:phone|tel|mobile|cell|fax|call|電話|携帯|連絡先)[^0-9\n]{0,16}\Z"
)

# What every text the recognizer finds a number in holds (its gate): a CANDIDATE's digit
# groups with their separators, short of the lookarounds and at least their first seven
# digits, or a BARE run of eight digits after a phone word (an ASCII one, or any character
# beyond ASCII: 電話, 携帯 and 連絡先 end in one). Most log lines hold seven digits (times,
# addresses) but none of these.
GATE = regex.compile(
    r"\+[0-9]"
    r"|\([0-9]{2,5}\)\x20?[0-9]{1,4}[ .-][0-9]{3}"
    r"|[0-9]{2,5}\([0-9]{1,4}\)[0-9]{3}"
    r"|[0-9]{2,5}(?:\x20[0-9]{1,4}(?:\x20[0-9]{2,4})?\x20|-[0-9]{1,4}(?:-[0-9]{2,4})?-)[0-9]{3}"
    r"|0[0-9]{1,4}-[0-9]{5}"
    r"|0[1-9](?:\x20[0-9]{2}){4}|0[1-9](?:\.[0-9]{2}){4}"
    r"|[0-9]{3}\.[0-9]{3}\.[0-9]{4}"
    r"|(?:phone|tel|mobile|cell|fax|call|[^\x00-\x7f])[^0-9\n]{0,16}[0-9]{8}",
    regex.IGNORECASE,
)

# Dates written with the same separators as phone numbers.
DATE_LIKE = regex.compile(
    r"""
    (?: 19|20 ) [0-9]{2} [ ./-] [0-9]{1,2} [ ./-] [0-9]{1,2}   # 2025-03-14
  | [0-9]{1,2} [ ./-] [0-9]{1,2} [ ./-] (?: 19|20 ) [0-9]{2}   # 14.03.2025, 03-14-2025
    """,
    regex.VERBOSE,
)

# The last digit group with its separator, dropped when a candidate ran on too far
# ('+81 3-5555-0101 2025' -> '+81 3-5555-0101').
LAST_GROUP = regex.compile(r"[ .-]*\(?[0-9]+\)?\Z")
MAX_TRIMS = 2
MIN_DIGITS = 7


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


class PhoneRecognizer(LocalRecognizer):
    """Find phone numbers valid in one of the configured regions, or written with ``+``.

    Args:
        regions: ISO 3166 region codes used for numbers written without ``+``, in order of
            preference; a last ``"*"`` adds every other region ``phonenumbers`` knows.
            A named region is checked at ``VALID`` leniency; a region that only ``"*"``
            brings in at ``STRICT_GROUPING``: the digits must also be grouped as that
            region writes its numbers, as any 9-digit run is valid somewhere.
            Default ``DEFAULT_REGIONS`` (:mod:`recognizers.phone_regions`).
        supported_language: Presidio language code this instance serves.

    Raises:
        ValueError: If a region is not known to ``phonenumbers``, or none is given.
    """

    ENTITY = "PHONE_NUMBER"
    VALID_SCORE = 0.8
    POSSIBLE_SCORE = 0.45
    CONTEXT = ("tel", "phone", "mobile", "fax", "電話", "携帯", "連絡先")
    CONTEXT_SCORE = 0.95

    def __init__(self, regions: Sequence[str] = DEFAULT_REGIONS, supported_language: str = "en"):
        try:
            configured = check_phone_regions(tuple(regions))
        except ValueError as exc:
            raise ValueError(f"phone regions {list(regions)!r}: {exc}") from None
        self.regions = expand_phone_regions(configured)
        named = [r for r in configured if r != ALL_REGIONS] or list(self.regions)
        self._named = tuple(named)
        self._leniency = {
            region: (
                phonenumbers.Leniency.VALID
                if region in named
                else phonenumbers.Leniency.STRICT_GROUPING
            )
            for region in self.regions
        }
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            context=list(self.CONTEXT),
        )
        self._context_words = tuple(word.casefold() for word in self.CONTEXT)

    def load(self) -> None:
        """Nothing to load."""

    def gate(self) -> list[regex.Pattern[str]]:
        """:data:`GATE`: the shapes of the numbers this recognizer reads."""
        return [GATE]

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find phone numbers in ``text``.

        Args:
            text: A field value or a line of free text.
            entities: Unused; as in presidio's ``PatternRecognizer``, the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per number, in text order.
        """
        results = []
        for match in CANDIDATE.finditer(text):
            found = self._best_reading(match["number"])
            if found is not None:
                start = match.start("number")
                results.append(make_result(self, self.ENTITY, start, start + found[0], found[1]))
        for match in BARE.finditer(text):
            before = text[max(0, match.start() - 24) : match.start()]
            if BARE_CONTEXT.search(before) and self._is_valid(match.group()):
                results.append(
                    make_result(self, self.ENTITY, match.start(), match.end(), self.VALID_SCORE)
                )
        return boost_on_context(results, text, self._context_words, self.CONTEXT_SCORE)

    def _best_reading(self, candidate: str) -> tuple[int, float] | None:
        """Length and score of the best phone number at the start of a candidate.

        A candidate may have run on into a following number ('+81 3-5555-0101 2025'),
        so up to ``MAX_TRIMS`` trailing groups are dropped until a reading is valid; only
        when none is valid does a merely possible reading count.
        """
        readings = [candidate]
        # Only an international number runs on: a national one has at most four groups,
        # and its head alone ('4111 1111' of a card) is valid in too many regions.
        for _ in range(MAX_TRIMS if candidate.startswith("+") else 0):
            shorter = LAST_GROUP.sub("", readings[-1])
            if shorter == readings[-1] or _digit_count(shorter) < MIN_DIGITS:
                break
            readings.append(shorter)
        readings = [
            r for r in readings if _digit_count(r) >= MIN_DIGITS and not DATE_LIKE.fullmatch(r)
        ]
        for reading in readings:
            if self._is_valid(reading):
                return len(reading), self.VALID_SCORE
        for reading in readings:
            if self._is_possible(reading):
                return len(reading), self.POSSIBLE_SCORE
        return None

    def _regions_for(self, reading: str) -> tuple[str, ...]:
        # With a '+', the region only matters for parsing, so one try is enough.
        return self.regions[:1] if reading.startswith("+") else self.regions

    def _is_valid(self, reading: str) -> bool:
        """The whole reading is a valid number (``PhoneNumberMatcher`` at VALID leniency).

        ``parse`` and ``is_valid_number`` screen the regions first: the matcher costs
        several times more, and with every region configured most are screened out.
        """
        for region in self._regions_for(reading):
            try:
                if not phonenumbers.is_valid_number(phonenumbers.parse(reading, region)):
                    continue
            except phonenumbers.NumberParseException:
                continue
            leniency = self._leniency[region] if not reading.startswith("+") else VALID
            for found in phonenumbers.PhoneNumberMatcher(reading, region, leniency=leniency):
                if found.start == 0 and found.end == len(reading):
                    return True
        return False

    def _is_possible(self, reading: str) -> bool:
        """A '+' or '(area)' reading of a possible length, such as ``(555) 555-0143``.

        Only named regions count: a possible length is no evidence across every region.
        """
        if not reading.startswith(("+", "(")):
            return False
        for region in self.regions[:1] if reading.startswith("+") else self._named:
            try:
                number = phonenumbers.parse(reading, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                return True
        return False
