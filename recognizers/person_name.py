"""People's names in free text: Japanese (kanji, kana, romanised) and English given + surname.

spaCy's small English model does not see ``山田 太郎`` or ``Kenji Tanaka`` in an English
log line as a person, and finds English names only some of the time. This recognizer
finds full names from a compact lexicon (``recognizers/name_lexicon.py``) and from
context: a known surname with any given name, a known given name with a capitalised
surname, or any two-part name right after a word such as ``user``, ``by`` or
``ユーザー``. It needs no NLP artifacts and costs a few regex passes per value.
"""

from __future__ import annotations

import regex

from recognizers._common import has_context
from recognizers.base import LocalRecognizer, RecognizerResult, make_result
from recognizers.japanese_names import TITLES
from recognizers.name_lexicon import EN_GIVEN, japanese_forms

# Kanji run that may hold a surname and a given name; 々 and ノ/之/ヶ occur in names.
HAN_RUN = regex.compile(r"\p{Han}[\p{Han}々ノ之ヶ]{0,8}")
# Honorifics and words that follow a surname but are not a given name.
NOT_GIVEN = frozenset(
    "さん さま くん ちゃん 様 殿 氏 君 先生 部長 課長 社長 係長 主任 担当 宛 御中 さんが".split()
)
# The kanji honorifics above and the titles the Japanese name recognizer ends names at,
# longest first, so that a given name loses the whole title written on to it.
_TITLES = tuple(
    sorted(
        {*(w for w in NOT_GIVEN if regex.fullmatch(r"\p{Han}+", w)), *TITLES},
        key=len,
        reverse=True,
    )
)


def _given_part(run: str) -> str:
    """A kanji run after a surname and a space, without a title it ends with (``太郎様``)."""
    for title in _TITLES:
        if run.endswith(title) and len(run) > len(title):
            return run[: -len(title)]
    return run


# Role words that come before a name and are no surname themselves.
NOT_FAMILY = frozenset(
    "管理者 担当者 担当 利用者 社員 氏名 名前 申請者 承認者 作成者 更新者 所有者".split()
)
KANA_GIVEN = regex.compile(r"\x20(\p{Hiragana}{2,4}|[\p{Katakana}ー]{2,5})")
HONORIFIC = regex.compile(r"さん|さま|様|氏|殿|くん|君")
KANA_BEFORE_HONORIFIC = regex.compile(
    r"(?<![\p{Katakana}\p{Hiragana}ー])(?P<name>[\p{Katakana}ー]{3,12}|\p{Hiragana}{3,12}?)"
    r"(?:さん|さま|様|氏|くん|君|殿)"
)
KANA_PAIR = regex.compile(
    r"""
    (?<! [\p{Katakana}\p{Hiragana}ー] )
    (?P<a> [\p{Katakana}ー]{2,6} | \p{Hiragana}{2,6} ) \x20
    (?P<b> [\p{Katakana}ー]{1,6} | \p{Hiragana}{1,6} )
    (?! [\p{Katakana}\p{Hiragana}ー] )
    """,
    regex.VERBOSE,
)
ROMAN_PAIR = regex.compile(
    r"""
    (?<! [A-Za-z0-9_.@\\/'’-] )
    (?P<a> [A-Z][a-z]{1,14} | [A-Z]{2,15} ) \x20
    (?P<b> (?: Mc | Mac | O' )? [A-Z][a-z]{1,19} (?: - [A-Z][a-z]{1,19} )? | [A-Z]{2,20} )
    (?! [A-Za-z0-9_@\\/-] | ['’]s\b | \.[A-Za-z] )
    """,
    regex.VERBOSE,
)
# Capitalised words that follow an English given name in logs but are not surnames.
NOT_SURNAME = frozenset(
    """
    Access Account Admin Administrator Agent Allow App Apps Block Client Cloud Complete
    Connected Connection Default Desktop Device Disconnected Domain Error Failed File
    Firewall Group Helpdesk Home Key Laptop Login Logon Mac MacBook Network Office Phone
    Policy Rule Server Service Site Status Support System Team Teams User Users VPN
    Windows Session Street Avenue Road St Ave
    """.split()
)
CONTEXT = (
    "user",
    "by",
    "for",
    "admin",
    "analyst",
    "owner",
    "employee",
    "member",
    "contact",
    "name",
    "login",
    "signed",
    "ユーザー",
    "ユーザ",
    "利用者",
    "担当",
    "氏名",
    "名前",
    "社員",
    "管理者",
    "さん",
    "様",
    "氏",
)


