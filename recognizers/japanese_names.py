"""Japanese names that no list of ours holds, found with a morphological dictionary.

The name lexicon (``name_lexicon.py``) holds about 300 surnames; a company's staff has
thousands. SudachiPy with ``sudachidict_small`` (both Apache-2.0, from the package
registry; nothing is downloaded at run time) tags surnames (``人名,姓``) and given names
(``人名,名``) from a dictionary of hundreds of thousands of words, in about 40 us per line.
Where the tagger reads a surname as a word (``大木``: a big tree; ``星``: a star), the
dictionary's other entries for it still say it is a surname. A name is taken when:

- two parts are separated by a space (``甲斐 志芳``, ``トクダ ミサオ``; spaces are rare in
  Japanese text except inside names) and the dictionary calls one part a surname or a given
  name, or a katakana pair is unknown to it as a whole, or an honorific follows; a surname
  the tagger read as a word or a place needs a given part that reads as a name, and a
  katakana place name (``ナゴヤ カエデ``) a partner without the marks of a loanword;
- a surname is followed, without a space, by one to three kanji that the dictionary calls a
  given name, does not know, or splits into single characters (``古賀勉``, ``島崎菜瑠``),
  or by any one to three kanji and an honorific (``柳沢音楽さん``); a surname the tagger
  read as a word or a place (``大木``, ``落合``) needs a given name the dictionary knows,
  single characters, or an honorific;
- a surname is followed by a given name in hiragana that the dictionary knows
  (``桐谷さやか``, ``椎名 とし子``), then a particle, an honorific or no more hiragana.

A name ends where a title starts (``桐谷健斗部長``, ``小暮 凪部長``, ``綾瀬真琴先生``) and
before a suffix that runs on past its kanji (``宇佐美 遼宛て``). A part that names a role,
a department or a company (``部長``, ``承認者``, ``営業部``, ``工業``), a word before a
space and a full name (``宛先 桐谷凛``), or a place name that is no surname (``横浜さん``)
is no name. Score 0.75, 0.85 for two parts with a space that the dictionary or an honorific
vouches for: above ``min_score``; where the lexicon (0.85-0.9) finds a name too, the higher
score wins, and of equal scores the longer span (``桐生　南希`` over the lexicon's ``南希``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import regex

from recognizers.base import LocalRecognizer, RecognizerResult, make_result

_HAN = r"[\p{Han}々ヶ]"
# A kanji that is no honorific: '様' ends a name, it is not part of it.
_NAME_HAN = r"(?:(?![様氏殿君])[\p{Han}々ヶ])"
#: Titles and words that follow a person's name and are no part of it (``桐谷健斗部長``,
#: ``綾瀬真琴先生``, ``水無瀬 透名義``): the name ends where they start.
TITLES = tuple(
    sorted(
        """
        部長 課長 係長 次長 社長 副社長 会長 室長 所長 店長 局長 本部長 支店長 工場長 主任 主査
        専務 常務 取締役 監査役 理事 顧問 先生 教授 博士 医師 先輩 後輩 社員 職員 名義 本人 専用
        """.split(),
        key=len,
        reverse=True,
    )
)
TITLE = regex.compile("|".join(TITLES))
SPACED = regex.compile(
    rf"""
    (?<! {_HAN} | [\p{{Katakana}}ー] )
    (?: (?P<a> {_HAN}{{0,3}} {_NAME_HAN} ) [\x20\u3000]        # no honorific ends it: 'お客様 竹中'
        (?P<b> {_NAME_HAN}{{1,3}}? )                            # 甲斐 志芳
      | (?P<a> [\p{{Katakana}}ー]{{2,7}} ) [\x20\u3000]
        (?P<b> [\p{{Katakana}}ー]{{1,7}} ) (?! [\p{{Katakana}}ー] ) )   # トクダ ミサオ
    (?= {TITLE.pattern}                                         # 小暮 凪部長
      | (?! {_NAME_HAN} | [\p{{Katakana}}ー] )
      | (?<= [\p{{Katakana}}ー] ) )                               # ヤマダ タロウ宛て
    """,
    regex.VERBOSE,
)
HAN_RUN = regex.compile(rf"{_NAME_HAN}+")
_KANJI = regex.compile(_HAN)
_KANJI_WORD = regex.compile(rf"{_HAN}+")
_HAN_OR_KATAKANA = regex.compile(r"[\p{Han}\p{Katakana}]")
_HIRAGANA = regex.compile(r"\p{Hiragana}")
_HIRAGANA_NAME = regex.compile(r"\p{Hiragana}+子?")
_HIRAGANA_OR_KANJI = regex.compile(r"[\p{Hiragana}\p{Han}]")
HONORIFIC = regex.compile(r"(?:さん|さま|様|氏|くん|君|ちゃん|殿|先生)")
#: The marks of a katakana loanword (``サーバー``, ``オフィス``, ``ヴ``), which Japanese names lack.
LOANWORD_MARK = regex.compile(r"[ーァィゥェォヮヴ]")
#: Words that follow a surname-like word as a role, a unit or a company, not a given name.
NOT_GIVEN = frozenset(
    """
    部 課 長 係 室 班 様 殿 氏 君 部長 課長 社長 係長 室長 主任 担当 会長 専務 常務 取締役 次長
    所長 店長 支店 本社 支社 工場 営業所 事務所 店 社 会 会社 工業 商事 製薬 銀行 建設 電機
    電気 産業 物産 証券 保険 病院 医院 大学 学校 駅 市 区 町 村 県 都 府 道 線 口 通り 様方
    """.split()
)
#: Last characters of place names (a city, a port, a station, a line, a river).
PLACE_SUFFIX = frozenset("市区町村県都府道港駅線橋川山島湾寺園")
#: Words that name a role or a department, not a surname or a given name.
NOT_FAMILY = frozenset(
    """
    管理者 担当者 担当 利用者 社員 氏名 名前 申請者 承認者 作成者 更新者 所有者 依頼者 受付
    当番 部長 課長 社長 営業部 経理部 総務部 人事部 情報システム部 ユーザー ユーザ
    メンバー ゲスト アカウント
    """.split()
)
# What the tagger may call a surname, or a word or a place that is a surname too.
_SURNAME_KINDS = frozenset({"姓", "地名", "noun", "common"})
# Particles that may follow a given name in hiragana ('かおるの', 'たまきが'); others ('か')
# may as well be the name's own last letter.
_CASE_PARTICLES = frozenset({"格助詞", "係助詞"})


class Tag(NamedTuple):
    """One token of the tagged text."""

    start: int
    end: int
    #: 姓, 名, 地名, unknown (out of the dictionary), particle, suffix, noun, or common
    kind: str


def _kind(pos: tuple[str, ...]) -> str:
    """A :class:`Tag` kind from Sudachi's part of speech (``名詞,固有名詞,人名,姓,*,*``)."""
    if pos[1] == "固有名詞" and pos[2] == "人名":
        return pos[3] if pos[3] in ("姓", "名") else "名"
    if pos[1] == "固有名詞" and pos[2] == "地名":
        return "地名"
    if pos[0] == "助詞" and pos[1] in _CASE_PARTICLES:
        return "particle"
    if pos[0] == "接尾辞":
        return "suffix"
    if pos[1] == "普通名詞":
        return "noun"
    return "common"


