"""Documents into passages: headings, paragraphs and pages located, unreadable files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gemma4_ros.copilot.documents import Passage, UnreadableDocument, read_passages

MANUAL = """Intro line before any heading.

# Pump

The pump moves coolant.

## Priming

1. Open valve V2.
2. Run the pump for 10 s.

```
# not a heading: inside a code fence
```

## Faults ##

E7 means dry running.
# Tank
Fill to the mark.
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_markdown_is_cut_at_headings_and_located_by_their_path(tmp_path: Path) -> None:
    passages = read_passages(write(tmp_path, "pump.md", MANUAL), 200, 10**6)
    assert [(p.locator, p.line) for p in passages] == [
        ("(top)", 1), ("Pump", 5), ("Pump > Priming", 9), ("Pump > Faults", 18), ("Tank", 20)]
    assert "# not a heading" in passages[2].text
    lines = MANUAL.splitlines()
    for passage in passages:  # each passage starts at the line its number names
        assert lines[passage.line - 1].strip().split()[0] == passage.text.split()[0]


def test_text_is_cut_at_blank_lines(tmp_path: Path) -> None:
    text = "first paragraph\nstill first\n\n\nsecond one\n"
    assert read_passages(write(tmp_path, "notes.txt", text), 200, 10**6) == [
        Passage("lines 1-2", 1, "first paragraph\nstill first"),
        Passage("lines 5-5", 5, "second one")]


def test_long_sections_are_cut_into_parts_at_their_own_lines(tmp_path: Path) -> None:
    body = "\n".join(f"step {i} " + "word " * 8 for i in range(30))  # 30 lines of 10 words
    passages = read_passages(write(tmp_path, "long.md", f"# Long\n{body}\n"), 45, 10**6)
    assert [p.line for p in passages] == [2, 6, 10, 14, 18, 22, 26, 30]
    assert all(len(p.text.split()) <= 45 for p in passages)
    assert all(p.locator == "Long" for p in passages)
    one_line = read_passages(write(tmp_path, "wide.txt", "w " * 120), 50, 10**6)
    assert [len(p.text.split()) for p in one_line] == [50, 50, 20]


def test_pdf_pages_are_passages(tmp_path: Path, make_pdf) -> None:
    pdf = write(tmp_path, "m.pdf", make_pdf(["Replace fuse F3", "", "Torque to 12 Nm"]))
    assert read_passages(pdf, 200, 10**6) == [Passage("page 1", 1, "Replace fuse F3"),
                                              Passage("page 3", 3, "Torque to 12 Nm")]


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "not a readable PDF"),
    ("fake.pdf", b"hello, not a pdf at all", "not a readable PDF"),
    ("blob.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("latin.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
    ("empty.md", b"", "no text"),
    ("blank.txt", b"\n \n\t\n", "no text"),
    ("headings.md", b"# A\n## B\n", "no text"),
])
def test_unreadable_files_say_why(tmp_path: Path, name: str, data: bytes, problem: str) -> None:
    with pytest.raises(UnreadableDocument, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_passages(write(tmp_path, name, data), 200, 10**6)


def test_a_scanned_pdf_needs_ocr(tmp_path: Path, make_pdf) -> None:
    with pytest.raises(UnreadableDocument, match="without a text layer") as error:
        read_passages(write(tmp_path, "scan.pdf", make_pdf(["", ""])), 200, 10**6)
    assert "OCR" in error.value.hint


def test_files_over_the_cap_are_not_read(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument, match="over the") as error:
        read_passages(write(tmp_path, "dump.txt", "x " * 2000), 200, 1000)
    assert "max_file_mb" in error.value.hint


def test_a_heading_called_page_is_still_located_by_line(tmp_path: Path) -> None:
    body = "\n".join("word " * 10 for _ in range(6))
    passages = read_passages(write(tmp_path, "p.md", f"# page 2\n{body}\n"), 25, 10**6)
    assert [p.line for p in passages] == [2, 4, 6]
