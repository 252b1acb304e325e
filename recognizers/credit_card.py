"""Payment card numbers: an issuer's IIN range, the issuer's lengths, and a valid Luhn digit."""

from __future__ import annotations

import re

from stdnum import luhn

from recognizers.base import LocalRecognizer, RecognizerResult, make_result

#: (IIN prefixes as ranges of their leading digits, card lengths) per issuer: Visa;
#: Mastercard; American Express; Discover; JCB; Diners Club; UnionPay; Maestro (with Dankort
#: 5019); Mir; RuPay; UATP.
ISSUERS: tuple[tuple[tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    (((4, 4),), (13, 16, 19)),
    (((51, 55), (2221, 2720)), (16,)),
    (((34, 34), (37, 37)), (15,)),
    (((6011, 6011), (644, 649), (65, 65)), (16, 19)),
    (((3528, 3589),), (16, 19)),
    (((300, 305), (309, 309), (36, 36), (38, 39)), (14, 16, 19)),
    (((62, 62),), (16, 17, 18, 19)),
    (((50, 50), (56, 69)), (12, 13, 14, 15, 16, 17, 18, 19)),
    (((2200, 2204),), (16,)),
    (((60, 60), (81, 82)), (16,)),
    (((1, 1),), (15,)),
)
#: Groups of digits joined by single spaces or dashes, as cards are written.
_RUN = re.compile(r"(?<![0-9])(?<![0-9][ -])[0-9]+(?:[ -][0-9]+)*(?![0-9])")
_SEP = re.compile(r"[ -]")
#: Twelve digits, each after at most one separator: the first twelve of every run with a
#: card in it (a card has at least twelve digits, a run single separators).
_TWELVE = re.compile(r"[0-9](?:[ -]?[0-9]){11}")


def issuer_accepts(digits: str) -> bool:
    """Whether an issuer's IIN range starts ``digits`` and it issues cards that long."""
    for ranges, lengths in ISSUERS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(digits[:width]) <= high:
                return True
    return False


class CreditCardRecognizer(LocalRecognizer):
    """Find card numbers, plain or grouped with spaces or dashes, and check them.

    A run of digit groups is cut into numbers left to right, each the longest that an
    issuer's IIN range and lengths accept and Luhn validates, written with one kind of
    separator; so ``4012888888881881 4012-8888-8888-1881`` is two cards. Epoch
    milliseconds and most numeric ids fail the issuer check before the checksum, which
    alone passes one random number in ten.
    """

    ENTITY = "CREDIT_CARD"
    SCORE = 1.0

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load."""

    def gate(self) -> list[re.Pattern[str]]:
        """Twelve digits with single separators: no card number is shorter."""
        return [_TWELVE]

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find card numbers in ``text``.

        Args:
            text: A field value or a line of free text.
            entities: Unused; the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per card number, in text order.
        """
        results = []
        for run in _RUN.finditer(text):
            if sum(c.isdigit() for c in run.group()) < 12:
                continue
            groups = [(m.start(), m.end()) for m in re.finditer(r"[0-9]+", run.group())]
            base = run.start()
            i = 0
            while i < len(groups):
                found = self._longest(run.group(), groups, i)
                if found is None:
                    i += 1
                    continue
                j = found
                start, end = base + groups[i][0], base + groups[j - 1][1]
                results.append(make_result(self, self.ENTITY, start, end, self.SCORE))
                i = j
        return results

    @staticmethod
    def _longest(run: str, groups: list[tuple[int, int]], i: int) -> int | None:
        """The end (exclusive group index) of the longest card number from group ``i``."""
        for j in range(len(groups), i, -1):
            text = run[groups[i][0] : groups[j - 1][1]]
            digits = "".join(ch for ch in text if ch.isdigit())
            if not 12 <= len(digits) <= 19:
                continue
            if len(set(_SEP.findall(text))) > 1 or len(set(digits)) == 1:
                continue
            if issuer_accepts(digits) and luhn.is_valid(digits):
                return j
        return None
