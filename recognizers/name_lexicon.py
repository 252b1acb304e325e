"""A compact lexicon of Japanese surnames and given names, with readings, and English given names.

Written for catoscan (no third-party data, no licence strings attached). The Japanese
lists hold the most common surnames (roughly the top 300, which cover most of the
population) plus rare ones that scanners usually miss (勅使河原, 小鳥遊, 東海林,
四月一日), each as ``kanji:reading``. Romanised and katakana forms are derived from the
reading, so one entry covers ``山田``, ``やまだ``, ``ヤマダ``, ``Yamada``; long vowels are
romanised three ways (``Satou``, ``Sato``, ``Satoh``).
"""

from __future__ import annotations

JA_SURNAMES = """
佐藤:さとう 鈴木:すずき 高橋:たかはし 田中:たなか 伊藤:いとう 渡辺:わたなべ 渡邉:わたなべ
渡部:わたなべ 山本:やまもと 中村:なかむら 小林:こばやし 加藤:かとう 吉田:よしだ 山田:やまだ
佐々木:ささき 山口:やまぐち 松本:まつもと 井上:いのうえ 木村:きむら 林:はやし 斎藤:さいとう
斉藤:さいとう 清水:しみず 山崎:やまざき 森:もり 池田:いけだ 橋本:はしもと 阿部:あべ
石川:いしかわ 山下:やました 中島:なかじま 石井:いしい 小川:おがわ 前田:まえだ 岡田:おかだ
長谷川:はせがわ 藤田:ふじた 後藤:ごとう 近藤:こんどう 村上:むらかみ 遠藤:えんどう 青木:あおき
坂本:さかもと 斉木:さいき 福田:ふくだ 太田:おおた 西村:にしむら 藤井:ふじい 金子:かねこ
岡本:おかもと 藤原:ふじわら 中野:なかの 三浦:みうら 原田:はらだ 中川:なかがわ 松田:まつだ
竹内:たけうち 小野:おの 田村:たむら 中山:なかやま 和田:わだ 石田:いしだ 森田:もりた 上田:うえだ
原:はら 内田:うちだ 柴田:しばた 酒井:さかい 宮崎:みやざき 横山:よこやま 高木:たかぎ
安藤:あんどう 宮本:みやもと 大野:おおの 小島:こじま 谷口:たにぐち 今井:いまい 工藤:くどう
高田:たかだ 増田:ますだ 丸山:まるやま 杉山:すぎやま 村田:むらた 大塚:おおつか 新井:あらい
小山:こやま 平野:ひらの 藤本:ふじもと 河野:こうの 上野:うえの 野口:のぐち 武田:たけだ
松井:まつい 千葉:ちば 岩崎:いわさき 菅原:すがわら 木下:きのした 久保:くぼ 佐野:さの 野村:のむら
松尾:まつお 市川:いちかわ 菊地:きくち 杉本:すぎもと 古川:ふるかわ 大西:おおにし 島田:しまだ
水野:みずの 桜井:さくらい 高野:たかの 渡部:わたべ 吉川:よしかわ 山内:やまうち 西田:にしだ
飯田:いいだ 菊池:きくち 西川:にしかわ 小松:こまつ 北村:きたむら 安田:やすだ 五十嵐:いがらし
川口:かわぐち 平田:ひらた 関:せき 中田:なかた 久保田:くぼた 服部:はっとり 東:あずま 岩田:いわた
土屋:つちや 川崎:かわさき 福島:ふくしま 本田:ほんだ 辻:つじ 樋口:ひぐち 秋山:あきやま
田口:たぐち 永井:ながい 山中:やまなか 中西:なかにし 吉村:よしむら 川上:かわかみ 石原:いしはら
大橋:おおはし 松岡:まつおか 馬場:ばば 浅野:あさの 荒木:あらき 大久保:おおくぼ 野田:のだ
小池:こいけ 菅野:すがの 熊谷:くまがい 田辺:たなべ 川村:かわむら 星野:ほしの 黒田:くろだ 堀:ほり
尾崎:おざき 望月:もちづき 永田:ながた 内藤:ないとう 松村:まつむら 西山:にしやま 平井:ひらい
大島:おおしま 岩本:いわもと 片山:かたやま 本間:ほんま 早川:はやかわ 横田:よこた 岡崎:おかざき
荒井:あらい 大石:おおいし 鎌田:かまた 成田:なりた 宮田:みやた 小田:おだ 石橋:いしばし
篠原:しのはら 須藤:すどう 河合:かわい 大谷:おおたに 高山:たかやま 吉岡:よしおか 小西:こにし
南:みなみ 宮下:みやした 松下:まつした 川島:かわしま 桑原:くわばら 中尾:なかお 北川:きたがわ
大川:おおかわ 西尾:にしお 上原:うえはら 浜田:はまだ 飯島:いいじま 原口:はらぐち 川田:かわだ
松浦:まつうら 奥村:おくむら 大西:おおにし 関口:せきぐち 吉野:よしの 岡村:おかむら 坂口:さかぐち
土井:どい 白石:しらいし 小沢:おざわ 小澤:おざわ 西:にし 森本:もりもと 新田:にった 堀内:ほりうち
稲葉:いなば 村井:むらい 秋元:あきもと 大竹:おおたけ 安部:あべ 内山:うちやま 浅井:あさい
中井:なかい 三宅:みやけ 青山:あおやま 西野:にしの 矢野:やの 竹田:たけだ 桜木:さくらぎ
藤川:ふじかわ 福井:ふくい 堀田:ほった 中沢:なかざわ 中澤:なかざわ 小倉:おぐら 宇野:うの
高井:たかい 小原:おはら 吉原:よしはら 山岸:やまぎし 平川:ひらかわ 松原:まつばら 広瀬:ひろせ
岡:おか 本多:ほんだ 矢田:やだ 木内:きうち 野崎:のざき 高瀬:たかせ 立花:たちばな 橘:たちばな
神田:かんだ 水谷:みずたに 徳永:とくなが 黒川:くろかわ 森下:もりした 大森:おおもり 今村:いまむら
大山:おおやま 井口:いぐち 岩井:いわい 小谷:こたに 松永:まつなが 山根:やまね 有馬:ありま
天野:あまの 芦田:あしだ 相沢:あいざわ 相川:あいかわ 赤坂:あかさか 秋田:あきた 浅田:あさだ
東海林:しょうじ 勅使河原:てしがわら 小鳥遊:たかなし 四月一日:わたぬき 一ノ瀬:いちのせ
一之瀬:いちのせ 九十九:つくも 長宗我部:ちょうそかべ 御手洗:みたらい 百目鬼:どうめき
十文字:じゅうもんじ 五月女:そうとめ 西園寺:さいおんじ 伊集院:いじゅういん 綾小路:あやのこうじ
六角:ろっかく 八月一日:ほづみ 鬼頭:きとう 釘宮:くぎみや 猪狩:いがり 薬師寺:やくしじ
左右田:そうだ 月見里:やまなし 宍戸:ししど 纐纈:こうけつ
"""

