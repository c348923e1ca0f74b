"""copilot.yaml and ``gemma4-ros index``: paths anchored to the file, exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gemma4_ros.cli import main
from gemma4_ros.copilot.config import load_copilot_config
from gemma4_ros.errors import ConfigError


def test_the_packaged_config_names_the_shipped_manual() -> None:
    config = load_copilot_config()
    assert [folder.name for folder in config.documents] == ["manuals"]
    assert sorted(p.name for p in config.documents[0].glob("*.md")) == [
        "battery.md", "docking.md", "error_codes.md", "estop_recovery.md"]
    assert config.index.is_absolute() and "~" not in str(config.index)


def test_relative_paths_are_taken_from_the_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "copilot.yaml"
    path.write_text("documents: [../docs]\nindex: idx/db.sqlite3\n")
    monkeypatch.chdir("/")
    config = load_copilot_config(path)
    assert config.documents == [tmp_path / "docs"]
    assert config.index == tmp_path / "conf" / "idx" / "db.sqlite3"


@pytest.mark.parametrize(("text", "key"), [
    ("index: x.sqlite3\n", "documents"),
    ("documents: []\nindex: x.sqlite3\n", "documents"),
    ("documents: ['']\nindex: x.sqlite3\n", "documents"),
    ("documents: [docs, '']\nindex: x.sqlite3\n", "documents"),
    ("documents: [d]\nindex: x\nchunk_words: 0\n", "chunk_words"),
    ("documents: [d]\nindex: x\nmax_file_mb: -1\n", "max_file_mb"),
    ("documents: [d]\nindex: x\nfolders: [d]\n", "folders"),
    ("documents: [d]\nindex: x\nindex: y\n", "index"),
])
def test_bad_settings_name_their_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "copilot.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_copilot_config(path)
    assert error.value.key.startswith(key)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["index", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_index_and_search_the_shipped_manual(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "i.sqlite3")
    code, out, _ = run(capsys, "--db", db, "--search", "how do I release the e-stop")
    assert code == 0
    assert "4 new, 0 changed, 0 unchanged, 0 removed, 0 skipped" in out
    assert "1. estop_recovery.md > E-stop recovery > Releasing the e-stop (line 16" in out
    code, out, _ = run(capsys, "--db", db, "--json", "--search", "battery.low", "--limit", "1")
    result = json.loads(out)
    assert (code, result["unchanged"], result["added"]) == (0, [
        "battery.md", "docking.md", "error_codes.md", "estop_recovery.md"], [])
    assert [hit["document"] for hit in result["hits"]] == ["battery.md"]


def test_skipped_files_and_empty_folders_exit_1(tmp_path: Path, capsys) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    db = str(tmp_path / "i.sqlite3")
    code, out, _ = run(capsys, str(docs), "--db", db)
    assert code == 1 and "no documents (.md" in out
    (docs / "ok.md").write_text("# OK\nfine\n")
    (docs / "bad.pdf").write_bytes(b"not a pdf")
    code, out, _ = run(capsys, str(docs), "--db", db)
    assert code == 1
    assert "skipped bad.pdf: not a readable PDF" in out and "1 new" in out


def test_a_missing_folder_exits_2(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, str(tmp_path / "nowhere"), "--db", str(tmp_path / "i.sqlite3"))
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_limit_must_be_positive(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["index", "--db", str(tmp_path / "i.sqlite3"), "--search", "x", "--limit", "0"])
    assert "not a positive number" in capsys.readouterr().err
