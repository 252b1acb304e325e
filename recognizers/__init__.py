"""catoscan's entity recognizers: presidio recognizers for personal data in Cato logs.

Code recognizers (one class each, for validation logic: checksums, ``ipaddress``,
``phonenumbers``, the name lexicon) are listed by name in ``RECOGNIZERS``; pattern-only
recognizers are data in ``configs/recognizers.yaml``. ``build_recognizers`` returns one
instance of each. Every recognizer's ``name`` is its class name (YAML ones: their
``name``), which findings record as the detector. Nothing needs ``nlp_artifacts``:
``analyze(text, entities, None)`` works on a single field value as on a line of free text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable

# Before anything imports presidio: it then skips re-checking its built-in patterns.
import recognizers._presidio  # noqa: F401

# isort: split
from presidio_analyzer import EntityRecognizer

from recognizers.credit_card import CreditCardRecognizer
from recognizers.email import EmailRecognizer
from recognizers.ip_address import IP_CLASSES, IpAddressRecognizer, ip_class
from recognizers.jp_my_number import JpMyNumberRecognizer
from recognizers.mac_address import MacAddressRecognizer
from recognizers.person_name import PersonNameRecognizer
from recognizers.phone import PhoneRecognizer
from recognizers.us_ssn import UsSsnRecognizer
from recognizers.yaml_loader import RecognizerConfigError, load_yaml_recognizers

__all__ = [
    "ENTITY_RECOGNIZER",
    "IP_CLASSES",
    "RECOGNIZERS",
    "CreditCardRecognizer",
    "EmailRecognizer",
    "IpAddressRecognizer",
    "JpMyNumberRecognizer",
    "MacAddressRecognizer",
    "PersonNameRecognizer",
    "PhoneRecognizer",
    "RecognizerConfigError",
    "UsSsnRecognizer",
    "build_recognizers",
    "default_yaml_path",
    "ip_class",
    "load_yaml_recognizers",
]

#: The code recognizers by name (the name is also each instance's ``name``).
RECOGNIZERS: dict[str, type[EntityRecognizer]] = {
    "IpAddressRecognizer": IpAddressRecognizer,
    "MacAddressRecognizer": MacAddressRecognizer,
    "EmailRecognizer": EmailRecognizer,
    "PhoneRecognizer": PhoneRecognizer,
    "CreditCardRecognizer": CreditCardRecognizer,
    "JpMyNumberRecognizer": JpMyNumberRecognizer,
    "UsSsnRecognizer": UsSsnRecognizer,
    "PersonNameRecognizer": PersonNameRecognizer,
}

#: For each entity type, the recognizer that validates a field mapped to that type. The
#: USERNAME and SECRET recognizers find a value only after its key or path
#: (``user=``, ``C:\\Users\\``, ``password=``), so a bare field value never validates.
ENTITY_RECOGNIZER: dict[str, str] = {
    "IP_ADDRESS": "IpAddressRecognizer",
    "MAC_ADDRESS": "MacAddressRecognizer",
    "EMAIL_ADDRESS": "EmailRecognizer",
    "PHONE_NUMBER": "PhoneRecognizer",
    "CREDIT_CARD": "CreditCardRecognizer",
    "JP_MY_NUMBER": "JpMyNumberRecognizer",
    "US_SSN": "UsSsnRecognizer",
    "USERNAME": "UsernameRecognizer",
    "DEVICE_NAME": "DeviceNameRecognizer",
    "SECRET": "SecretRecognizer",
    "URL": "UrlPatternRecognizer",
}


def default_yaml_path() -> Traversable:
    """Return the ``recognizers.yaml`` packaged in ``configs``."""
    return files("configs") / "recognizers.yaml"


def build_recognizers(
    yaml_path: str | os.PathLike[str] | Traversable | None = None,
    *,
    phone_regions: Sequence[str] = ("JP", "US"),
) -> list[EntityRecognizer]:
    """Instantiate every code recognizer, then the YAML ones.

    Args:
        yaml_path: The pattern recognizers file; None for the packaged default.
        phone_regions: Default regions for phone numbers written without ``+``.

    Returns:
        The recognizers: those of ``RECOGNIZERS`` in its order, then the YAML file's.

    Raises:
        RecognizerConfigError: If the YAML file is unreadable or invalid, or reuses the
            name of a code recognizer.
        ValueError: If a phone region is unknown.
    """
    options = {"PhoneRecognizer": {"regions": tuple(phone_regions)}}
    recognizers: list[EntityRecognizer] = [
        cls(**options.get(name, {})) for name, cls in RECOGNIZERS.items()
    ]
    recognizers += load_yaml_recognizers(
        default_yaml_path() if yaml_path is None else yaml_path, reserved_names=RECOGNIZERS
    )
    return recognizers