JA_GIVEN = """
太郎:たろう 次郎:じろう 一郎:いちろう 健:けん 健太:けんた 健一:けんいち 健二:けんじ 健司:けんじ
賢治:けんじ 大輔:だいすけ 翔太:しょうた 翔:しょう 蓮:れん 大翔:ひろと 悠人:ゆうと 陽翔:はると
湊:みなと 樹:いつき 拓也:たくや 直樹:なおき 誠:まこと 浩:ひろし 博:ひろし 隆:たかし 学:まなぶ
茂:しげる 修:おさむ 和也:かずや 達也:たつや 哲也:てつや 雄一:ゆういち 亮:りょう 涼:りょう
颯太:そうた 蒼:あおい 陸:りく 悠真:ゆうま 優斗:ゆうと 大和:やまと 悠:ゆう 航:わたる 光:ひかる
剛:つよし 淳:じゅん 聡:さとし 花子:はなこ 美咲:みさき 陽菜:ひな 結衣:ゆい 葵:あおい 彩:あや
由美:ゆみ 真由美:まゆみ 恵子:けいこ さくら:さくら 桜:さくら 愛:あい 結菜:ゆいな 凛:りん
芽衣:めい 美穂:みほ 優子:ゆうこ 裕子:ゆうこ 智子:ともこ 久美子:くみこ 直美:なおみ 明美:あけみ
洋子:ようこ 幸子:さちこ 京子:きょうこ 美香:みか 麻衣:まい 舞:まい 奈々:なな 七海:ななみ
彩花:あやか 真央:まお 莉子:りこ 杏:あん 楓:かえで ひなた:ひなた ゆい:ゆい はると:はると
紬:つむぎ 陽子:ようこ 千尋:ちひろ 瞳:ひとみ 香織:かおり
"""