class PersonNameRecognizer(LocalRecognizer):
    """Find full names of people in free text from a name lexicon and context words.

    Scores: surname and given name both in the lexicon 0.9; a known surname with any
    given name (or a known given name with any surname) 0.85; a two-part name known
    only from a context word (``user 勅使河原 美咲``) 0.7. Single names are not reported.
    """

    ENTITY = "PERSON"
    BOTH = 0.9
    ONE = 0.85
    CONTEXT_ONLY = 0.7

    def __init__(self, supported_language: str = "en"):
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            context=list(CONTEXT),
        )
        forms = japanese_forms()
        self._surname_kanji = forms["surname_kanji"]
        self._given_kanji = forms["given_kanji"]
        self._surname_kana = forms["surname_kana"]
        self._given_kana = forms["given_kana"]
        self._surname_roman = forms["surname_roman"]
        self._given_roman = forms["given_roman"]
        self._longest_surname = max(map(len, self._surname_kanji))
        self._context = tuple(word.casefold() for word in CONTEXT)

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find full names in ``text``.

        Args:
            text: A field value or a line of free text (NFKC-normalised by the engine).
            entities: Unused; the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per name, in text order.
        """
        found: list[tuple[int, int, float]] = []
        if not text.isascii():
            found += self._kanji(text)
            found += self._kana(text)
        found += self._roman(text)
        return [make_result(self, self.ENTITY, s, e, score) for s, e, score in sorted(found)]

    # -- kanji ------------------------------------------------------------------------
    def _kanji(self, text: str) -> list[tuple[int, int, float]]:
        out = []
        runs = list(HAN_RUN.finditer(text))
        for i, run in enumerate(runs):
            nxt = runs[i + 1] if i + 1 < len(runs) else None
            gap = text[run.end() : nxt.start()] if nxt else ""
            if nxt is not None and gap == " " and len(_given_part(nxt.group())) <= 3:
                hit = self._spaced_kanji(text, run, nxt)
                if hit:
                    out.append(hit)
                    continue
            kana_given = KANA_GIVEN.match(text, run.end())
            if kana_given and kana_given.group(1) not in NOT_GIVEN:
                given = kana_given.group(1)
                surname = self._surname_suffix(run.group())
                if surname and given in self._given_kana:
                    start = run.end() - len(surname)
                    out.append((start, run.end() + 1 + len(given), self.BOTH))
                    continue
            hit = self._joined_kanji(run, text)
            if hit:
                out.append(hit)
        return _drop_overlaps(out)

    def _spaced_kanji(self, text: str, run, nxt) -> tuple[int, int, float] | None:
        """``山田 太郎`` (one space: NFKC turned a full-width one into it).

        A title or honorific written on to the given name (``山田 太郎様``) ends the name.
        """
        given = _given_part(nxt.group())
        if not given or given in NOT_GIVEN:
            return None
        end = nxt.start() + len(given)
        surname = self._surname_suffix(run.group())
        if surname:
            start = run.end() - len(surname)
            score = self.BOTH if given in self._given_kanji else self.ONE
            return start, end, score
        if len(run.group()) <= 4 and self._surname_suffix(run.group(), anywhere=True):
            return None  # '小森 優菜': a known surname ('森') ends an unknown one
        family = run.group()
        if family in NOT_FAMILY or given in self._surname_kanji:
            return None  # '管理者 鈴木 一郎': the role word is not a surname
        if len(family) <= 4 and (
            given in self._given_kanji or has_context(text, run.start(), nxt.end(), self._context)
        ):
            return run.start(), end, self.CONTEXT_ONLY
        return None

    def _joined_kanji(self, run, text: str) -> tuple[int, int, float] | None:
        """``山田太郎`` in a run: a known surname, then a known given name or an honorific.

        The surname starts the run or follows a role word (``担当者山田太郎``): in
        ``平岡賀奈子`` the known ``岡`` is the end of an unknown surname.
        """
        word = run.group()
        honorific = HONORIFIC.match(text, run.end()) is not None
        for start in range(len(word) - 1):
            if start and not _ends_with_role(word[:start]):
                continue
            for size in range(min(self._longest_surname, len(word) - start - 1), 0, -1):
                if word[start : start + size] not in self._surname_kanji:
                    continue
                rest = word[start + size :]
                for g in range(min(3, len(rest)), 0, -1):
                    if rest[:g] in self._given_kanji and (g == len(rest) or g >= 2):
                        return run.start() + start, run.start() + start + size + g, self.BOTH
                if honorific and 1 <= len(rest) <= 3:
                    return run.start() + start, run.end(), self.ONE  # '佐藤花子さん'
        if honorific and 2 <= len(word) <= 7:
            for g in range(min(3, len(word) - 1), 0, -1):
                if word[-g:] in self._given_kanji:
                    return run.start(), run.end(), self.CONTEXT_ONLY  # '鬼塚葵さん'
        return None

    def _surname_suffix(self, word: str, *, anywhere: bool = False) -> str | None:
        """The longest known surname that ends ``word`` after a role word or nothing.

        ``担当者山田`` -> ``山田``; ``小森`` -> None, as ``森`` ends a surname the lexicon does
        not know rather than following a role word (``anywhere``: any known surname).
        """
        for size in range(min(self._longest_surname, len(word)), 0, -1):
            head = word[:-size]
            if word[-size:] in self._surname_kanji and (
                anywhere or not head or _ends_with_role(head)
            ):
                return word[-size:]
        return None

    # -- kana -------------------------------------------------------------------------
    def _kana(self, text: str) -> list[tuple[int, int, float]]:
        out = []
        for m in KANA_PAIR.finditer(text, overlapped=True):
            a, b = m.group("a"), m.group("b")
            if b in NOT_GIVEN:
                continue
            known = (a in self._surname_kana) + (b in self._given_kana)
            if known == 2 or (known and len(b) >= 2):
                out.append((m.start(), m.end(), self.BOTH if known == 2 else self.ONE))
            elif has_context(text, m.start(), m.end(), self._context) and len(b) >= 2:
                out.append((m.start(), m.end(), self.CONTEXT_ONLY))
        for m in KANA_BEFORE_HONORIFIC.finditer(text):
            word = m.group("name")
            for size in range(min(6, len(word) - 1), 1, -1):
                if word[:size] in self._surname_kana:
                    out.append((m.start("name"), m.end("name"), self.ONE))  # 'ヤマダタロウさん'
                    break
        return _drop_overlaps(out)

    # -- Latin letters ----------------------------------------------------------------
    def _roman(self, text: str) -> list[tuple[int, int, float]]:
        out = []
        for m in ROMAN_PAIR.finditer(text, overlapped=True):
            a, b = m.group("a").capitalize(), m.group("b")
            b_cap = b.capitalize() if b.isupper() else b
            if a in NOT_SURNAME or b_cap in NOT_SURNAME:
                continue
            ja = (
                a in self._given_roman
                and b_cap in self._surname_roman
                or a in self._surname_roman
                and b_cap in self._given_roman
            )
            if ja:
                out.append((m.start(), m.end(), self.BOTH))
            elif a in EN_GIVEN and not b.isupper() or a in self._given_roman:
                out.append((m.start(), m.end(), self.ONE))
            elif b_cap in self._surname_roman and has_context(
                text, m.start(), m.end(), self._context
            ):
                out.append((m.start(), m.end(), self.CONTEXT_ONLY))
        return _drop_overlaps(out)


def _ends_with_role(head: str) -> bool:
    """``head`` ends with a role word that may come before a surname (``担当者``, ``社員``)."""
    return any(head.endswith(word) for word in NOT_FAMILY)


def _drop_overlaps(found: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Keep the best of overlapping pairs (``Emily Carter Smith`` -> one name)."""
    kept: list[tuple[int, int, float]] = []
    for item in sorted(found, key=lambda x: (-x[2], x[0])):
        if all(item[1] <= k[0] or k[1] <= item[0] for k in kept):
            kept.append(item)
    return kept
