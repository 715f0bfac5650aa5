"""The README's "Everyday use" commands, read from README.md itself, run on a fresh database."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui.cli import main

README = Path(__file__).parents[2] / "README.md"
CASE_NUMBER = re.compile(r"^\d{4}-\d{6}$")


def everyday_commands() -> list[list[str]]:
    """Each ``psm …`` line of the section's first ``sh`` block, split as a shell would."""
    section = README.read_text(encoding="utf-8").split("## Everyday use", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line, comments=True) for line in block.splitlines()]
    return [words for words in lines if words and words != ["psm"]]  # bare psm: the app itself


def run(words: list[str]) -> tuple[int, str, str]:
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", "en", *words[1:]])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
    return code, out.getvalue().decode(), err.getvalue().decode()


def test_the_readme_shows_the_whole_sequence() -> None:
    names = [" ".join(words[1:3]) for words in everyday_commands()]
    assert names[0] == "init"
    assert {"worker add", "case new", "case assign", "case status"} <= set(names)


def test_the_everyday_sequence_runs_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSM_DATABASE", str(tmp_path / "fresh.db"))
    numbers: dict[str, str] = {}  # the README's case number -> the one this year's database gave
    for words in everyday_commands():
        words = [numbers.get(word, word) for word in words]
        code, out, err = run(words)
        assert code == 0, f"{shlex.join(words)}: {err}"
        if words[1:3] == ["case", "new"]:
            readme_number = next(w for c in everyday_commands() for w in c if CASE_NUMBER.match(w))
            numbers[readme_number] = out.strip().splitlines()[-1]
    number = next(iter(numbers.values()))
    code, out, _err = run(["psm", "case", "show", number, "--json"])
    assert code == 0 and '"status": "selesai"' in out