#: Common English given names (US usage); a capitalised word after one is read as a surname.
EN_GIVEN = frozenset(
    """
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
    Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy
    Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily
    Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah
    Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy
    Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry
    Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine
    Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia
    Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan
    Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia
    Ethan Judith Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl
    Roger Jacqueline Terry Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha
    Harold Sara Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Ann Arthur Isabella
    Gabriel Judy Bruce Charlotte Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean
    Elijah Denise Willie Frances Albert Danielle Wayne Marilyn Randy Natalie Mason Beverly
    Vincent Diana Liam Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Doris Russell
    Lori Lucas Tiffany Chloe Mia Ava Ella Lily Zoe Nora Ruby Oliver Leo Owen Luke Hugo
    """.split()
)


def _pairs(block: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(item.split(":", 1)) for item in block.split())  # type: ignore[misc]


SURNAME_ENTRIES = _pairs(JA_SURNAMES)
GIVEN_ENTRIES = _pairs(JA_GIVEN)

_KANA = {
    **dict(zip("あいうえお", ["a", "i", "u", "e", "o"], strict=True)),
    **dict(zip("かきくけこ", ["ka", "ki", "ku", "ke", "ko"], strict=True)),
    **dict(zip("がぎぐげご", ["ga", "gi", "gu", "ge", "go"], strict=True)),
    **dict(zip("さしすせそ", ["sa", "shi", "su", "se", "so"], strict=True)),
    **dict(zip("ざじずぜぞ", ["za", "ji", "zu", "ze", "zo"], strict=True)),
    **dict(zip("たちつてと", ["ta", "chi", "tsu", "te", "to"], strict=True)),
    **dict(zip("だぢづでど", ["da", "ji", "zu", "de", "do"], strict=True)),
    **dict(zip("なにぬねの", ["na", "ni", "nu", "ne", "no"], strict=True)),
    **dict(zip("はひふへほ", ["ha", "hi", "fu", "he", "ho"], strict=True)),
    **dict(zip("ばびぶべぼ", ["ba", "bi", "bu", "be", "bo"], strict=True)),
    **dict(zip("ぱぴぷぺぽ", ["pa", "pi", "pu", "pe", "po"], strict=True)),
    **dict(zip("まみむめも", ["ma", "mi", "mu", "me", "mo"], strict=True)),
    **dict(zip("やゆよ", ["ya", "yu", "yo"], strict=True)),
    **dict(zip("らりるれろ", ["ra", "ri", "ru", "re", "ro"], strict=True)),
    "わ": "wa",
    "を": "o",
    "ん": "n",
}
_SMALL = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def hiragana_to_romaji(kana: str) -> str:
    """Hepburn romanisation of a hiragana reading, long vowels kept (``さとう`` -> ``satou``)."""
    out: list[str] = []
    i = 0
    double = False
    while i < len(kana):
        ch = kana[i]
        if ch == "っ":
            double = True
            i += 1
            continue
        syl = _KANA.get(ch, "")
        if i + 1 < len(kana) and kana[i + 1] in _SMALL and syl:
            base = syl[:-1]
            base = base if base in ("sh", "ch", "j") else base + "y"
            syl = base + _SMALL[kana[i + 1]]
            i += 1
        if double and syl:
            syl = ("t" if syl.startswith("ch") else syl[0]) + syl
        double = False
        if ch == "ん" and i + 1 < len(kana) and _KANA.get(kana[i + 1], "x")[0] in "aiueoy":
            syl = "n'"
        out.append(syl)
        i += 1
    return "".join(out).replace("'", "")


def romaji_variants(kana: str) -> set[str]:
    """The spellings people use for a reading: ``satou``, ``sato``, ``satoh``."""
    full = hiragana_to_romaji(kana)
    short = full.replace("ou", "o").replace("oo", "o").replace("uu", "u")
    oh = full.replace("ou", "oh").replace("oo", "oh")
    return {full, short, oh}


def to_katakana(hiragana: str) -> str:
    """Katakana for a hiragana string (same code point layout, offset 0x60)."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hiragana)


def japanese_forms() -> dict[str, frozenset[str]]:
    """Lookup sets: kanji, kana and romaji forms of surnames and given names."""
    forms: dict[str, set[str]] = {
        k: set()
        for k in ("surname_kanji", "surname_kana", "surname_roman", "given_kanji", "given_kana")
    }
    forms["given_roman"] = set()
    for kind, entries in (("surname", SURNAME_ENTRIES), ("given", GIVEN_ENTRIES)):
        for kanji, reading in entries:
            forms[f"{kind}_kanji"].add(kanji)
            forms[f"{kind}_kana"].update({reading, to_katakana(reading)})
            forms[f"{kind}_roman"].update(v.capitalize() for v in romaji_variants(reading))
    return {k: frozenset(v) for k, v in forms.items()}
