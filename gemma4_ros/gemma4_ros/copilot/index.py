"""The copilot's document index: one SQLite file, full-text search ranked by BM25, no server.

SQLite's FTS5 (in every CPython build's sqlite3 since 3.9) with the Porter stemmer: "charging"
finds "charge", ranking by BM25 with a passage's locator (its heading path) weighted over its
text, so a question about "docking" prefers the section called Docking. The index mirrors the
folders it was last updated from: files that vanished are dropped, and an update re-reads only
files whose size or modification time changed and whose content hash did too. An update is one
transaction, so an interrupted one leaves the previous index whole.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gemma4_ros.copilot.documents import UnreadableDocument, is_document, read_passages
from gemma4_ros.errors import Gemma4RosError

SCHEMA = 1
MAX_DOCUMENTS = 10_000  # copilot.yaml's max_documents, unless it says otherwise
# bm25() weights in column order: path and name (unindexed), locator, line (unindexed), text.
RANK = "bm25(passages, 0.0, 0.0, 2.0, 0.0, 1.0)"


@dataclass(frozen=True)
class Hit:
    """One passage a search found, with what a citation needs."""

    document: str  # the file's path relative to its folder
    locator: str
    line: int
    text: str
    score: float  # BM25, higher is better


@dataclass
class IndexReport:
    """What an update did, file by file, for the command line and the logs."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why, with the fix
    ignored: int = 0  # files of other kinds in the folders (images, archives, ...)
    passages: int = 0  # in the whole index after the update

    def summary(self) -> str:
        return (f"{len(self.added)} new, {len(self.updated)} changed, {len(self.unchanged)} "
                f"unchanged, {len(self.removed)} removed, {len(self.skipped)} skipped; "
                f"{self.passages} passages")


STOP_WORDS = frozenset(
    "a an and are as at be by can could do does did for from had has have how i if in into is it "
    "its me my of on or our should so than that the their them then there these this those to "
    "was we were what when where which who why will with would you your".split())

Progress = Callable[[str, int, int], None]  # a file's name, files done before it, files in all
Known = tuple[int, int, str, str]  # what the index holds of a file: size, mtime_ns, sha256, name


