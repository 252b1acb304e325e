"""Free text per template: spaCy teaches a template's slots, its other messages skip spaCy.

The names below are invented for these tests and are in none of the detector's lists.
"""

import json
import shutil
from importlib import resources

import pytest

from scanner.config import load_configs
from scanner.detect.detector import Detector
from scanner.detect.fieldmap import PLAIN_TEXT
from scanner.detect.not_person import NER_TEMPLATE_DETECTOR
from scanner.detect.resolve import Span
from scanner.detect.templates import TemplateMiner, name_shaped, tokenize
from scanner.errors import ConfigError

NAMES = [
    "Marisol Quenby", "Tobiah Wrenfield", "Odalys Farnworth", "Casimir Okonkwo",
    "Yevgenia Halloran", "Anselm Drummore", "Ludovica Penhallow", "Thaddeus Birkett",
    "Soraya Villalba", "Ignatius Mbeki", "Perpetua Ashdown", "Florentin Keating",
]  # fmt: skip


def _messages(names=NAMES):
    return [f"Password for {n} expires in {i * 7 + 3} days" for i, n in enumerate(names)]


def _keys(text, masks=()):
    return [t.key for t in tokenize(text, list(masks))]


# ------------------------------------------------------------------------------ the miner
def test_tokens_keep_script_runs_apart_and_numbers_and_found_values_whole():
    assert _keys("User Daniel O'Brien connected from 10.1.2.3") == [
        "User", "Daniel", "O'Brien", "connected", "from", "0",
    ]  # fmt: skip
    assert _keys("山田太郎（営業部）がログインしました") == [
        "山田太郎", "（", "営業部", "）", "が", "ログイン", "しました",
    ]  # fmt: skip
    text = "Session closed for pat.lee@example.com now"
    email = Span(19, 38, "EMAIL_ADDRESS", 1.0, "EmailRecognizer")
    assert _keys(text, [email]) == ["Session", "closed", "for", "\x00EMAIL_ADDRESS", "now"]


def test_ascii_texts_are_tokenized_as_the_general_tokenizer_does():
    import random

    from scanner.detect import templates

    rng = random.Random(5)
    pieces = [chr(c) for c in range(128)] + ["O'Brien", "10.1.2.3", "a-b", "x.y", "12:30", "1,5"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 25))) for _ in range(20000)]
    for text in texts:
        fast: list = []
        general: list = []
        templates._ascii_tokens(text, 0, len(text), fast)
        templates._tokens(text, 0, len(text), general)
        assert fast == general, text


def test_an_identifier_of_letters_and_digits_is_one_number():
    assert _keys("Eva Garton downloaded report-b9d1ad.xlsx from home.") == [
        "Eva", "Garton", "downloaded", "0", "from", "home", ".",
    ]  # fmt: skip
    assert _keys("Ticket INC-0042 assigned to user_2 (v2.0-beta), x64 in 2024.") == [
        "Ticket", "0", "assigned", "to", "0", "(", "0", ")", ",", "0", "in", "0", ".",
    ]  # fmt: skip
    # words without digits, joiners at an identifier's ends and other scripts are as before
    assert _keys("-x64_ report-final.xlsx") == ["-", "0", "_", "report-final.xlsx"]
    assert _keys("山田2024年 café2") == ["山田", "0", "年", "café", "0"]


def test_identifiers_are_looked_for_only_where_a_letter_meets_a_digit():
    import random

    from scanner.detect import templates

    rng = random.Random(11)
    pieces = [chr(c) for c in range(32, 127)] + ["ab", "12", "_", "-", ".", "é", "山"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 16)))
        if templates._MIXED.search(text):
            continue
        tokens: list = []
        templates._tokens(text, 0, len(text), tokens)
        merged = list(tokens)
        templates._identifiers(merged, 0)
        assert merged == tokens, text


def test_messages_whose_identifiers_differ_share_a_template():
    miner = TemplateMiner(exemplars=4)
    a = miner.fit(tokenize("Eva Garton downloaded report-b9d1ad.xlsx from home", []))
    b = miner.fit(tokenize("Ann Lee downloaded report-0e2f41.xlsx from home", []))
    assert a.template is b.template
    assert a.template.keys == [None, None, "downloaded", "0", "from", "home"]