def _dictionary() -> Any:  # sudachipy.Dictionary, imported on first use
    from sudachipy import Dictionary

    return Dictionary(dict="small")


class SudachiNameRecognizer(LocalRecognizer):
    """Find Japanese full names with Sudachi's dictionary of names."""

    ENTITY = "PERSON"
    SCORE = 0.75
    #: A surname the dictionary tags, or a given name, or an honorific, with a space between
    #: the parts: as sure as the lexicon's known surname with any given name, and longer
    #: (``桐生　南希`` over the lexicon's ``南希``: a tie goes to the longer span).
    SPACED_SCORE = 0.85

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language)
        self._dictionary: Any = None
        self._tokenizer: Any = None
        self._surnames: dict[str, bool] = {}
        self._kinds_by_pos: dict[int, str] = {}

    def load(self) -> None:
        """The dictionary is opened on first use (a process that never sees Japanese skips it)."""

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        """Find Japanese names in ``text``.

        Args:
            text: A field value or a line of free text (NFKC-normalised by the engine).
            entities: Unused; the caller chooses.
            nlp_artifacts: Unused.

        Returns:
            One result per name, in text order.
        """
        if text.isascii() or not _HAN_OR_KATAKANA.search(text):
            return []
        tags = self._tags(text)
        found: list[tuple[int, int, float]] = []
        for m in SPACED.finditer(text, overlapped=True):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            hit = self._spaced_name(text, m, tags)
            if hit:
                found.append((m.start(), *hit))
        for i, tag in enumerate(tags):
            if tag.kind not in _SURNAME_KINDS or not _KANJI.match(text, tag.start):
                continue  # a surname is written in kanji ('さだ子' is a given name)
            if tag.start and _KANJI.match(text, tag.start - 1):
                continue  # inside a longer word ('新宿区森田町')
            if any(s <= tag.start < e for s, e, _ in found):
                continue
            if self._after_surname(text, i, tags):
                continue  # a given name that reads as a surname ('宇佐美　陽真')
            hit = self._joined_name(text, i, tags)
            if hit:
                found.append((*hit, self.SCORE))
        found.sort()
        return [make_result(self, self.ENTITY, s, e, score) for s, e, score in found]

    # -- the dictionary -----------------------------------------------------------------
    def _tags(self, text: str) -> list[Tag]:
        """One :class:`Tag` per token of ``text``."""
        if self._tokenizer is None:
            from sudachipy import SplitMode

            self._dictionary = _dictionary()
            self._tokenizer = self._dictionary.tokenizer(mode=SplitMode.C)
        kinds = self._kinds_by_pos
        out = []
        for m in self._tokenizer.tokenize(text):
            if m.is_oov():
                kind = "unknown"
            else:
                pos_id = m.part_of_speech_id()
                kind = kinds.get(pos_id) or kinds.setdefault(pos_id, _kind(m.part_of_speech()))
            out.append(Tag(m.begin(), m.end(), kind))
        return out

    def _is_surname(self, word: str) -> bool:
        """Whether an entry of the dictionary for ``word`` is a surname (``落合``, not ``横浜``)."""
        known = self._surnames.get(word)
        if known is None:
            known = any(
                tuple(m.part_of_speech()[2:4]) == ("人名", "姓")
                for m in self._dictionary.lookup(word)
            )
            if len(self._surnames) < 10_000:
                self._surnames[word] = known
        return known

    @staticmethod
    def _kinds(tags: list[Tag], start: int, end: int) -> list[str]:
        return [t.kind for t in tags if start <= t.start and t.end <= end]

    @staticmethod
    def _given_like(start: int, end: int, tags: list[Tag], places: bool = False) -> bool:
        """The kanji from ``start`` to ``end`` read as a given name, not as a word.

        The dictionary calls them a given name, does not know them, or splits them into
        single characters (most given names outside its list are split so); a single
        character it calls a place counts only with ``places``.
        """
        pieces = [t for t in tags if start <= t.start and t.end <= end]
        return bool(pieces) and (
            any(t.kind in ("名", "unknown") for t in pieces)
            or all(t.end - t.start == 1 and (places or t.kind != "地名") for t in pieces)
        )

    def _after_surname(self, text: str, i: int, tags: list[Tag]) -> bool:
        """Whether a surname and a space come right before the token ``tags[i]``."""
        if i < 2 or text[tags[i - 1].start : tags[i - 1].end] not in (" ", "\u3000"):
            return False
        before = tags[i - 2]
        word = text[before.start : before.end]
        return before.kind == "姓" or (
            _KANJI_WORD.fullmatch(word) is not None and self._is_surname(word)
        )

    # -- two parts and a space ----------------------------------------------------------
    def _spaced_name(self, text: str, m: regex.Match, tags: list[Tag]) -> tuple[int, float] | None:
        """The end and score of the pair ``m`` as a name, or None."""
        end = _given_end(m.start("b"), m.end("b"), tags)
        a, b = m.group("a"), text[m.start("b") : end]
        if a in NOT_FAMILY or b in NOT_GIVEN or b in NOT_FAMILY:
            return None  # a role ('管理者 鈴木'), or the next label ('宇佐美遼　承認者：…')
        kinds_a = self._kinds(tags, m.start("a"), m.end("a"))
        kinds_b = self._kinds(tags, m.start("b"), end)
        if a[-1:] in "部課" and len(a) >= 2 and kinds_a != ["姓"]:
            return None  # a department ('営業部 会議室'), not a surname ('矢部 悠真')
        kanji = _KANJI.match(a) is not None
        surname = "姓" in kinds_a or (kanji and self._is_surname(a))
        if kinds_b[:1] == ["姓"] and len(kinds_b) > 1 and set(kinds_a) == {"noun"} and not surname:
            return None  # a word, then a name of its own ('宛先 桐谷凛'; not '石動 森花')
        if "姓" in kinds_a or "名" in kinds_b or HONORIFIC.match(text, end):
            return end, self.SPACED_SCORE
        if kanji:
            # a place name or a word that is a surname too ('茂木', '大木'); the given part
            # must not be a word
            given = self._given_like(m.start("b"), end, tags, places=True)
            return (end, self.SCORE) if surname and given else None
        # katakana: loanwords ('ファイル サーバー') are in the dictionary; names mostly are not
        namey = ("unknown", "名", "姓")
        if any(k in namey for k in kinds_a) or any(k in namey for k in kinds_b):
            return end, self.SCORE
        # a place name's reading is a surname's ('ナゴヤ'), unless a loanword is with it
        if kinds_a == ["地名"] and not LOANWORD_MARK.search(a + b):
            return end, self.SCORE
        return None

    # -- a surname and what follows it --------------------------------------------------
    def _joined_name(self, text: str, i: int, tags: list[Tag]) -> tuple[int, int] | None:
        """The name that starts with the token ``tags[i]``, if it is a surname."""
        start, end, kind = tags[i]
        word = text[start:end]
        tagged = kind == "姓"
        if not _KANJI_WORD.fullmatch(word) or (not tagged and not self._is_surname(word)):
            return None  # no surname, or a place no one is named after ('横浜さん')
        hiragana = self._hiragana_given(text, i, tags)
        if hiragana:
            return start, hiragana
        run = HAN_RUN.match(text, end)
        rest = _before_title(run.group() if run else "", end, tags)
        rest = rest[: _given_end(end, end + len(rest), tags) - end]
        honorific = HONORIFIC.match(text, end + len(rest)) is not None
        if not rest:
            return (start, end) if honorific else None
        if len(rest) > 3 or rest in NOT_GIVEN or rest[-1:] in "部課":
            return None
        pieces = [t for t in tags if end <= t.start and t.end <= end + len(rest)]
        if tagged:  # a surname, then a given name, unknown kanji or single characters
            name_like = (
                any(t.kind in ("名", "unknown") for t in pieces)
                or all(t.end - t.start == 1 for t in pieces)
                or honorific
            )
        else:  # a place or a word that is a surname too ('高松', '大木'), not '横浜港'
            # a word of the dictionary after it names a place or a firm ('千葉電算様')
            word_after = len(pieces) == 1 and pieces[0].kind == "noun" and len(rest) > 1
            name_like = (honorific and not word_after) or (
                self._given_like(end, end + len(rest), tags)
                and rest[-1] not in PLACE_SUFFIX
                # one kanji after a word ('大木戸': a gate) is no given name
                and (len(rest) > 1 or kind == "地名" or pieces[0].kind == "名")
            )
        return (start, end + len(rest)) if name_like else None

    @staticmethod
    def _hiragana_given(text: str, i: int, tags: list[Tag]) -> int | None:
        """The end of a given name in hiragana after the surname ``tags[i]``, or None.

        A token in hiragana that the dictionary calls a name (``桐谷さやか``, ``羽生 さやか``,
        ``椎名 とし子``; ``椎名 さだ子``, where it reads ``さだ`` as a name and ``子`` apart),
        then a particle, an honorific or no more hiragana (``桐谷ゆりか`` may be ``ゆり``).
        """
        j = i + 1
        if j < len(tags) and text[tags[j].start : tags[j].end] in (" ", "\u3000"):
            j += 1
        if j >= len(tags) or tags[j].kind not in ("名", "姓"):
            return None
        word = text[tags[j].start : tags[j].end]
        if not _HIRAGANA.search(word):
            return None
        if not _HIRAGANA_NAME.fullmatch(word):
            return None  # kanji in it: the kanji paths read it
        if tags[j].kind == "姓" or not word.endswith("子"):
            if j + 1 < len(tags) and text[tags[j + 1].start : tags[j + 1].end] == "子":
                j += 1
            elif tags[j].kind == "姓":
                return None
        end = tags[j].end
        if (
            j + 1 == len(tags)
            or tags[j + 1].kind == "particle"
            or HONORIFIC.match(text, end)
            or not _HIRAGANA_OR_KANJI.match(text, end)
        ):
            return end
        return None


def _before_title(run: str, at: int, tags: list[Tag]) -> str:
    """The kanji ``run`` (at offset ``at``) without a title that follows the given name.

    ``健斗部長`` -> ``健斗``, ``健斗社長室`` -> ``健斗``: the title must start a token of its own
    (``支店長`` is one word, ``店長`` no title inside it).
    """
    starts = {t.start for t in tags}
    for cut in range(1, min(len(run), 4)):
        if at + cut in starts and TITLE.match(run, cut):
            return run[:cut]
    return run


def _given_end(start: int, end: int, tags: list[Tag]) -> int:
    """Where a given name in the kanji from ``start`` to ``end`` ends.

    Before a suffix that runs on past the kanji (``遼宛て``: ``宛て`` is one word of the
    dictionary), else at ``end``. Other words that run on past the kanji are the tagger's
    guesses at an unknown name (``郁己が`` read as ``郁`` and ``己が``), and a suffix inside
    the kanji is often a name's own last character (``…江``, ``…子``).
    """
    for t in tags:
        if start < t.start < end < t.end and t.kind == "suffix":
            return t.start
    return end
