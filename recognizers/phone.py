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
from presidio_analyzer import LocalRecognizer, RecognizerResult

from recognizers._common import boost_on_context, make_result

CANDIDATE = regex.compile(
    r"""
    (?<![0-9A-Za-z_+./-])                  # not glued to a word, number, dotted run or path
    (?P<number>
        \+ [0-9]{1,3}                       # international: country code,
        (?: [ .-]? \(0\) )?                 #   an optional '(0)' trunk,
        (?: [ .-]? \(? [0-9]{1,5} \)? ){1,6}  # then groups: +81 3-5555-0101, +819012345678
      | \( [0-9]{2,5} \) \x20? [0-9]{1,4} [ .-] [0-9]{3,4}  # (202) 555-0143, (03) 5555-0101
      | [0-9]{2,5} \( [0-9]{1,4} \) [0-9]{3,4}             # 03(5555)0101, a Japanese habit
      | [0-9]{2,5} (?P<sep>[ -]) [0-9]{1,4} (?P=sep) [0-9]{3,4}   # 03-5555-0101, 03 5555 0101
      | [0-9]{3} \. [0-9]{3} \. [0-9]{4}     # 202.555.0143; other dotted runs are versions
    )
    (?! [0-9A-Za-z_] | [.:/-][0-9] )       # nor followed by more of a number, time or path
    """,
    regex.VERBOSE,
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
    """Find phone numbers valid in one of the default regions, or written with ``+``.

    Args:
        regions: ISO 3166 region codes used for numbers written without ``+``, tried in
            order. Default ``("JP", "US")``.
        supported_language: Presidio language code this instance serves.

    Raises:
        ValueError: If a region is not known to ``phonenumbers``.
    """

    ENTITY = "PHONE_NUMBER"
    VALID_SCORE = 0.8
    POSSIBLE_SCORE = 0.45
    CONTEXT = ("tel", "phone", "mobile", "fax", "電話", "携帯", "連絡先")
    CONTEXT_SCORE = 0.95

    def __init__(self, regions: Sequence[str] = ("JP", "US"), supported_language: str = "en"):
        self.regions = tuple(region.upper() for region in regions)
        unknown = [r for r in self.regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if not self.regions or unknown:
            raise ValueError(
                f"phone regions {list(regions)!r}: unknown or empty {unknown!r}; "
                "use ISO 3166 codes such as 'JP', 'US', 'GB'"
            )
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            context=list(self.CONTEXT),
        )
        self._context_words = tuple(word.casefold() for word in self.CONTEXT)

    def load(self) -> None:
        """Nothing to load."""

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
        return boost_on_context(results, text, self._context_words, self.CONTEXT_SCORE)

    def _best_reading(self, candidate: str) -> tuple[int, float] | None:
        """Length and score of the best phone number at the start of a candidate.

        A candidate may have run on into a following number ('+81 3-5555-0101 2025'),
        so up to ``MAX_TRIMS`` trailing groups are dropped until a reading is valid; only
        when none is valid does a merely possible reading count.
        """
        readings = [candidate]
        for _ in range(MAX_TRIMS):
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
        """The whole reading is a valid number (``PhoneNumberMatcher`` at VALID leniency)."""
        for region in self._regions_for(reading):
            for found in phonenumbers.PhoneNumberMatcher(
                reading, region, leniency=phonenumbers.Leniency.VALID
            ):
                if found.start == 0 and found.end == len(reading):
                    return True
        return False

    def _is_possible(self, reading: str) -> bool:
        """A '+' or '(area)' reading of a possible length, such as ``(555) 555-0143``."""
        if not reading.startswith(("+", "(")):
            return False
        for region in self._regions_for(reading):
            try:
                number = phonenumbers.parse(reading, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                return True
        return False
