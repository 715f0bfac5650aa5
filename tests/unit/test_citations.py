"""Docstrings and comments cite only documents the repository has: a reader who follows a
reference must find it (issue 14: "DESIGN section 4/5/7" named a file nobody had)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"\b(?:docs|bench|db)/[\w./-]+\.md\b|\bDESIGN(?:\.md)?\b")


def _citations() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in ("psm_tui", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == Path(__file__).resolve():
                continue
            for cited in CITED.findall(path.read_text(encoding="utf-8")):
                found.setdefault(cited, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_cited_document_exists() -> None:
    citations = _citations()
    assert "docs/architecture.md" in citations
    missing = {doc: files for doc, files in citations.items() if not (ROOT / doc).is_file()}
    assert missing == {}
