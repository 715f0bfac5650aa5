"""Subcommands load lazily, and the lazy table knows every command each module defines."""

from __future__ import annotations

import importlib
import subprocess
import sys

from psm_tui.cli import COMMAND_MODULES, cli


def test_every_command_a_module_defines_is_reachable() -> None:
    modules = set(COMMAND_MODULES.values())
    for module_name in modules:
        module = importlib.import_module(f"psm_tui.cli.{module_name}")
        for command in module.COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module_name, command.name
    ctx = cli.make_context("psm", [], resilient_parsing=True)
    for name in COMMAND_MODULES:
        assert cli.get_command(ctx, name).name == name


def test_worker_group_carries_the_roster_subcommands() -> None:
    ctx = cli.make_context("psm", [], resilient_parsing=True)
    worker = cli.get_command(ctx, "worker")
    assert {"add", "list", "show", "deactivate", "profile", "move"} <= set(worker.commands)


def test_a_case_command_does_not_load_reports_spreadsheets_or_the_postgresql_driver() -> None:
    probe = (
        "import sys\n"
        "from psm_tui.cli import cli\n"
        "ctx = cli.make_context('psm', [], resilient_parsing=True)\n"
        "cli.get_command(ctx, 'case')\n"
        "import peewee\n"
        "print(sorted(m for m in ('openpyxl', 'textual', 'faker', 'psm_tui.core.reports',"
        " 'psycopg', 'psycopg2') if sys.modules.get(m) is not None))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
