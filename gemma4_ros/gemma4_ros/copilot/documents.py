"""Manuals and notes → passages an index can rank and a copilot can cite.

Markdown is cut at its ATX headings (``#`` to ``######``, not inside code fences): a passage is
the text under one heading, located by the heading path ("Battery > Charging"). Plain text is cut
at blank lines into runs of paragraphs, located by line numbers ("lines 12-30"). PDF is cut by
page (pypdf's text extraction), located "page 3". A section longer than ``chunk_words`` words is
cut again into parts of that size, each keeping the section's locator and its own first line, so
one long section neither dominates a search nor fills a prompt.

A file that cannot be read — a corrupt or encrypted PDF, a PDF with no text layer, a binary file,
text that is not UTF-8, an empty file, one over the size cap — raises :class:`UnreadableDocument`
with the reason and what to do, and the caller indexes the rest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gemma4_ros.errors import Gemma4RosError

MARKDOWN = (".md", ".markdown")
TEXT = (".txt", ".text", ".rst")
PDF = (".pdf",)
SUFFIXES = MARKDOWN + TEXT + PDF

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a document, with where it came from."""

    locator: str  # "Battery > Charging", "lines 12-30", "page 3"
    line: int  # first line of the passage in the file (1-based); a PDF's page number
    text: str


class UnreadableDocument(Gemma4RosError):
    """A file the index skips; ``problem`` says why, ``hint`` what to do about it."""


def is_document(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_passages(path: Path, chunk_words: int, max_bytes: int) -> list[Passage]:
    """The passages of one file (see the module docstring); UnreadableDocument if there are none."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableDocument(f"{size / 2**20:.1f} MB is over the {max_bytes / 2**20:g} MB cap",
                                 "raise max_file_mb in copilot.yaml, or split the file")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    sections = _pdf_sections(path) if suffix in PDF else _text_sections(data, suffix)
    by_line = suffix not in PDF  # a PDF's parts keep their page number
    passages = [part for section in sections for part in _cut(section, chunk_words, by_line)]
    if not passages:
        raise UnreadableDocument("no text in it", "remove the file or give it content")
    return passages


def _text_sections(data: bytes, suffix: str) -> list[Passage]:
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("a binary file, not text",
                                 "keep only Markdown, text and PDF files in the documents folder")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            f"not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})",
            "save the file as UTF-8") from None
    lines = text.splitlines()
    return list(_markdown_sections(lines) if suffix in MARKDOWN else _paragraph_sections(lines))


def _markdown_sections(lines: list[str]) -> Iterator[Passage]:
    """Text under each heading, located by the path of headings above it."""
    path: list[tuple[int, str]] = []
    body: list[str] = []
    start = 1
    fenced = False

    def flush() -> Iterator[Passage]:
        filled = [i for i, line in enumerate(body) if line.strip()]
        if filled:
            text = "\n".join(body[filled[0]:filled[-1] + 1])
            yield Passage(" > ".join(title for _, title in path) or "(top)", start + filled[0],
                          text)

    for number, line in enumerate(lines, 1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is None:
            body.append(line)
            continue
        yield from flush()
        level = len(heading.group(1))
        path = [(depth, title) for depth, title in path if depth < level]
        path.append((level, heading.group(2)))
        body, start = [], number + 1
    yield from flush()


def _paragraph_sections(lines: list[str]) -> Iterator[Passage]:
    """Paragraphs (runs of non-blank lines), located by their line numbers; :func:`_cut` joins
    nothing, so a paragraph is the smallest passage."""
    begin = None
    for number, line in enumerate([*lines, ""], 1):
        if line.strip() and begin is None:
            begin = number
        elif not line.strip() and begin is not None:
            text = "\n".join(lines[begin - 1:number - 1]).strip()
            yield Passage(f"lines {begin}-{number - 1}", begin, text)
            begin = None


def _pdf_sections(path: Path) -> list[Passage]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would flood a big folder
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise UnreadableDocument("an encrypted PDF", "save an unencrypted copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise UnreadableDocument(f"not a readable PDF ({error})",
                                 "open it in a PDF viewer and save it again") from None
    if not any(page.strip() for page in pages):
        raise UnreadableDocument("a PDF without a text layer (scanned pages?)",
                                 "run OCR on it first (for example ocrmypdf)")
    return [Passage(f"page {number}", number, text.strip())
            for number, text in enumerate(pages, 1) if text.strip()]


def _cut(section: Passage, chunk_words: int, by_line: bool) -> Iterator[Passage]:
    """``section`` in parts of at most ``chunk_words`` words, cut at line ends (a line longer
    than a part is cut between words), each located at the line it starts on when ``by_line``
    (else at the section's own number: a PDF page)."""
    part: list[str] = []
    count, first = 0, section.line
    for offset, line in enumerate(section.text.splitlines()):
        words = line.split()
        pieces = [words[i:i + chunk_words] for i in range(0, len(words), chunk_words)] or [[]]
        for piece in pieces:
            if part and count + len(piece) > chunk_words:
                yield Passage(section.locator, first, "\n".join(part).strip())
                part, count = [], 0
            if not part:
                if not piece:
                    continue  # a part starts at words, not at a blank line
                first = section.line + offset if by_line else section.line
            part.append(" ".join(piece))
            count += len(piece)
    text = "\n".join(part).strip()
    if text:
        yield Passage(section.locator, first, text)
