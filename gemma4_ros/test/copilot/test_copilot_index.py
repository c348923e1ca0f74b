"""The SQLite full-text index: incremental, mirrors its folders, ranks, never half-updated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gemma4_ros.copilot import index as index_module
from gemma4_ros.copilot.index import DocumentIndex
from gemma4_ros.errors import Gemma4RosError

CHUNK, CAP = 200, 10**6


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "pump.md").write_text("# Pump\n## Priming\nOpen valve V2 and run the pump.\n"
                                    "## Faults\nE7 means the pump ran dry.\n")
    (folder / "sub" / "notes.txt").write_text("The charger sits by the north door.\n")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    (folder / ".hidden.md").write_text("# Secret\nnot indexed\n")
    return folder


def open_index(tmp_path: Path) -> DocumentIndex:
    return DocumentIndex(tmp_path / "index" / "docs.sqlite3")


def test_first_update_reads_every_document(tmp_path: Path, docs: Path) -> None:
    with open_index(tmp_path) as index:
        report = index.update([docs], CHUNK, CAP)
    assert report.added == ["pump.md", "sub/notes.txt"]
    assert (report.ignored, report.passages, report.skipped) == (1, 3, {})


def test_only_changed_files_are_read_again(tmp_path: Path, docs: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with open_index(tmp_path) as index:
        index.update([docs], CHUNK, CAP)
        read: list[str] = []
        original = index_module.read_passages
        monkeypatch.setattr(index_module, "read_passages",
                            lambda path, *a: read.append(path.name) or original(path, *a))
        pump = docs / "pump.md"
        os.utime(pump, ns=(pump.stat().st_atime_ns, pump.stat().st_mtime_ns + 10**9))  # touched
        (docs / "sub" / "notes.txt").write_text("The charger moved to the south door.\n")
        (docs / "new.md").write_text("# New\nA new page.\n")
        report = index.update([docs], CHUNK, CAP)
        assert read == ["new.md", "notes.txt"]
        assert (report.added, report.updated, report.unchanged) == (
            ["new.md"], ["sub/notes.txt"], ["pump.md"])
        assert [hit.text for hit in index.search("where is the charger")] == [
            "The charger moved to the south door."]
        read.clear()
        assert index.update([docs], CHUNK, CAP).unchanged == ["new.md", "pump.md", "sub/notes.txt"]
        assert read == []


def test_the_index_mirrors_its_folders(tmp_path: Path, docs: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# A\nalpha\n")
    with open_index(tmp_path) as index:
        index.update([docs, other], CHUNK, CAP)
        (docs / "pump.md").unlink()
        report = index.update([docs], CHUNK, CAP)
        assert sorted(report.removed) == ["a.md", "pump.md"]
        assert index.search("pump valve alpha") == []


def test_unreadable_files_are_reported_and_the_rest_indexed(tmp_path: Path, docs: Path) -> None:
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02")
    with open_index(tmp_path) as index:
        report = index.update([docs], CHUNK, CAP)
    assert sorted(report.skipped) == ["binary.txt", "broken.pdf"]
    assert "binary" in report.skipped["binary.txt"]
    assert report.added == ["pump.md", "sub/notes.txt"]


def test_a_failed_update_leaves_the_previous_index(tmp_path: Path, docs: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with open_index(tmp_path) as index:
        index.update([docs], CHUNK, CAP)
        (docs / "pump.md").write_text("# Pump\nrewritten\n")

        def crash(*_: object) -> None:
            raise RuntimeError("power cut")

        monkeypatch.setattr(index_module, "read_passages", crash)
        with pytest.raises(RuntimeError):
            index.update([docs], CHUNK, CAP)
        assert [hit.locator for hit in index.search("priming")] == ["Pump > Priming"]


def test_ranking_prefers_the_section_named_and_stems_words(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "m.md").write_text(
        "# Docking\nSend it home.\n# Battery\nDocking drains nothing; the dock charges it.\n"
        "# Fuses\nCheck fuse F3.\n")
    with open_index(tmp_path) as index:
        index.update([folder], CHUNK, CAP)
        assert index.search("docking")[0].locator == "Docking"
        assert [hit.locator for hit in index.search("charging", limit=5)] == ["Battery"]
        assert index.search("fuse", limit=1)[0].line == 6


@pytest.mark.parametrize("query", ['"unbalanced', "a AND OR NOT", "NEAR(x y", "*", "-- ;drop",
                                   "valve^2", "col:umn", "", "   ", "日本語の質問"])
def test_any_text_is_a_query(tmp_path: Path, docs: Path, query: str) -> None:
    with open_index(tmp_path) as index:
        index.update([docs], CHUNK, CAP)
        assert isinstance(index.search(query), list)


def test_changing_the_cut_reads_everything_again(tmp_path: Path, docs: Path) -> None:
    with open_index(tmp_path) as index:
        index.update([docs], CHUNK, CAP)
        assert index.update([docs], 50, CAP).added == ["pump.md", "sub/notes.txt"]


def test_a_missing_folder_and_a_corrupt_index_are_errors(tmp_path: Path) -> None:
    with open_index(tmp_path) as index, pytest.raises(Gemma4RosError, match="does not exist"):
        index.update([tmp_path / "nowhere"], CHUNK, CAP)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(Gemma4RosError, match="not a usable index") as error:
        DocumentIndex(bad)
    assert "delete the file" in error.value.hint


def test_a_huge_folder_is_refused_before_anything_is_read(tmp_path: Path, docs: Path) -> None:
    with open_index(tmp_path) as index:
        with pytest.raises(Gemma4RosError, match=r"2 documents is more than max_documents \(1\)"):
            index.update([docs], CHUNK, CAP, max_documents=1)
        for number in range(30):
            (docs / f"image_{number}.png").write_bytes(b"")
        with pytest.raises(Gemma4RosError, match="more than 30 files") as error:
            index.update([docs], CHUNK, CAP, max_documents=3)
        assert "manuals" in error.value.hint
        assert index.search("pump") == []  # nothing was indexed


def test_files_over_the_cap_are_skipped_unread_and_unreadable_ones_reported(
        tmp_path: Path, docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (docs / "dump.txt").write_text("x " * 5000)
    read: list[str] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or original(self))
    with open_index(tmp_path) as index:
        report = index.update([docs], CHUNK, max_file_bytes=5000)
        assert "over the" in report.skipped["dump.txt"] and "dump.txt" not in read
        monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
            PermissionError(13, "Permission denied")))
        (docs / "pump.md").write_text("# Pump\nchanged\n")
        report = index.update([docs], CHUNK, CAP)
        assert report.skipped["pump.md"] == "cannot be read (Permission denied)"


def test_an_index_where_nothing_can_be_written_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Gemma4RosError, match="cannot create the index") as error:
        DocumentIndex(blocker / "sub" / "index.sqlite3")  # a file where a folder must go
    assert "--db" in error.value.hint
