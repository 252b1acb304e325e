import unicodedata

import pytest
from assertions import assert_spans

PERSON = "PERSON"


@pytest.fixture(scope="module")
def recognizer(by_name):
    return by_name["PersonNameRecognizer"]


def analyze(recognizer, text):
    # The engine hands recognizers NFKC text (full-width spaces and half-width kana folded).
    text = unicodedata.normalize("NFKC", text)
    return text, recognizer.analyze(text, [PERSON], None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kanji, half- and full-width spaces, rare surnames
        ("User 山田 太郎 connected", [(PERSON, "山田 太郎")]),
        ("User 山田\u3000太郎 connected", [(PERSON, "山田 太郎")]),
        ("scan by 五十嵐 蓮", [(PERSON, "五十嵐 蓮")]),
        ("user 勅使河原 美咲 logged on", [(PERSON, "勅使河原 美咲")]),
        ("小鳥遊 陽菜 が承認しました", [(PERSON, "小鳥遊 陽菜")]),
        ("東海林 誠", [(PERSON, "東海林 誠")]),
        ("担当者山田太郎が承認", [(PERSON, "山田太郎")]),  # no space: both parts known
        ("佐藤花子さんがポリシーを変更しました", [(PERSON, "佐藤花子")]),
        ("鬼塚葵さんが変更", [(PERSON, "鬼塚葵")]),  # unknown surname, known given + honorific
        ("Login failed for user 鬼塚 翔: invalid", [(PERSON, "鬼塚 翔")]),  # unknown surname
        ("管理者 鈴木 一郎 がユーザーを無効にしました", [(PERSON, "鈴木 一郎")]),  # not '管理者 鈴木'
        ("佐藤 さくら", [(PERSON, "佐藤 さくら")]),  # kana given name
        # a title or honorific written on to the given name is not part of the name
        ("担当は山田 太郎様です", [(PERSON, "山田 太郎")]),
        ("田中 一郎宛に送付しました", [(PERSON, "田中 一郎")]),
        ("鈴木 花子氏が承認", [(PERSON, "鈴木 花子")]),
        ("山田 一郎部長が承認", [(PERSON, "山田 一郎")]),
        # kana
        ("タナカ ケンジ がログイン", [(PERSON, "タナカ ケンジ")]),
        ("ユーザー ナカムラ ユイ のメール", [(PERSON, "ナカムラ ユイ")]),
        ("やまもと さくら", [(PERSON, "やまもと さくら")]),
        ("ヤマダタロウさん", [(PERSON, "ヤマダタロウ")]),
        ("\uff7b\uff72\uff84\uff73 \uff80\uff9b\uff73 connected", [(PERSON, "サイトウ タロウ")]),  # half-width
        # romanised, either order, upper-case family name
        ("Taro Yamada connected via VPN", [(PERSON, "Taro Yamada")]),
        ("YAMADA Taro", [(PERSON, "YAMADA Taro")]),
        ("Approved by Misaki Teshigawara", [(PERSON, "Misaki Teshigawara")]),
        ("Sho Onitsuka", [(PERSON, "Sho Onitsuka")]),  # known given name only
        # English
        ("Login failed for user Emily Carter: invalid credentials", [(PERSON, "Emily Carter")]),
        ("James O'Brien signed in", [(PERSON, "James O'Brien")]),
        ("David Garcia SIEM key", [(PERSON, "David Garcia")]),
        ("David Leeさんが変更", [(PERSON, "David Lee")]),
    ],
)
def test_finds(recognizer, text, expected):
    text, results = analyze(recognizer, text)
    assert_spans(results, text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Rule Allow Business Apps matched",
        "Grant Access to the share",
        "Hanako’s MacBook Pro",  # a device, and a single name
        "山田さんが承認",  # a surname alone
        "山田 さん",
        "東京都 渋谷区",
        "本田技研工業",
        "Example Broadband K.K.",
        "Microsoft Teams",
        "Emily",
        "taro.yamada@example.com",
        "C:\\Users\\tyamada\\Desktop",
        "ユーザー ログイン",  # two kana words, no name
        "Mark Complete",  # a given name before a log word
    ],
)
def test_never(recognizer, text):
    text, results = analyze(recognizer, text)
    assert_spans(results, text, [])


def test_scores_rank_lexicon_over_context(recognizer):
    _, both = analyze(recognizer, "山田 太郎")
    _, context = analyze(recognizer, "user 鬼塚 颯")
    assert both[0].score == 0.9
    assert context[0].score == 0.7
    assert all(r.recognition_metadata["recognizer_name"] == "PersonNameRecognizer" for r in both)
