"""Every entity type is complete: one row of scanner/entities.py, and what it needs elsewhere.

A row names how its values are found, decided, hashed and shown; the configuration gives
it a policy and a place in ``precedence`` (checked at load, as the last tests show).
"""

import dataclasses
import re
import shutil
import unicodedata
from importlib import resources
from typing import get_args

import pytest

from recognizers import RECOGNIZERS, build_recognizers
from scanner import hashing
from scanner.config import load_configs
from scanner.detect import values
from scanner.entities import (
    ENTITIES,
    ENTITY_TYPES,
    NER_ENTITY_TYPES,
    EntitySpec,
    FieldCheck,
    MaskKind,
    NormalForm,
)
from scanner.errors import ConfigError

#: Values of each entity as logs hold them: what its recognizers find and its mask hides.
SAMPLES = {
    "PERSON": ["山田 太郎", "Emily Carter", "やまもと さくら"],
    "EMAIL_ADDRESS": [
        "taro.yamada@example.com",
        "Taro.Yamada%40Example.COM",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    ],
    "IP_ADDRESS": [
        "192.0.2.17",
        "2001:db8::1",
        "[2001:db8::1]",
        "fe80::1%eth0",
        "10.0.0.0/8",
        "１９２.０.２.１７",
    ],
    "MAC_ADDRESS": ["00:00:5e:00:53:1a", "00-00-5E-00-53-1A", "0000.5e00.531a"],
    "PHONE_NUMBER": ["+81 3-5555-0101", "(212) 555-0123", "090-5555-0123", "+1 202-555-0143"],
    "USERNAME": ["CORP\\tyamada", "taro.yamada", "tyamada"],
    "USER_ID": ["1000033", "S-1-5-21-1111111111-2222222222-3333333333-1104"],
    "DEVICE_NAME": ["DESKTOP-ENI0ABC", "TARO-LAPTOP", "Hanako’s MacBook Pro"],
    "DEVICE_ID": ["65f1a2b3c4d5e6f708192a3b"],
    "DEVICE_INFO": ["Windows 11", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"],
    "URL": ["https://portal.example.net/?token=abc123", "files.example.net"],
    "LOCATION": ["Tokyo", "35.6895"],
    "CREDIT_CARD": ["4111 1111 1111 1111", "4111-1111-1111-1111"],
    "JP_MY_NUMBER": ["1234 5678 9018", "123456789018"],
    "US_SSN": ["078-05-1120", "078 05 1120"],
    "SECRET": ["abc123", "hunter2hunter2"],
}


def test_the_table_is_keyed_by_name_and_ordered_as_listed():
    assert list(ENTITIES) == list(ENTITY_TYPES)
    assert all(name == spec.name for name, spec in ENTITIES.items())
    assert NER_ENTITY_TYPES == tuple(n for n in ENTITY_TYPES if ENTITIES[n].ner)


@pytest.mark.parametrize("name", ENTITY_TYPES)
def test_every_field_of_a_row_is_set_to_a_known_choice(name):
    spec = ENTITIES[name]
    nullable = {"recognizer", "prefilter"}  # None: field rules only; no cheap condition
    for field in dataclasses.fields(EntitySpec):
        if field.name not in nullable:
            assert getattr(spec, field.name) is not None, field.name
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", spec.name)
    assert spec.field_check in get_args(FieldCheck)
    assert spec.normal_form in get_args(NormalForm)
    assert spec.mask in get_args(MaskKind)
    assert isinstance(spec.ner, bool) and isinstance(spec.case_insensitive, bool)
    assert spec.prefilter is None or isinstance(spec.prefilter, re.Pattern)


def test_every_kind_a_row_can_name_is_implemented():
    assert set(get_args(NormalForm)) == set(hashing._NORMAL_FORMS) | {"phone"}
    assert set(get_args(MaskKind)) == set(hashing._MASKS)
    assert set(get_args(FieldCheck)) == set(values.SHAPES) | {"recognizer", "any"}


def test_every_entity_has_a_policy_and_a_place_in_precedence():
    configs = load_configs()
    assert set(configs.policy.entities) == set(ENTITY_TYPES)
    assert sorted(configs.scanner.precedence) == sorted(ENTITY_TYPES)


def test_ner_entities_are_those_the_spacy_labels_become():
    assert set(load_configs().scanner.nlp.labels.values()) == set(NER_ENTITY_TYPES)


def test_every_entity_has_a_recognizer_or_a_field_rule_that_can_produce_it():
    built = {r.name: r for r in build_recognizers()}
    rules = {rule.detect for rule in load_configs().fields.rules}
    for name, spec in ENTITIES.items():
        if spec.recognizer is None:
            assert name in rules, name
        else:
            assert name in built[spec.recognizer].supported_entities, name
    # and no recognizer reports an entity type the table does not know
    found = {e for r in built.values() for e in r.supported_entities}
    assert found <= set(ENTITY_TYPES)


def test_a_validated_entity_is_validated_by_a_code_recognizer():
    for spec in ENTITIES.values():
        if spec.field_check == "recognizer":
            assert spec.recognizer in RECOGNIZERS, spec.name


def test_the_recognizers_find_every_sample():
    built = {r.name: r for r in build_recognizers()}
    for name, samples in SAMPLES.items():
        recognizer = ENTITIES[name].recognizer
        if recognizer is None or ENTITIES[name].field_check != "recognizer":
            continue  # found by their fields, or after a key (user=, password=)
        for sample in samples:
            text = unicodedata.normalize("NFKC", sample)
            assert [r for r in built[recognizer].analyze(text, [name], None)], (name, sample)


@pytest.mark.parametrize("name", ENTITY_TYPES)
def test_a_prefilter_holds_for_every_sample(name):
    prefilter = ENTITIES[name].prefilter
    if prefilter is None:
        return
    for sample in SAMPLES[name]:
        assert prefilter.search(unicodedata.normalize("NFKC", sample)), sample


@pytest.mark.parametrize("name", ENTITY_TYPES)
def test_a_mask_never_shows_the_value(name):
    assert SAMPLES[name], name
    for sample in SAMPLES[name]:
        for value in (sample, sample.upper(), sample.lower(), f" {sample} "):
            masked = hashing.mask(name, value)
            assert "*" in masked, (value, masked)
            assert value.strip() not in masked, (value, masked)
            assert hashing.normalise(name, value) not in masked, (value, masked)


def test_case_folding_follows_the_table():
    for name, spec in ENTITIES.items():
        if spec.normal_form == "text":
            folded = hashing.normalise(name, "Taro YAMADA") == "taro yamada"
            assert folded == spec.case_insensitive, name


def _config_dir(tmp_path, name, old, new):
    packaged = resources.files("configs")
    shutil.copy(str(packaged / name), tmp_path / name)
    path = tmp_path / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


def test_a_policy_without_an_entity_is_refused_at_load(tmp_path):
    cfg = _config_dir(tmp_path, "policy.yaml", "  US_SSN:", "  # US_SSN:")
    with pytest.raises(
        ConfigError, match=re.escape(f"{cfg / 'policy.yaml'}: entities: no policy for US_SSN")
    ):
        load_configs(cfg)


def test_a_policy_of_an_unknown_entity_is_refused_at_load(tmp_path):
    extra = "  US_SIN: [{category: A, element: similar identifiers}]\n  SECRET:"
    cfg = _config_dir(tmp_path, "policy.yaml", "  SECRET:", extra)
    with pytest.raises(ConfigError, match="entities: unknown entity 'US_SIN'; valid: PERSON, "):
        load_configs(cfg)


def test_a_precedence_without_an_entity_is_refused_at_load(tmp_path):
    cfg = _config_dir(tmp_path, "scanner.yaml", "PERSON,\n             LOCATION]", "PERSON]")
    with pytest.raises(
        ConfigError, match=re.escape(f"{cfg / 'scanner.yaml'}: precedence: missing LOCATION")
    ):
        load_configs(cfg)
