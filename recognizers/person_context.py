"""Names in Latin letters that no list knows, found by where they stand in a message.

``Dagmara Pałęga reported a lost phone``, ``Ticket assigned to Kezban Korutürk``,
``申請内容をVanessa Kitzmannが確認中``: spaCy's small English model misses most names that
are not English, and the name lexicon holds only English given names and Japanese names.
This recognizer takes two or three capitalised words (``María Belén Alvarado``, ``Emanuel da
Rocha``, ``O'Brien``, ``Wieloch-Bolnbach``) when the message says a person stands there:

- a phrase that introduces a person comes right before (``assigned to``, ``on behalf of``,
  ``contacted``, ``approved by``, ``Manager``, ``Mr.``), or a bare ``by``/``for``/``to``/
  ``from``/``of``/``with`` when spaCy ran and called the words no place, product or event
  (its small model calls most foreign names organisations, so an organisation is left to
  the company filters: legal forms, ``… との契約``);
- a verb a person does comes right after (``reported``, ``cannot``, ``approved``, ``'s``);
- Japanese text touches it (a name in Latin letters inside Japanese is someone's name);
- an e-mail address in the same text spells it (``ruth.baker@``, ``rbaker@``).

Words that name things (``Allow Business Apps``), companies (``Acme Ltd``) and places
(``South Bryan``) are left to the built-in rules (``scanner/detect/not_person.py``).
Score 0.7: above ``min_score``, below the lexicon's 0.85.
"""

from __future__ import annotations

import regex

from recognizers._common import common_english
from recognizers.base import LocalRecognizer, RecognizerResult, make_result

