"""Japanese names outside the lexicon, with Sudachi's dictionary of names."""

import pytest
from assertions import assert_spans

from scanner.config import load_configs
from scanner.detect.detector import Detector
from scanner.detect.fieldmap import PLAIN_TEXT

PERSON = "PERSON"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["SudachiNameRecognizer"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("申請者 杉浦 萌黄 が承認待ち", [(PERSON, "杉浦 萌黄")]),
        ("沖田総悟が退室しました", [(PERSON, "沖田総悟")]),
        ("宛先: ニシザワ ユウト", [(PERSON, "ニシザワ ユウト")]),
        ("堤 真一様の端末", [(PERSON, "堤 真一")]),
        ("二階堂 遥さんへ連絡", [(PERSON, "二階堂 遥")]),
        # a surname the tagger reads as a word (a big tree, an inland sea, a star)
        ("大木 澄香からの申請", [(PERSON, "大木 澄香")]),
        ("内海夕乃による変更", [(PERSON, "内海夕乃")]),
        ("根本夕乃が承認", [(PERSON, "根本夕乃")]),
        ("星 紗良が承認", [(PERSON, "星 紗良")]),
        # a surname that ends like a department
        ("矢部 悠真が確認", [(PERSON, "矢部 悠真")]),
        # a given name in hiragana, also with 子 read apart
        ("羽生 さやかが承認", [(PERSON, "羽生 さやか")]),
        ("桐谷さやかの申請", [(PERSON, "桐谷さやか")]),
        ("椎名 とし子が承認", [(PERSON, "椎名 とし子")]),
        # a katakana pair that reads as a place and a word, without a loanword's marks
        ("ナゴヤ カエデが承認", [(PERSON, "ナゴヤ カエデ")]),
        # a place name that is also a surname, alone before an honorific
        ("落合さんの備品", [(PERSON, "落合")]),
        # a place that the dictionary does not know as a surname, before a name
        ("石動 森花が承認", [(PERSON, "石動 森花")]),
    ],
)
def test_finds(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [PERSON], None), text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title ends the name, spaced, joined, in katakana, split by the tagger or not
        ("桐谷健斗部長の承認", "桐谷健斗"),
        ("小暮 凪部長へ報告", "小暮 凪"),
        ("ハヤマ リョウ課長より連絡", "ハヤマ リョウ"),
        ("綾瀬真琴先生の講義", "綾瀬真琴"),
        ("水無瀬 透名義の口座", "水無瀬 透"),
        # a suffix that runs on past the kanji is no part of the given name
        ("宇佐美 遼宛てのメール", "宇佐美 遼"),
        ("ハヤマ リョウ宛ての書類", "ハヤマ リョウ"),
        # a word before the space, then a name of its own
        ("宛先 桐谷凛", "桐谷凛"),
        ("記録 桐谷凛が入館", "桐谷凛"),
        # an honorific does not end the part before the space ('お客様' is no surname)
        ("お客様 桐谷要 からの電話", "桐谷要"),
    ],
)
def test_the_name_ends_and_starts_where_it_does(recognizer, text, expected):
    assert_spans(recognizer.analyze(text, [PERSON], None), text, [(PERSON, expected)])


def test_the_next_label_is_no_given_name(recognizer):
    text = "作成者：宇佐美遼　承認者：真壁蒼"
    assert_spans(
        recognizer.analyze(text, [PERSON], None), text, [(PERSON, "宇佐美遼"), (PERSON, "真壁蒼")]
    )


@pytest.mark.parametrize(
    "text",
    [
        "申請 完了",  # two words, no name
        "東京 本社でメンテナンス",  # a place and an office
        "ファイル サーバー停止",  # loanwords
        "ニューヨーク オフィス",  # a place and a loanword
        "アクセス ログを確認",  # two words in katakana
        "営業部 会議室",
        "小林製薬の請求書",  # a surname, then a company word
        "横浜港の倉庫",
        "Login failed for user",  # no Japanese at all
        "仙台さんの備品",  # a place no one is named after, with an honorific
        "千葉倉庫様",  # a place and a word of the dictionary, with an honorific
        "大木戸の門を開ける",  # one kanji after a word that is a surname too
        "根本原因を調査",  # a surname too, then a word
        "大内ゆりか／経理課",  # 'ゆり' and 'か', or 'ゆりか': no guess
        "山田の子が来た",  # a particle is no given name
        # a given name that reads as a surname does not start a name of its own
        "宇佐美　陽真両名の承認",
    ],
)
def test_never(recognizer, text):
    assert_spans(recognizer.analyze(text, [PERSON], None), text, [])


def test_a_spaced_name_with_a_tagged_part_wins_over_a_shorter_listed_name():
    """``桐生　南希``: the lexicon finds ``南希`` (its surname 南, then 希 and an honorific)."""
    detector = Detector(load_configs(), nlp="none")
    text = "桐生　南希くんの端末"
    people = [s for s in detector.spans(PLAIN_TEXT, text) if s.entity == PERSON]
    assert [text[s.start : s.end] for s in people] == ["桐生　南希"]