def test_names_have_the_shape_of_names():
    assert name_shaped(tokenize("Soraya Villalba", []))
    assert name_shaped(tokenize("渡辺 美咲", []))
    assert not name_shaped(tokenize("admin console", []))
    assert not name_shaped(tokenize("Build 42", []))


def _teach(miner, messages, label_of):
    """Fit every message, send the exemplars the miner wants through ``label_of``."""
    fits = [miner.fit(tokenize(m, [])) for m in messages]
    for fit, message in zip(fits, messages, strict=True):
        if miner.wants_exemplar(fit):
            miner.observe(fit, label_of(message))
    return fits


def _person(message):
    """The spans spaCy would give: the name after "for"."""
    name = message.split(" for ", 1)[1].split(" expires")[0]
    start = message.index(name)
    return [Span(start, start + len(name), "PERSON", 0.85, "SpacyRecognizer")]


def test_agreeing_exemplars_make_a_template_that_finds_its_slots_names():
    miner = TemplateMiner(exemplars=4)
    messages = _messages()
    fits = _teach(miner, messages, _person)
    template = fits[0].template
    assert all(f.template is template for f in fits)
    assert template.keys == ["Password", "for", None, None, "expires", "in", "0", "days"]
    assert template.trusted is True and template.labels == ("PERSON",)
    plan = miner.plan(fits[-1])
    assert [messages[-1][s.start : s.end] for s in plan] == ["Florentin Keating"]


def test_all_but_one_exemplar_is_enough_and_two_disagreeing_are_not():
    def one_missed(message):
        return [] if "Quenby" in message else _person(message)

    assert _teach(TemplateMiner(exemplars=4), _messages(), one_missed)[0].template.trusted

    def two_missed(message):
        return [] if "Quenby" in message or "Wrenfield" in message else _person(message)

    miner = TemplateMiner(exemplars=4)
    fits = _teach(miner, _messages(), two_missed)
    assert fits[0].template.trusted is False
    assert all(miner.plan(f) is None for f in fits)


def _teach_in_rounds(miner, messages, label_of):
    """What the detector does: the first two exemplars first, then more where needed."""
    fits = [miner.fit(tokenize(m, [])) for m in messages]
    asked = []
    waiting = list(zip(fits, messages, strict=True))
    for first in (True, False):
        chosen = [(f, m) for f, m in waiting if miner.wants_exemplar(f, first)]
        waiting = [(f, m) for f, m in waiting if (f, m) not in chosen]
        asked.append(len(chosen))
        for fit, message in chosen:
            miner.observe(fit, label_of(message))
    return fits, asked


def test_two_agreeing_exemplars_conclude_a_template():
    fits, asked = _teach_in_rounds(TemplateMiner(exemplars=4), _messages(), _person)
    assert asked == [2, 0] and fits[0].template.trusted is True
    assert fits[0].template.labels == ("PERSON",)


def test_slots_of_lower_case_words_without_a_name_in_two_exemplars_conclude_it():
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    messages = [f"Backup job {w} finished in {i * 3 + 1} seconds" for i, w in enumerate(words)]
    fits, asked = _teach_in_rounds(TemplateMiner(exemplars=4), messages, lambda m: [])
    assert asked == [2, 0] and fits[0].template.trusted is True
    assert fits[0].template.labels == (None,)


def test_two_exemplars_without_a_name_where_a_name_may_stand_do_not_conclude_it():
    """spaCy may miss a name twice: the next exemplars decide, by all but one agreeing."""

    def two_missed(message):
        return [] if "Quenby" in message or "Wrenfield" in message else _person(message)

    miner = TemplateMiner(exemplars=4)
    fits, asked = _teach_in_rounds(miner, _messages(), two_missed)
    assert asked == [2, 2] and fits[0].template.trusted is False  # two against two

    def first_missed(message):
        return [] if "Quenby" in message else _person(message)

    fits, asked = _teach_in_rounds(TemplateMiner(exemplars=4), _messages(), first_missed)
    assert asked == [2, 2] and fits[0].template.trusted is True  # three of four
    # A template of two exemplars only is concluded by the rule of all but one.
    fits, asked = _teach_in_rounds(TemplateMiner(exemplars=2), _messages(), two_missed)
    assert asked == [2, 0] and fits[0].template.trusted is True


