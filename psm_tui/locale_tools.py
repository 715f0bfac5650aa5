"""Maintaining the Indonesian catalog: ``python -m psm_tui.locale_tools update|compile|check``.

``update`` extracts every ``_()`` message from the package and merges it into the ``.po`` file;
``compile`` writes the ``.mo`` the app loads; ``check`` lists untranslated messages.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).parent
PO_FILE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "psm.po"
MO_FILE = PO_FILE.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "N_plural": (1, 2)}
# click shows the docstrings and ``help=`` texts of psm's commands: msgids too (cli.click_i18n).
CLI_DIR = PACKAGE / "cli"
HELP_KEYWORDS = ("help", "short_help", "epilog")


def _is_command_decorator(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ("command", "group")


def cli_help_texts() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every command docstring and literal ``help=`` under ``cli/``."""
    for path in sorted(CLI_DIR.glob("*.py")):
        name = str(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                _is_command_decorator(d) for d in node.decorator_list
            ):
                doc = ast.get_docstring(node)
                if doc:
                    yield name, node.lineno, doc
            elif (
                isinstance(node, ast.keyword)
                and node.arg in HELP_KEYWORDS
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                yield name, node.value.lineno, node.value.value


def extract() -> Catalog:
    template = Catalog(project="psm-tui", charset="utf-8")
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        template.add(message, locations=[(filename, lineno)], context=context)
    for filename, lineno, text in cli_help_texts():
        template.add(text, locations=[(filename, lineno)])
    return template


def read_catalog() -> Catalog:
    if not PO_FILE.exists():
        return Catalog(locale="id", project="psm-tui", charset="utf-8")
    with PO_FILE.open("rb") as fh:
        return read_po(fh, locale="id")


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found else None
        if isinstance(strings, tuple | list):
            strings = "".join(strings)
        if not found or not strings or found.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compiled_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update() -> None:
    catalog = read_catalog()
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.fuzzy = False
    catalog.project, catalog.version = "psm-tui", "1"
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PO_FILE.open("wb") as fh:
        write_po(
            fh,
            catalog,
            width=100,
            omit_header=False,
            ignore_obsolete=True,
            include_lineno=False,
            sort_output=True,
        )


def compile_mo() -> None:
    MO_FILE.write_bytes(compiled_bytes(read_catalog()))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_mo()
    missing = untranslated(read_catalog(), extract())
    for message in missing:
        print(f"untranslated: {message!r}")
    return 1 if missing and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