class DocumentIndex:
    """Open (or create) the index at ``path``; a context manager that closes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._create()
        except OSError as error:
            raise Gemma4RosError(f"cannot create the index {path} ({error.strerror or error})",
                                 "choose a writable place: copilot.yaml's index, or --db") from None
        except sqlite3.DatabaseError as error:
            raise Gemma4RosError(f"{path} is not a usable index ({error})",
                                 "delete the file; `gemma4-ros index` builds it again") from None

    def __enter__(self) -> DocumentIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _create(self) -> None:
        try:
            self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5("
                             "path UNINDEXED, name UNINDEXED, locator, line UNINDEXED, text, "
                             "tokenize='porter unicode61')")
        except sqlite3.OperationalError as error:
            if "fts5" in str(error):
                raise Gemma4RosError("this Python's SQLite has no FTS5 full-text search",
                                     "use a Python whose sqlite3 module is built with FTS5 "
                                     "(python.org, Debian and Ubuntu builds are)") from None
            raise
        self._db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, "
                         "name TEXT, size INTEGER, mtime_ns INTEGER, sha256 TEXT)")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self._db.commit()

    def update(self, folders: Sequence[Path], chunk_words: int, max_file_bytes: int,
               progress: Progress | None = None,
               max_documents: int = MAX_DOCUMENTS) -> IndexReport:
        """Bring the index in line with ``folders`` (see the module docstring); a folder holding
        more than ``max_documents`` documents (or ten times as many files) is refused before
        anything is read, since it is far more likely a wrong path than a manual."""
        for folder in folders:
            if not folder.is_dir():
                raise Gemma4RosError(f"documents folder {folder} does not exist",
                                     "check the path, or the `documents:` list of copilot.yaml")
        report = IndexReport()
        files, report.ignored = _documents(folders, max_documents)
        with self._db:  # one transaction: all or nothing
            settings = f"{SCHEMA}:{chunk_words}"
            if self._meta("settings") != settings:  # passages cut another way: read all again
                self._db.execute("DELETE FROM passages")
                self._db.execute("DELETE FROM files")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)",
                                 (settings,))
            known: dict[str, Known] = {row[0]: row[1:] for row in self._db.execute(
                "SELECT path, size, mtime_ns, sha256, name FROM files")}
            for done, (path, name) in enumerate(files):
                if progress is not None:
                    progress(name, done, len(files))
                try:
                    self._update_file(path, name, known.pop(str(path), None), chunk_words,
                                      max_file_bytes, report)
                except OSError as error:  # unreadable, or gone since the folder was listed
                    report.skipped[name] = f"cannot be read ({error.strerror or error})"
            for gone, (*_, name) in known.items():
                self._forget(gone)
                report.removed.append(name)
        report.passages = self._db.execute("SELECT count(*) FROM passages").fetchone()[0]
        return report

    def _update_file(self, path: Path, name: str, known: Known | None, chunk_words: int,
                     max_file_bytes: int, report: IndexReport) -> None:
        stat = path.stat()
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
            report.unchanged.append(name)
            return
        digest = ""  # a file over the size cap is neither hashed nor read
        if stat.st_size <= max_file_bytes:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if known is not None and known[2] == digest:  # touched, not changed
            self._db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                             (stat.st_size, stat.st_mtime_ns, str(path)))
            report.unchanged.append(name)
            return
        if known is not None:
            self._forget(str(path))
        try:
            passages = read_passages(path, chunk_words, max_file_bytes)
        except UnreadableDocument as error:
            report.skipped[name] = str(error)
            return
        self._db.executemany(
            "INSERT INTO passages (path, name, locator, line, text) VALUES (?, ?, ?, ?, ?)",
            [(str(path), name, p.locator, p.line, p.text) for p in passages])
        self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                         (str(path), name, stat.st_size, stat.st_mtime_ns, digest))
        (report.updated if known is not None else report.added).append(name)

    def _forget(self, path: str) -> None:
        self._db.execute("DELETE FROM passages WHERE path = ?", (path,))
        self._db.execute("DELETE FROM files WHERE path = ?", (path,))

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The ``limit`` passages that match ``query`` best. Any text is a query: its words are
        searched for, each one on its own (FTS5's query syntax is never exposed), less the
        words every question has ("how do I ...", "what is the ...") unless nothing else is
        left, as each of them would match half the manual."""
        words = re.findall(r"\w+", query.lower())
        terms = [word for word in words if word not in STOP_WORDS] or words
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in dict.fromkeys(terms))
        rows = self._db.execute(
            f"SELECT name, locator, line, text, {RANK} AS rank FROM passages "
            "WHERE passages MATCH ? ORDER BY rank LIMIT ?", (match, limit))
        return [Hit(name, locator, int(line), text, -rank)
                for name, locator, line, text, rank in rows]


def _documents(folders: Iterable[Path], limit: int) -> tuple[list[tuple[Path, str]], int]:
    """Every document under ``folders`` (recursively, in name order) with the name it is cited
    by (its path relative to its folder), and how many other files were passed over."""
    found: dict[Path, str] = {}
    ignored = 0
    for folder in folders:
        paths = []
        for path in folder.rglob("*"):
            paths.append(path)
            if len(paths) > 10 * limit:
                raise Gemma4RosError(
                    f"{folder} holds more than {10 * limit} files; is it the manuals folder?",
                    "point `documents:` (or the command line) at the folder of manuals, or "
                    "raise max_documents in copilot.yaml")
        for path in sorted(paths):
            if not path.is_file() or any(part.startswith(".")
                                         for part in path.relative_to(folder).parts):
                continue
            if is_document(path):
                found.setdefault(path.resolve(), path.relative_to(folder).as_posix())
            else:
                ignored += 1
    if len(found) > limit:
        raise Gemma4RosError(f"{len(found)} documents is more than max_documents ({limit})",
                             "raise max_documents in copilot.yaml, or index fewer folders")
    return list(found.items()), ignored
