"""catoscan's entity recognizers: recognizers of personal data in Cato logs, with presidio's API.

Code recognizers (one class each, for validation logic: checksums, ``ipaddress``,
``phonenumbers``, the name lexicon) are listed by name in ``RECOGNIZERS``; pattern-only
recognizers are data in ``configs/recognizers.yaml``. ``build_recognizers`` returns one
instance of each (:mod:`.registry`). Every recognizer's ``name`` is its class name (YAML
ones: their ``name``), which findings record as the detector. Nothing needs
``nlp_artifacts``: ``analyze(text, entities, None)`` works on a single field value as on
a line of free text.

This package never imports ``scanner``: ``scanner`` imports it. Its recognizers implement
presidio's recognizer API (:mod:`.base`) without importing presidio, whose package imports
spaCy: neither is loaded until free text needs NER (``scanner.detect.nlp``, which imports
presidio through :mod:`._presidio`). The names below are loaded on first use, so the small
modules ``scanner`` shares with the recognizers (:mod:`.phone_regions`, :mod:`.ipv4`,
:mod:`.safe_yaml`) cost nothing more than themselves.
"""

from __future__ import annotations

import importlib
from typing import Any

#: The public names, each with the module that defines it.
_EXPORTS = {
    "CreditCardRecognizer": "credit_card",
    "DomainRecognizer": "domain",
    "EmailRecognizer": "email",
    "IP_CLASSES": "ip_address",
    "IpAddressRecognizer": "ip_address",
    "JpMyNumberRecognizer": "jp_my_number",
    "MacAddressRecognizer": "mac_address",
    "PersonContextRecognizer": "person_context",
    "PersonNameRecognizer": "person_name",
    "PhoneRecognizer": "phone",
    "RECOGNIZERS": "registry",
    "RecognizerConfigError": "yaml_loader",
    "SudachiNameRecognizer": "japanese_names",
    "UsSsnRecognizer": "us_ssn",
    "build_recognizers": "registry",
    "default_yaml_path": "registry",
    "ip_class": "ip_address",
    "ipv4_classes": "ip_address",
    "load_yaml_recognizers": "yaml_loader",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"recognizers.{module}"), name)
    globals()[name] = value
    return value
