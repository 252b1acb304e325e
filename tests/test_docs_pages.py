"""The documentation a user reads: a short README, pages under docs/, links that resolve."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short_and_the_rest_is_in_docs():
    assert len((ROOT / "README.md").read_bytes()) <= 16 * 1024
    assert len(PAGES) - 1 >= 4


def test_no_page_speaks_of_sessions_or_issue_numbers():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        found = re.findall(r"(?i)\bthis session\b|\bearlier session\b|\bissue \d+|(?<!User )#\d{2,}\b", text)
        assert not found, (page.name, found)


def _anchors(text):
    """GitHub's anchors of a page's headings."""
    names = set()
    for heading in re.findall(r"(?m)^#+ (.+)$", text):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        names.add(slug)
    return names


def test_every_relative_link_resolves():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            assert dest.exists(), (page.name, target)
            if anchor and dest.suffix == ".md":
                assert anchor in _anchors(dest.read_text(encoding="utf-8")), (page.name, target)


def test_no_tracked_path_starts_with_a_dash():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        return  # not a git checkout (an sdist): nothing tracked
    assert not [p for p in tracked.stdout.splitlines() if p.startswith("-")]
