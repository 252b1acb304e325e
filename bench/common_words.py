"""Write ``recognizers/common_english.txt``: the most frequent lower-case English words.

usage: pip download spacy-lookups-data==1.0.5 --no-deps -d /tmp/sld
       python bench/common_words.py /tmp/sld/spacy_lookups_data-1.0.5-py2.py3-none-any.whl

The list tells a phrase of ordinary words (``Legal Affairs``, ``Regional Sales``) from a
person's name, whose given name is almost never one. It is taken from the English lexeme
log-probabilities in spaCy's ``spacy-lookups-data`` (MIT licence, Explosion AI): every word of
letters, apostrophes and hyphens with a log-probability above ``THRESHOLD``.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import zipfile
from pathlib import Path

THRESHOLD = -12.5
OUT = Path(__file__).resolve().parent.parent / "recognizers" / "common_english.txt"
MEMBER = "spacy_lookups_data/data/en_lexeme_prob.json.gz"


def main(wheel: str) -> int:
    with zipfile.ZipFile(wheel) as zf:
        probs = json.loads(gzip.decompress(zf.read(MEMBER)))
    words = sorted(
        w for w, p in probs.items() if p > THRESHOLD and re.fullmatch(r"[a-z][a-z'-]*", w)
    )
    header = (
        "# The most frequent lower-case English words (log-probability above "
        f"{THRESHOLD}),\n# from spacy-lookups-data 1.0.5 en_lexeme_prob (MIT licence, "
        "Explosion AI).\n# Written by bench/common_words.py; do not edit.\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
