import pytest

import recognizers
from recognizers import RECOGNIZERS, RecognizerConfigError, build_recognizers
from recognizers.base import EntityRecognizer


def test_registry_names_are_class_names():
    for name, cls in RECOGNIZERS.items():
        assert cls.__name__ == name
        assert cls().name == name


def test_build_returns_every_recognizer_once():
    built = build_recognizers()
    names = [r.name for r in built]
    assert names[: len(RECOGNIZERS)] == list(RECOGNIZERS)
    assert len(names) == len(set(names)) == len(RECOGNIZERS) + 7
    assert all(isinstance(r, EntityRecognizer) for r in built)


def test_build_gives_fresh_instances_and_patterns():
    first, second = build_recognizers(), build_recognizers()
    for a, b in zip(first, second, strict=True):
        assert a is not b
        if hasattr(a, "patterns"):
            assert all(p is not q for p, q in zip(a.patterns, b.patterns, strict=True))


def test_phone_regions_are_passed_on():
    [phone] = [r for r in build_recognizers(phone_regions=("GB",)) if r.name == "PhoneRecognizer"]
    assert phone.regions == ("GB",)
    with pytest.raises(ValueError, match="phone regions"):
        build_recognizers(phone_regions=("ZZ",))


def test_explicit_yaml_path(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        "recognizers:\n  - name: UrlPatternRecognizer\n    supported_entity: URL\n"
        "    patterns:\n      - {name: u, regex: 'https://\\S+', score: 0.5}\n",
        encoding="utf-8",
    )
    assert [r.name for r in build_recognizers(path)][-1] == "UrlPatternRecognizer"
    assert len(build_recognizers(str(path))) == len(RECOGNIZERS) + 1
    path.write_text("recognizers: [{name: IpAddressRecognizer}]\n", encoding="utf-8")
    with pytest.raises(RecognizerConfigError):
        build_recognizers(path)


def test_no_subclass_discovery():
    # The registry is an explicit dict: a new subclass does not join it.
    class Extra(recognizers.EmailRecognizer):
        pass

    assert "Extra" not in RECOGNIZERS
    assert "Extra" not in {r.name for r in build_recognizers()}


TEXT = (
    "ユーザー 山田 太郎 (taro.yamada@example.com, CORP\\tyamada) が DESKTOP-ENI0ABC "
    "192.0.2.17 / 00:00:5e:00:53:1a から https://portal.example.net/?token=abc123 にアクセス、"
    "電話 +81 3-5555-0101"
)


def test_every_recognizer_runs_without_nlp_artifacts():
    found = {}
    for recognizer in build_recognizers():
        for result in recognizer.analyze(TEXT, [], None):
            found.setdefault(result.entity_type, []).append(TEXT[result.start : result.end])
            assert result.recognition_metadata["recognizer_name"] == recognizer.name
    assert found == {
        "PERSON": ["山田 太郎", "山田 太郎"],  # the name lexicon, and Sudachi's dictionary
        "EMAIL_ADDRESS": ["taro.yamada@example.com"],
        "USERNAME": ["CORP\\tyamada"],
        "DEVICE_NAME": ["DESKTOP-ENI0ABC"],
        "IP_ADDRESS": ["192.0.2.17"],
        "MAC_ADDRESS": ["00:00:5e:00:53:1a"],
        "URL": ["https://portal.example.net/?token=abc123"],
        "SECRET": ["abc123"],
        "PHONE_NUMBER": ["+81 3-5555-0101"],
    }
