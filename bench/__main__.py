"""``python -m bench generate|run|boundary|audit|import-check|import-file|imports|office``:
build cached benchmark databases and measure them."""

from __future__ import annotations

import argparse
import sys

from bench.generate import SIZES, cache_path, ensure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="build (or reuse) the cached database of a size")
    gen.add_argument("--size", choices=SIZES, action="append", required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--force", action="store_true", help="regenerate even if cached")
    _backend_options(gen, ("sqlite", "postgresql"))
    run = commands.add_parser("run", help="measure a size and print the table")
    run.add_argument("--size", choices=SIZES, action="append", required=True)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--trials", type=int, default=0, help="trials per measure (0: per measure)")
    run.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure groups to run: list, search, people, views, cli, tui, baseline",
    )
    _backend_options(run, ("sqlite", "postgresql", "both"))
    commands.add_parser("boundary", help="peak memory of imports at the file boundary's caps")
    chain = commands.add_parser("audit", help="time the audit hash chain's verification")
    chain.add_argument("--size", choices=("10k", "100k", "1m"), action="append", required=True)
    chain.add_argument("--trials", type=int, default=0, help="trials per measure (0: 3)")
    check = commands.add_parser("import-check", help="time and profile an import's dry run")
    check.add_argument("--size", choices=SIZES, default="100k", help="database to check against")
    check.add_argument("--rows", type=int, default=0, help="rows in the file (0: the size)")
    check.add_argument("--xlsx", action="store_true", help="an XLSX file instead of a CSV")
    check.add_argument("--trials", type=int, default=3)
    imp = commands.add_parser("imports", help="a real import into a copy: rows/s, lock, colleague")
    imp.add_argument("--size", choices=SIZES, default="100k", help="database to import into")
    imp.add_argument("--rows", type=int, default=0, help="rows in the file (0: the size)")
    imp.add_argument("--xlsx", action="store_true", help="an XLSX file instead of a CSV")
    imp.add_argument("--alone", action="store_true", help="no colleague saving meanwhile")
    _backend_options(imp, ("sqlite", "postgresql"))
    build = commands.add_parser("import-file", help="write a CSV/XLSX (by suffix) of new cases")
    build.add_argument("--rows", type=int, required=True)
    build.add_argument("--seed", type=int, default=1)
    build.add_argument("path")
    office = commands.add_parser("office", help="N concurrent staff sessions for a window")
    office.add_argument("--size", choices=("100k", "1m"), required=True)
    office.add_argument("--sessions", type=int, default=30)
    office.add_argument("--seconds", type=float, default=120.0)
    office.add_argument("--with-import", action="store_true", help="a 100k-row import meanwhile")
    office.add_argument(
        "--database-url", help="PostgreSQL server: runs on a copy of psm_bench_<size> there"
    )
    office.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "import-check":
        from bench.import_check import run as check_imports

        return check_imports(args.size, args.rows, args.xlsx, args.trials)
    if args.command == "imports":
        from bench.imports import run as run_imports

        return run_imports(
            args.size,
            args.rows,
            args.xlsx,
            alone=args.alone,
            backend=args.backend,
            url=args.database_url,
        )
    if args.command == "import-file":
        from pathlib import Path

        from bench.import_files import write

        print(write(Path(args.path), args.rows, args.seed))
        return 0
    if args.command == "office":
        from bench import office as office_bench

        return office_bench.run(
            args.size,
            args.sessions,
            args.seconds,
            args.with_import,
            args.database_url,
            args.seed,
        )
    if args.command == "boundary":
        from bench.boundary import run_boundary

        return run_boundary()
    if args.command == "audit":
        from bench.audit import run

        return run(args.size, args.trials)
    if args.command == "generate" and args.backend == "postgresql":
        from bench import generate_pg
        from psm_tui.store.database import display_location

        for size in args.size:
            url = generate_pg.ensure(size, args.seed, args.database_url, force=args.force)
            print(display_location(url))
        return 0
    if args.command == "generate":
        for size in args.size:
            if args.force:
                cache_path(size, args.seed).unlink(missing_ok=True)
            print(ensure(size, args.seed))
        return 0
    from bench.run import run_sizes

    return run_sizes(
        args.size,
        seed=args.seed,
        trials=args.trials,
        only=set(args.only),
        backend=args.backend,
        database_url=args.database_url,
    )


def _backend_options(parser: argparse.ArgumentParser, backends: tuple[str, ...]) -> None:
    """``--backend`` and the PostgreSQL server to use (bench/generate_pg.py)."""
    parser.add_argument("--backend", choices=backends, default="sqlite")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server (any database on it; default $PSM_BENCH_DATABASE_URL or psm_ci)",
    )


if __name__ == "__main__":
    sys.exit(main())
