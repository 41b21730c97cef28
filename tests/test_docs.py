"""The design the code cites is in the repository: every "DESIGN §N" and "STYLE §N" names a
section that exists, and every decision record says its context, decision and consequences."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"
CITED = re.compile(r"\b(DESIGN|STYLE) §(\d+)")
SEARCHED = ("*.py", "*.html", "*.md", "*.sh", "*.txt", "*.toml", "Makefile", ".importlinter", "run")
SKIPPED = {".venv", "node_modules", "staticfiles", "var", ".git", "__pycache__"}


def citations() -> list[tuple[str, str, str]]:
    found = []
    for pattern in SEARCHED:
        for path in REPOSITORY.rglob(pattern):
            if SKIPPED & set(path.relative_to(REPOSITORY).parts) or not path.is_file():
                continue
            for document, number in CITED.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.append((str(path.relative_to(REPOSITORY)), document, number))
    return found


def sections() -> dict[str, set[str]]:
    design = re.findall(r"^## §(\d+) ", (DOCS / "DESIGN.md").read_text(encoding="utf-8"), re.MULTILINE)
    style = re.findall(r"^## (\d+)\. ", (DOCS / "STYLE.md").read_text(encoding="utf-8"), re.MULTILINE)
    return {"DESIGN": set(design), "STYLE": set(style)}


def test_every_design_and_style_reference_names_a_section_that_exists():
    known = sections()
    cited = citations()

    assert len(cited) > 100  # the code does cite the design
    missing = sorted({(where, f"{doc} §{number}") for where, doc, number in cited if number not in known[doc]})
    assert missing == []


def test_every_decision_record_says_its_context_decision_and_consequences():
    records = sorted((DOCS / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))
    index = (DOCS / "decisions" / "README.md").read_text(encoding="utf-8")

    assert len(records) >= 8
    for record in records:
        text = record.read_text(encoding="utf-8")
        assert text.startswith("# "), record.name
        for heading in ("## Context", "## Decision", "## Consequences"):
            assert heading in text, f"{record.name} has no {heading}"
        assert record.name in index, f"{record.name} is not listed in docs/decisions/README.md"
