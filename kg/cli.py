"""The `kg` command: extract, ingest, remove, query, export, stats, validate, app, neo4j.

Data goes to stdout, progress and errors to stderr; one line per failed file, and a
non-zero exit status when anything failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

EXPORT_RDF = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except CliError as e:
        print(f"kg: {e}", file=sys.stderr)
        return 2


class CliError(Exception):
    """A user-facing failure: printed as one line, no traceback."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    def store_arg(sp):
        sp.add_argument("--store", help="store directory (default $KG_STORE or ./kg-store)")

    def summary_arg(sp):
        sp.add_argument(
            "--summary",
            action="store_true",
            help="also bring the app's summary of the store up to date (else the app does "
            "when it first opens the changed store); it costs what changed since the last one",
        )

    def neo4j_arg(sp):
        sp.add_argument(
            "--neo4j",
            metavar="URI",
            help="use a Neo4j server (credentials from NEO4J_USER / NEO4J_PASSWORD)",
        )

    sp = sub.add_parser("extract", help="recognize entities in files; no store")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    sp.add_argument("--workers", type=int, default=1)
    sp.set_defaults(func=cmd_extract)

    sp = sub.add_parser(
        "ingest",
        help="extract files and store their graphs",
        description="Extract files and store their graphs. A file whose bytes the embedded"
        " store holds already is not extracted again; a changed file replaces its graph.",
    )
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--workers", type=int, default=1)
    summary_arg(sp)
    store_arg(sp)
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("remove", help="remove reports by id")
    sp.add_argument("report_ids", nargs="+", metavar="REPORT_ID")
    summary_arg(sp)
    store_arg(sp)
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_remove)

    sp = sub.add_parser("query", help="run a read-only SPARQL query")
    sp.add_argument("sparql")
    sp.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sp.add_argument("--limit", type=int, default=10_000, help="row cap (default 10000)")
    sp.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    store_arg(sp)
    sp.set_defaults(func=cmd_query)

    sp = sub.add_parser("export", help="write the graph to a file")
    sp.add_argument("--format", required=True, choices=EXPORT_RDF + _graph_formats())
    sp.add_argument("-o", "--output", required=True)
    store_arg(sp)
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("stats", help="counts per entity type and relation type")
    sp.add_argument("--format", choices=("table", "json"), default="table")
    store_arg(sp)
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_stats)

    sp = sub.add_parser("validate", help="check the store against the SHACL shapes")
    store_arg(sp)
    sp.set_defaults(func=cmd_validate)

    sp = sub.add_parser("app", help="start the web app on 127.0.0.1")
    sp.add_argument("--port", type=int, default=8501)
    store_arg(sp)
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_app)

    sp = sub.add_parser("cypher", help="run a read-only Cypher query against Neo4j")
    sp.add_argument("query")
    sp.add_argument("--param", action="append", default=[], metavar="K=V")
    sp.add_argument("--format", choices=("table", "csv", "json"), default="table")
    neo4j_arg(sp)
    sp.set_defaults(func=cmd_cypher)

    sp = sub.add_parser("neo4j", help="manage the local Neo4j server")
    nsub = sp.add_subparsers(dest="action", required=True)
    for action in ("start", "stop", "status"):
        np = nsub.add_parser(action)
        np.add_argument("--dir", help="server directory (default .cache/neo4j-server)")
        if action == "start":
            np.add_argument("--port", type=int, default=7687)
        np.set_defaults(func=cmd_neo4j)

    sp = sub.add_parser("bench", help="generate a synthetic corpus; measure speed and memory")
    bsub = sp.add_subparsers(dest="action", required=True)
    bp = bsub.add_parser("generate", help="write N reproducible reports under DIR")
    bp.add_argument("n", type=int, metavar="N")
    bp.add_argument("dir", metavar="DIR")
    bp.add_argument("--seed", type=int, default=42)
    bp.set_defaults(func=cmd_bench)
    bp = bsub.add_parser("run", help="measure extraction, ingest and queries; write the table")
    bp.add_argument("--sizes", default="1000,10000", help="corpus sizes (default 1000,10000)")
    bp.add_argument("--workers", type=int, default=2)
    bp.add_argument("--seed", type=int, default=42)
    bp.add_argument("--corpus-dir", default="build/bench", help="where corpora are kept")
    bp.add_argument("--out", default="docs/benchmarks.md")
    bp.add_argument(
        "--neo4j",
        action="store_true",
        help="also time `kg ingest --neo4j` into a Neo4j server of the run's own (needs Java)",
    )
    bp.set_defaults(func=cmd_bench)
    return p


