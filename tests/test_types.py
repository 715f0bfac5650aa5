"""The type checker is part of the suite, like the linter (``tests/test_lint.py``).

mypy checks ``psm_tui`` as configured in ``pyproject.toml`` (strict). A ``# type: ignore`` must
name the error it silences and say why: ``# type: ignore[code]  # why``.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore")
# One or more codes, two spaces, then a reason of at least a few characters.
WELL_FORMED = re.compile(r"# type: ignore\[[a-z-]+(?:, [a-z-]+)*\]  # \S.{4,}$")


def test_mypy_finds_no_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def badly_formed_ignores(source: str) -> list[int]:
    """The lines of ``source`` whose ``type: ignore`` comment lacks a code or a reason."""
    return [
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
        and IGNORE.search(token.string)
        and not WELL_FORMED.match(token.string)
    ]


def test_the_rule_tells_a_reasoned_ignore_from_a_bare_one() -> None:
    source = (
        "a = f(x)  # type: ignore\n"
        "b = f(x)  # type: ignore[arg-type]\n"
        "c = f(x)  # type: ignore[arg-type]  # None means absent\n"
        "d = f(x)  # type: ignore[arg-type, misc]  # two codes, one reason\n"
        "e = f(x)  # type:ignore[arg-type]  # spaced oddly\n"
        "s = '# type: ignore in a string is not a comment'\n"
    )
    assert badly_formed_ignores(source) == [1, 2, 5]


def test_every_type_ignore_in_psm_tui_names_its_error_and_why() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "psm_tui").rglob("*.py"))
        for line in badly_formed_ignores(path.read_text(encoding="utf-8"))
    ]
    assert not bad, "write `# type: ignore[code]  # why` (or fix the type): " + ", ".join(bad)