def test_exemplars_that_disagree_are_joined_by_more_of_the_same_batch(detector, monkeypatch):
    """The detector's second round: the template's next messages teach it, in one prefetch."""
    from scanner.detect import templates

    monkeypatch.setattr(templates, "_conclude_early", lambda template: None)  # as if unsure
    seen = _count_ner(detector, monkeypatch)
    detector.begin_task()
    messages = _messages()
    detector.prefetch([(PLAIN_TEXT, m) for m in messages])
    assert seen == messages[:4]  # two, then two more; the rest by the template
    spans = detector.spans(PLAIN_TEXT, messages[-1])
    assert [(messages[-1][s.start : s.end], s.detector) for s in spans] == [
        (NAMES[-1], NER_TEMPLATE_DETECTOR)
    ]


def test_a_span_across_a_slots_edge_makes_the_template_spacys():
    def run_on(message):  # 'Password for Marisol' - half a slot
        return [Span(0, message.index(" ", 13), "PERSON", 0.85, "SpacyRecognizer")]

    fits = _teach(TemplateMiner(exemplars=3), _messages(), run_on)
    assert fits[0].template.trusted is False


def test_a_slot_value_without_a_names_shape_is_left_to_spacy():
    miner = TemplateMiner(exemplars=3)
    fits = _teach(miner, _messages(), _person)
    odd = miner.fit(tokenize("Password for svc backup expires in 9 days", []))
    assert odd.template is fits[0].template and miner.plan(odd) is None
    assert miner.plan(fits[-1]) is not None


def test_a_message_that_widens_a_template_starts_its_learning_again():
    miner = TemplateMiner(exemplars=3)
    fits = _teach(miner, _messages(), _person)
    template = fits[0].template
    assert template.trusted
    wider = miner.fit(tokenize("Password for Anselm Drummore lapses in 3 days", []))
    assert wider.template is template and template.trusted is None
    assert miner.plan(wider) is None  # learning again: spaCy reads it


def test_log_headers_do_not_make_unrelated_messages_one_template():
    """Timestamps, levels and brackets are alike in every line; only words count."""
    miner = TemplateMiner(exemplars=3)
    user = miner.fit(tokenize("2025-03-14 01:20:33.842 [INFO] User 山田 太郎 connected", []))
    other = miner.fit(tokenize("2025-03-14 01:20:35.101 [INFO] Disconnected: user request", []))
    assert other.template is not user.template
    again = miner.fit(tokenize("2025-03-14 02:14:59.529 [INFO] User 鈴木 花子 connected", []))
    assert again.template is user.template
    assert again.template.keys[5:] == ["User", None, None, "connected"]


def test_a_new_task_forgets_the_templates():
    miner = TemplateMiner(exemplars=3)
    fits = _teach(miner, _messages(), _person)
    miner.reset()
    again = miner.fit(tokenize(_messages()[0], []))
    assert again.template is not fits[0].template and again.template.trusted is None


# ----------------------------------------------------------------------------- the detector
@pytest.fixture(scope="module")
def detector():
    return Detector(load_configs(), nlp="spacy")


def _count_ner(detector, monkeypatch):
    engine = detector._get_analyzer().nlp_engine
    seen = []
    process_batch = engine.process_batch

    def counting(texts, *args, **kwargs):
        texts = list(texts)
        seen.extend(texts)
        return process_batch(texts, *args, **kwargs)

    monkeypatch.setattr(engine, "process_batch", counting)
    return seen