def _graph_formats() -> tuple[str, ...]:
    return ("graphml", "gexf", "neo4j-csv", "cypher")


# ------------------------------------------------------------------------------ extract


def cmd_extract(args) -> int:
    from kg import batch
    from loaders.jsonl import report_to_line

    files, errors = batch.expand(args.paths)
    for line in errors:
        print(line, file=sys.stderr)
    failed = len(errors)
    ok = 0
    jsonl = args.format == "jsonl"  # the workers write the lines, this process prints them
    for out in batch.run(files, workers=args.workers, convert=report_to_line if jsonl else None):
        if out.error:
            print(out.error, file=sys.stderr)
            failed += 1
            continue
        ok += 1
        if jsonl:
            print(out.result)
        else:
            _print_report_table(out.result)
    if failed or len(files) > 1:
        print(f"{ok} extracted, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _print_report_table(report) -> None:
    print(f"# {report.source}  [{report.id}]")
    print(f"  title: {report.title}  publisher: {report.publisher}  year: {report.year}")
    for e in report.entities:
        extra = ""
        if e.type == "Outcome":
            extra = f"  value={e.value:g} unit={e.unit} qualifier={e.qualifier}"
        elif e.type == "LegalInstrument":
            extra = f"  kind={e.kind}" + (f" doc_number={e.doc_number}" if e.doc_number else "")
        print(f"  {e.type:<16} {e.label}{extra}  ({len(e.mentions)} mentions)")


# ------------------------------------------------------------------------------ stores


def _open_backend(args, *, write: bool):
    """The embedded store, or Neo4j when `--neo4j` is given."""
    if getattr(args, "neo4j", None):
        from kg.neo4j_server import Neo4jServerError
        from kg.neo4j_store import Neo4jError, Neo4jStore

        try:
            return Neo4jStore.connect(args.neo4j)
        except (Neo4jError, Neo4jServerError) as e:
            raise CliError(str(e)) from e
    from kg.store import Store, StoreError

    try:
        return Store(args.store, read_only=not write)
    except StoreError as e:
        raise CliError(str(e)) from e


def cmd_ingest(args) -> int:
    from kg import batch
    from kg.store import Store

    files, errors = batch.expand(args.paths)
    for line in errors:
        print(line, file=sys.stderr)
    counts = {"added": 0, "unchanged": 0, "replaced": 0}
    failed = len(errors)
    store = _open_backend(args, write=True)
    # The embedded store takes N-Quads made by the workers; Neo4j takes the reports.
    ingest = batch.ingest if isinstance(store, Store) else batch.ingest_reports
    try:
        for done in ingest(store, files, workers=args.workers):
            if done.error:
                print(done.error, file=sys.stderr)
                failed += 1
            else:
                counts[done.result.status] += 1
        if args.summary and (counts["added"] or counts["replaced"]):
            _write_summary(store)
    finally:
        store.close()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"{summary}, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def cmd_remove(args) -> int:
    store = _open_backend(args, write=True)
    missing = 0
    try:
        for rid in args.report_ids:
            if store.remove(rid):
                print(f"removed {rid}", file=sys.stderr)
            else:
                print(f"{rid}: no such report", file=sys.stderr)
                missing += 1
        if args.summary and len(args.report_ids) > missing:
            _write_summary(store)
    finally:
        store.close()
    return 1 if missing else 0


def _write_summary(store) -> None:
    """The app's summary of the embedded store (kg.summary), updated here rather than when
    the app first opens the changed store. Optional: the changed reports cost some 3 to 7
    ms each, and the whole-store figures derived after them a few seconds at 10,000 reports,
    which a run of several ingests can pay once; Neo4j has none."""
    from kg.browse import write_summary
    from kg.store import Store

    def progress(done: int, total: int) -> None:
        if total >= 1000:
            end = "\n" if done == total else ""
            print(f"\rsummary: {done}/{total} reports", end=end, file=sys.stderr, flush=True)

    if isinstance(store, Store):
        try:
            write_summary(store, progress=progress)
        except Exception as e:  # the reports are in; the app computes what it lacks
            print(f"the app's summary was not updated ({type(e).__name__}: {e})", file=sys.stderr)


def cmd_query(args) -> int:
    from kg import sparql

    store = _open_backend(args, write=False)
    try:
        result = sparql.run(store, args.sparql, limit=args.limit, timeout=args.timeout)
    except sparql.QueryError as e:
        raise CliError(str(e)) from e
    finally:
        store.close()
    _print_rows(result.columns, result.rows, args.format, raw=result.raw_json)
    if result.truncated:
        print(f"stopped at {len(result.rows)} rows ({result.truncated})", file=sys.stderr)
    return 0


def _print_rows(columns, rows, fmt, *, raw=None) -> None:
    if fmt == "json":
        print(
            json.dumps(raw, ensure_ascii=False, indent=1)
            if raw is not None
            else json.dumps(rows, ensure_ascii=False)
        )
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    else:
        sample = rows[:200]
        widths = {c: max([len(c)] + [len(str(r.get(c) or "")) for r in sample]) for c in columns}
        widths = {c: min(w, 60) for c, w in widths.items()}
        print("  ".join(c.ljust(widths[c]) for c in columns))
        for row in rows:
            print("  ".join(str(row.get(c) or "")[:60].ljust(widths[c]) for c in columns))


def cmd_export(args) -> int:
    from kg import export

    store = _open_backend(args, write=False)
    try:
        n = export.export(store, args.format, Path(args.output))
    except export.ExportError as e:
        raise CliError(str(e)) from e
    finally:
        store.close()
    print(f"wrote {args.output} ({n})", file=sys.stderr)
    return 0


def cmd_stats(args) -> int:
    store = _open_backend(args, write=False)
    try:
        stats = store.stats()
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(stats, ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    print(f"reports   {stats['reports']}")
    print(f"mentions  {stats['mentions']}")
    for group in ("entities", "relations"):
        print(f"{group}:")
        for name, n in stats[group].items():
            print(f"  {name:<16} {n}")
    return 0


def cmd_validate(args) -> int:
    from kg import validate

    store = _open_backend(args, write=False)
    try:
        conforms, text = validate.validate(store)
    finally:
        store.close()
    print(text)
    return 0 if conforms else 1


def cmd_app(args) -> int:
    import kg

    app = Path(kg.__file__).resolve().parent.parent / "app" / "streamlit_app.py"
    env = dict(os.environ)
    if args.store:
        env["KG_STORE"] = str(Path(args.store).resolve())
    if args.neo4j:
        env["KG_NEO4J"] = args.neo4j
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        "20",
        "--client.toolbarMode",
        "viewer",
    ]
    print(f"kg app on http://127.0.0.1:{args.port}", file=sys.stderr)
    return subprocess.call(cmd, env=env)


def cmd_cypher(args) -> int:
    from kg.neo4j_store import Neo4jError, Neo4jStore, parse_params

    try:
        store = Neo4jStore.connect(args.neo4j)
        try:
            columns, rows = store.cypher(args.query, parse_params(args.param))
        finally:
            store.close()
    except Neo4jError as e:
        raise CliError(str(e)) from e
    _print_rows(columns, rows, args.format)
    return 0


def cmd_neo4j(args) -> int:
    from kg import neo4j_server

    directory = Path(args.dir) if args.dir else None
    try:
        if args.action == "start":
            info = neo4j_server.start(port=args.port, dir=directory)
            print(info.uri)
        elif args.action == "stop":
            stopped = neo4j_server.stop(dir=directory)
            print("stopped" if stopped else "not running", file=sys.stderr)
        else:
            info = neo4j_server.status(dir=directory)
            if info is None:
                print("not running")
                return 1
            print(f"running pid={info.pid} {info.uri}")
    except Exception as e:
        raise CliError(f"neo4j {args.action}: {e}") from e
    return 0


def cmd_bench(args) -> int:
    from kg import bench

    if args.action == "generate":
        if args.n < 0:
            raise CliError(f"N must be 0 or more, not {args.n}")
        corpus = bench.generate(args.n, args.dir, seed=args.seed)
        print(
            f"wrote {corpus.files} reports ({corpus.bytes / 1e6:.1f} MB) under {args.dir}",
            file=sys.stderr,
        )
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as e:
        raise CliError(f"--sizes: comma-separated numbers, not {args.sizes!r}") from e
    if not sizes or min(sizes) < 1:
        raise CliError("--sizes: at least one size, each 1 or more")

    def log(line: str) -> None:
        print(f"bench: {line}", file=sys.stderr, flush=True)

    try:
        bench.run(
            sizes,
            workers=args.workers,
            seed=args.seed,
            corpus_root=args.corpus_dir,
            out=args.out,
            with_neo4j=args.neo4j,
            log=log,
        )
    except RuntimeError as e:
        raise CliError(str(e)) from e
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
