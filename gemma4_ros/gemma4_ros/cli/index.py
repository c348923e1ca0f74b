"""``gemma4-ros index [DOCS_DIR ...]``: index the robot's manuals for the maintenance copilot.

Reads Markdown, plain text and PDF under the folders (``copilot.yaml``'s ``documents:`` when none
are given) into the SQLite full-text index at ``index:`` (or ``--db``), re-reading only what
changed; files it cannot read are listed with the reason and the rest are indexed. ``--search
QUERY`` then prints the passages that match best, each with where it came from. A progress bar
runs on a terminal.

Exit code: 0 when every document was indexed; 1 when some were skipped or the folders hold no
document at all; 2 when a folder, the config or the index file cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from gemma4_ros.copilot.config import load_copilot_config
from gemma4_ros.copilot.documents import SUFFIXES
from gemma4_ros.copilot.index import DocumentIndex, IndexReport, Progress

EPILOG = ("exit code: 0 if every document was indexed, 1 if some were skipped or none was "
          "found, 2 if a folder, the config or the index cannot be used")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "index", help="index manuals (Markdown, text, PDF) for the maintenance copilot",
        description=__doc__.split("\n\n")[1], epilog=EPILOG)
    parser.add_argument("folders", nargs="*", type=Path, metavar="DOCS_DIR",
                        help="folders to index (default: documents of copilot.yaml)")
    parser.add_argument("--copilot-config", metavar="FILE",
                        help="copilot.yaml (default: the packaged one)")
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="the index file (default: index of copilot.yaml)")
    parser.add_argument("--search", metavar="QUERY", help="then print the best passages for QUERY")
    parser.add_argument("--limit", type=_positive, default=3, metavar="N",
                        help="passages --search prints (default: 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=handle)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number of passages")
    return value


def handle(args: argparse.Namespace) -> int:
    config = load_copilot_config(args.copilot_config)
    folders = [folder.expanduser().resolve() for folder in args.folders] or config.documents
    with DocumentIndex((args.db or config.index).expanduser()) as index:
        with _progress(enabled=not args.json and sys.stderr.isatty()) as progress:
            report = config.refresh_index(index, folders, progress)
        hits = index.search(args.search, args.limit) if args.search is not None else None
    found = report.added + report.updated + report.unchanged
    if args.json:
        print(json.dumps({"index": str(index.path), **asdict(report),
                          "hits": None if hits is None else [asdict(hit) for hit in hits]}))
    else:
        _print(report, index.path, folders, hits)
    return 1 if report.skipped or not found else 0


def _print(report: IndexReport, path: Path, folders: list[Path], hits: list | None) -> None:
    print(f"indexed {path}: {report.summary()}")
    for name, why in report.skipped.items():
        print(f"  skipped {name}: {why}")
    if not (report.added or report.updated or report.unchanged or report.skipped):
        kinds = ", ".join(SUFFIXES)
        print(f"  no documents ({kinds}) in {', '.join(map(str, folders))}"
              + (f"; {report.ignored} other files passed over" if report.ignored else ""))
    if hits is None:
        return
    if not hits:
        print("no passage matches")
    for rank, hit in enumerate(hits, 1):
        quote = " ".join(hit.text.split())
        print(f"{rank}. {hit.document} > {hit.locator} (line {hit.line}, score {hit.score:.2f})")
        print(f"   {quote[:300]}{'...' if len(quote) > 300 else ''}")


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar naming the file being read, on a terminal only."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    with Bar(BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
             transient=True) as bar:
        task = bar.add_task("indexing", total=None)

        def show(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        yield show