def test_a_trusted_template_spares_spacy_and_finds_names_no_list_holds(detector, monkeypatch):
    seen = _count_ner(detector, monkeypatch)
    detector.begin_task()
    before = list(detector.template_counts)
    messages = _messages()
    detector.prefetch([(PLAIN_TEXT, m) for m in messages])
    assert len(seen) == 2  # the exemplars: the first two agree
    assert [a - b for a, b in zip(detector.template_counts, before, strict=True)] == [10, 2]
    for message, name in zip(messages, NAMES, strict=True):
        spans = detector.spans(PLAIN_TEXT, message)
        assert [(message[s.start : s.end], s.entity) for s in spans] == [(name, "PERSON")]
    assert detector.spans(PLAIN_TEXT, messages[-1])[0].detector == NER_TEMPLATE_DETECTOR


def test_a_message_whose_slot_is_no_name_goes_through_spacy(detector, monkeypatch):
    seen = _count_ner(detector, monkeypatch)
    detector.begin_task()
    odd = "Password for backup service expires in 5 days"
    detector.prefetch([(PLAIN_TEXT, m) for m in [*_messages(), odd]])
    assert odd in seen
    assert not [s for s in detector.spans(PLAIN_TEXT, odd) if s.entity == "PERSON"]


def test_a_japanese_name_in_a_trusted_slot_is_kept(detector, monkeypatch):
    """spaCy's own PERSON spans on Japanese text are dropped; a slot whose exemplars held
    names (found by the Japanese name recognizer) is not spaCy's guess."""
    seen = _count_ner(detector, monkeypatch)
    detector.begin_task()
    names = ["山田 太郎", "鈴木 花子", "佐藤 健太", "高橋 美咲", "田中 一郎", "渡辺 さくら",
             "伊藤 蒼", "中村 凛"]  # fmt: skip
    messages = [f"ユーザー {n} が 198.51.100.{i} から接続しました" for i, n in enumerate(names)]
    detector.prefetch([(PLAIN_TEXT, m) for m in messages])
    assert len(seen) == 2
    for message, name in zip(messages, names, strict=True):
        people = [s for s in detector.spans(PLAIN_TEXT, message) if s.entity == "PERSON"]
        assert [message[s.start : s.end] for s in people] == [name], message


def test_only_spacys_own_japanese_names_are_dropped():
    from scanner.detect.not_person import NER_DETECTOR, is_not_a_name

    text = "ユーザー 小池 健 が接続しました"
    start = text.index("小池")
    assert is_not_a_name(Span(start, start + 4, "PERSON", 0.65, NER_DETECTOR), text)
    assert not is_not_a_name(Span(start, start + 4, "PERSON", 0.65, NER_TEMPLATE_DETECTOR), text)


def test_templates_off_runs_spacy_on_every_message(tmp_path, monkeypatch):
    source = resources.files("configs").joinpath("scanner.yaml").read_text(encoding="utf-8")
    (tmp_path / "scanner.yaml").write_text(
        source.replace("templates: {exemplars: 4", "templates: {exemplars: 0"), encoding="utf-8"
    )
    off = Detector(load_configs(tmp_path), nlp="spacy")
    assert off.templates is None
    seen = _count_ner(off, monkeypatch)
    off.prefetch([(PLAIN_TEXT, m) for m in _messages()])
    assert len(seen) == len(NAMES)


@pytest.mark.parametrize(
    ("setting", "message"),
    [("{exemplars: 1, similarity: 0.5}", "at least 2"), ("{exemplars: 4}", "similarity")],
)
def test_bad_template_settings_stop_the_run(tmp_path, setting, message):
    source = resources.files("configs").joinpath("scanner.yaml").read_text(encoding="utf-8")
    (tmp_path / "scanner.yaml").write_text(
        source.replace("{exemplars: 4, similarity: 0.5}", setting), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=message):
        load_configs(tmp_path)


