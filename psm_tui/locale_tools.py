"""Maintaining the Indonesian catalog: ``python -m psm_tui.locale_tools update|compile|check``.

``update`` extracts every ``_()`` message from the package and merges it into the ``.po`` file;
``compile`` writes the ``.mo`` the app loads; ``check`` lists untranslated messages.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).parent
PO_FILE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "psm.po"
MO_FILE = PO_FILE.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    template = Catalog(project="psm-tui", charset="utf-8")
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        template.add(message, locations=[(filename, lineno)], context=context)
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
