"""The YAML loader every configuration file is read with, ``recognizers.yaml`` included.

libyaml's safe loader when PyYAML was built with it (7x faster on ``fields.yaml``), else
the pure-Python one; both build plain data and report error lines.
"""

from __future__ import annotations

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