# --------------------------------------------------------------------------------- the scan
def test_findings_do_not_depend_on_workers_or_task_order(tmp_path, key_file, monkeypatch):
    """A message's decision depends on its task only: one worker and two agree exactly."""
    from scanner import pipeline, plan
    from scanner.config import ScanConfig
    from scanner.dataset import read_table
    from scanner.engines import pool
    from scanner.hashing import key_id

    key = bytes.fromhex(key_file.read_text())
    data = tmp_path / "data"
    data.mkdir()
    shapes = [
        "Password for {} expires in {} days",
        "Device LT-{:04X} enrolled by {}",
        "User {} connected from 198.51.100.{}",
        "Guest {} registered with guest{}@example.com",
    ]
    with (data / "events.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(1600):
            name = NAMES[(i * 7) % len(NAMES)]
            shape = shapes[i % len(shapes)]
            message = shape.format(i, name) if "LT-" in shape else shape.format(name, i % 250)
            record = {"time": str(1741915425000 + i), "event_message": message}
            fh.write(json.dumps(record) + "\n")
    monkeypatch.setattr(plan, "CHUNK_BYTES", 24 * 1024)  # several ranges, several tasks
    monkeypatch.setattr(pool, "POOL_MIN_BYTES", 0)

    def scan(out, workers):
        config = ScanConfig(
            paths=(data,),
            out=out,
            configs=load_configs(),
            key=key,
            key_id=key_id(key),
            key_source="test",
            nlp="spacy",
            workers=workers,
            progress=False,
        )
        pipeline.run(config)
        rows = read_table(out, "findings").drop_columns(["scan_id"]).to_pylist()
        shutil.rmtree(out)
        return rows

    one, two = scan(tmp_path / "one", 1), scan(tmp_path / "two", 2)
    assert one == two
    detectors = {r["detector"] for r in one if r["entity_type"] == "PERSON"}
    assert NER_TEMPLATE_DETECTOR in detectors


def test_free_text_recognizers_run_in_the_registry_order_whatever_presidio_returns(
    detector, monkeypatch
):
    """presidio's registry hands its recognizers back from a set: the order of their memory
    addresses, another in each worker. A name both name recognizers find must be credited to
    the same one by every process, so the detector chooses them itself, in the order they
    were built (spaCy's last), and credits a tie to the first."""
    registry = detector._get_analyzer().registry
    monkeypatch.setattr(registry, "get_recognizers", lambda **kw: pytest.fail("asked presidio"))
    text = "今井 咲良 logged in"  # both name recognizers find it, at one score
    entities = ("PERSON", "LOCATION")
    detector._text_recognizers.clear()
    found = detector._analyze(text, entities, None)
    chosen = detector._text_recognizers.pop(entities)
    assert [r.name for r in chosen] == [
        r.name for r in detector.recognizers if {"PERSON", "LOCATION"} & set(r.supported_entities)
    ] + ["SpacyRecognizer"]
    finders = [
        r.name
        for r in chosen
        if any((x.start, x.end) == (0, 5) for x in r.analyze(text, list(entities), None) or ())
    ]
    assert len(finders) >= 2  # a tie to break
    assert [r.recognition_metadata["recognizer_name"] for r in found] == finders[:1]


def test_a_message_whose_other_slots_cannot_hold_a_name_skips_the_name_recognizers(
    detector, monkeypatch
):
    """A trusted template's message runs the name recognizers only when a slot its
    exemplars found no name in has a capitalised or uncased word."""
    from recognizers.person_name import PersonNameRecognizer

    detector.begin_task()
    codes = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    messages = [
        f"Password for {name} expires, reset code {code}"
        for name, code in zip(NAMES, codes, strict=True)
    ]
    odd = "Password for Hugo Tremaine expires, reset code Mike"  # a free slot, capitalised
    detector.prefetch([(PLAIN_TEXT, m) for m in messages[:4]])  # the exemplars
    assert detector.templates.fit(tokenize(odd, [])).template.trusted
    calls = []
    analyze = PersonNameRecognizer.analyze

    def counting(self, text, *args, **kwargs):
        calls.append(text)
        return analyze(self, text, *args, **kwargs)

    monkeypatch.setattr(PersonNameRecognizer, "analyze", counting)
    detector.prefetch([(PLAIN_TEXT, m) for m in [*messages[4:], odd]])
    for message, name in zip(messages, NAMES, strict=True):
        people = [s for s in detector.spans(PLAIN_TEXT, message) if s.entity == "PERSON"]
        assert [message[s.start : s.end] for s in people] == [name], message
    assert odd in calls and not set(messages[4:]) & set(calls)
