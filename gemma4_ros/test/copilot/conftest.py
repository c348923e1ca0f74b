"""Copilot fixtures: documents written on the spot, PDFs included (built byte by byte); a
tokenizer for scripted models and the shipped manuals' index, built once per session."""

from __future__ import annotations

import pytest

from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.paths import share_dir
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer

MANUALS = share_dir() / "examples" / "manuals"


def pdf_bytes(pages: list[str]) -> bytes:
    """A minimal valid PDF: one line of Helvetica text per page (empty text: a page without
    a text layer, as a scan would be)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 "
               "/BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else ""
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
                       f"{len(objects)} 0 R /Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


@pytest.fixture
def make_pdf():
    return pdf_bytes


@pytest.fixture(scope="session")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Gemma4Tokenizer:
    made = build_fixture_tokenizer(tmp_path_factory.mktemp("tokenizer"), vocab_size=2048)
    return Gemma4Tokenizer.from_file(made.path)


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> DocumentIndex:
    """The shipped manuals, indexed as the copilot.yaml default does."""
    made = DocumentIndex(tmp_path_factory.mktemp("index") / "manuals.sqlite3")
    made.update([MANUALS], chunk_words=200, max_file_bytes=10_000_000)
    return made