_WORD = r"(?:[DL]['’])?(?:Mc|Mac|O['’])?\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+|['’]\p{Lu}\p{Ll}+)*"
_PARTICLE = r"(?:da|de|del|della|dei|di|do|dos|das|du|van|von|der|den|ter|ten|bin|al|el|y|zu)"
CANDIDATE = regex.compile(
    rf"""
    (?<! [\p{{Latin}}\p{{N}}_@./\\'’-] )
    (?P<name> {_WORD} (?: \x20 (?: {_PARTICLE} \x20 ){{0,2}} {_WORD} ){{1,2}} )
    (?! [\p{{Latin}}\p{{N}}_@-] | ['’]\p{{Ll}}{{2}} )
    """,
    regex.VERBOSE,
)
# A name never starts with its particle: 'van den Hoek' is the rest of 'Senna van den Hoek'.
_STARTS_WITH_PARTICLE = regex.compile(rf"{_PARTICLE}\x20")
# A phrase that says the next words are a person (case-insensitive, right before the name).
STRONG_CUE = regex.compile(
    r"""(?ix)
    (?: (?: \p{Ll}{2,}ed | set | left | sent | given | made | held | kept | shown | written
          | taken | seen | done | issued | shared | owned | run )
        \s+ (?: to | by | for )                               # assigned to, printed for
      | (?: shared | met | spoke | talked | chatted | worked | received | forwarded )
        \s+ (?: with | from )
      | (?: call | meeting | chat | session | conversation | interview | lunch ) \s+ with
      | (?: from | to | cc | bcc | by | sender | recipient | author | approver | requester
          | reviewer | assignee | owner | contact | name | user ) \s* [:=]   # From: Name
      | on \s+ behalf \s+ of | contacted | called | emailed | e-mailed | notified | paged
      | pinged | reminded | asked | thanked | invited | welcomed | added | removed | cc
      | attn \.? | dear | hi | hello | manager | supervisor | lead | owner | reviewer | approver
      | requester | requestor | assignee | employee | user | member | contact | colleague
      | mr \.? | mrs \.? | ms \.? | dr \.? | prof \.? )
    \s* \Z
    """
)
# Prepositions before a person as often as before a company or a place: spaCy must agree.
WEAK_CUE = regex.compile(r"(?i)(?<![\p{L}])(?:by|for|to|from|of|with|and)\s+\Z")
AFTER = regex.compile(
    r"""(?x)
    \A (?: ['’]s \b
         | ,? \s+ (?: please | your | you ) \b                 # 'Dear Name, please...'
         | \s+ (?: disabled | enabled | locked | unlocked | suspended | blocked | expired
                 | removed | added | deleted | offboarded | onboarded ) (?: \s | [.,;]? \Z )
         | \s+ (?: approved | requested | reported | failed | entered | cannot | can['’]t
                 | could | did | does | has | had | is | was | will | would | logged | signed
                 | confirmed | changed | created | deleted | updated | uploaded | downloaded
                 | shared | accessed | asked | wants | needs | still | opened | closed
                 | submitted | reset | joined | left | called | sent | forgot | lost | tried
                 | received | booked | approved | declined | accepted | replied ) \b )
    """
)
_JAPANESE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}ー、。「『【】]")
# Brackets and spaces between a name and the Japanese around it (NFKC makes '（' '(').
_OPENING = " \u3000()（）[]【】「」『』:："
NOT_A_PERSON_LABELS = frozenset(
    {"GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "NORP", "LANGUAGE"}
)


class PersonContextRecognizer(LocalRecognizer):
    """Find names in Latin letters from the message around them (no name list)."""

    ENTITY = "PERSON"
    SCORE = 0.7

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language)

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find names in ``text``.

        Args:
            text: A field value or a line of free text.
            entities: Unused; the caller chooses.
            nlp_artifacts: presidio's NLP artifacts when spaCy ran (its organisations and
                places veto a name found only after a preposition), or None.

        Returns:
            One result per name, in text order.
        """
        others = _other_entities(nlp_artifacts)
        emails = _email_locals(text)
        accepted: list[tuple[int, int]] = []
        waiting: list[tuple[int, int]] = []
        for match in CANDIDATE.finditer(text, overlapped=False):
            start, end = match.span("name")
            first = text[start:end].split(" ", 1)
            if (
                len(first) == 2
                and " " in first[1]
                and not _STARTS_WITH_PARTICLE.match(first[1])  # 'Senna van den Hoek'
                and (
                    STRONG_CUE.search(first[0] + " ")
                    or first[0].casefold() in common_english()  # 'Ping Guillaume Foucher'
                    or self._stands_for_a_person(text, start + len(first[0]) + 1, end, emails)
                )
            ):
                start += len(first[0]) + 1  # 'Dear Leigh Ford', 'Invite Bram Vermeulen <bram…'
            if self._stands_for_a_person(text, start, end, emails) or (
                nlp_artifacts is not None
                and WEAK_CUE.search(text[max(0, start - 40) : start])
                and not any(s < end and start < e for s, e in others)
            ):
                accepted.append((start, end))
            else:
                waiting.append((start, end))
        # 'Serpil Trapp and Agnieszka Bachmann': a name next to a name is a name.
        anchors = accepted + _ner_people(nlp_artifacts)
        grew = True
        while grew and waiting:
            grew = False
            for span in list(waiting):
                if any(_coordinated(text, span, other) for other in anchors):
                    accepted.append(span)
                    anchors.append(span)
                    waiting.remove(span)
                    grew = True
        return [make_result(self, self.ENTITY, s, e, self.SCORE) for s, e in sorted(accepted)]

    @staticmethod
    def _stands_for_a_person(text: str, start: int, end: int, emails: list[str]) -> bool:
        before = text[max(0, start - 40) : start]
        if STRONG_CUE.search(before) or AFTER.match(text[end:]):
            return True
        near = before.rstrip(_OPENING)[-1:] + text[end:].lstrip(_OPENING)[:1]
        if near and _JAPANESE.search(near):
            return True
        return bool(emails) and _spelled(text[start:end], emails)


def _coordinated(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """``a`` and ``b`` are joined by ``and``, ``&``, a comma or ``・`` and nothing else."""
    left, right = sorted((a, b))
    between = text[left[1] : right[0]]
    return 0 < len(between) <= 5 and bool(regex.fullmatch(r"\s*(?:and|&|or|,|、|・|/)\s*", between))


def _ner_people(nlp_artifacts: object) -> list[tuple[int, int]]:
    doc = getattr(nlp_artifacts, "tokens", None)
    if doc is None or not hasattr(doc, "ents"):
        return []
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PERSON", "PER")]


def _other_entities(nlp_artifacts: object) -> list[tuple[int, int]]:
    doc = getattr(nlp_artifacts, "tokens", None)
    if doc is None or not hasattr(doc, "ents"):
        return []
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in NOT_A_PERSON_LABELS]


_EMAIL_LOCAL = regex.compile(r"([A-Za-z0-9._%+-]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _email_locals(text: str) -> list[str]:
    if "@" not in text:
        return []
    return [m.group(1).casefold() for m in _EMAIL_LOCAL.finditer(text)]


def _spelled(name: str, locals_: list[str]) -> bool:
    """An e-mail local part is the name (``ruth.baker``, ``ruth_baker``, ``rbaker``)."""
    words = [w.casefold() for w in name.split() if not regex.fullmatch(_PARTICLE, w)]
    if len(words) < 2:
        return False
    first, last = words[0], words[-1]
    forms = {
        f"{first}.{last}",
        f"{first}_{last}",
        f"{first}{last}",
        f"{first[0]}{last}",
        f"{last}.{first}",
        f"{first}-{last}",
    }
    return any(local in forms for local in locals_)
