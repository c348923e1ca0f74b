"""``gemma4-ros replay`` end to end on the example records, with the embedded demo model.

The records in ``examples/records`` were made by the demo model itself (``gemma4-ros run
--commands examples/commands/NAME.txt --record examples/records/NAME.mcap``; record them again
whenever the demo model is retrained), so replaying them with the packaged configs must find
every mission the same, and a safety file with wider rotation bounds must be caught.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from gemma4_ros.cli import main
from gemma4_ros.paths import default_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RECORDS = EXAMPLES / "records"


def commands_in(name: str) -> list[str]:
    lines = (EXAMPLES / "commands" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def replay_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["replay", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_example_records_replay_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = replay_json(capsys, str(RECORDS))
    assert code == 0
    expected = commands_in("errands") + commands_in("shift")  # records in file-name order
    assert [m["instruction"] for m in report["missions"]] == expected
    assert report["summary"]["same"] == len(expected), [
        (m["instruction"], m["label"]) for m in report["missions"] if m["label"] != "same"]
    assert report["problems"] == []


def test_a_weakened_safety_file_is_caught(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    safety = yaml.safe_load(default_config("safety.yaml").read_text(encoding="utf-8"))
    safety["bounds"]["rotate"]["angle"].update(min=-360.0, max=360.0)
    weak = tmp_path / "weak_safety.yaml"
    weak.write_text(yaml.safe_dump(safety), encoding="utf-8")
    code, report = replay_json(capsys, str(RECORDS), "--safety", str(weak))
    assert code == 1
    (caught,) = [m for m in report["missions"] if m["label"] == "newly_approved"]
    assert caught["instruction"] == "rotate 270 degrees to the left"
    assert caught["verdict_changes"] == [{"step": 0, "tool": "rotate", "recorded": "REJECTED",
                                          "replayed": "APPROVED"}]
    assert report["summary"]["newly_approved"] == 1


def test_the_table_and_the_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(RECORDS / "shift.mcap")]) == 0
    out = capsys.readouterr().out
    assert "rotate {\"angle\": 270} [no]" in out and "newly_approved" not in out
    assert out.strip().splitlines()[-1].startswith(f"{len(commands_in('shift'))} missions: ")


def test_bad_records_are_named_and_the_rest_is_scored(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(RECORDS / "shift.mcap", folder / "a_good.mcap")
    data = (RECORDS / "errands.mcap").read_bytes()
    (folder / "b_cut.mcap").write_bytes(data[: len(data) - 2000])  # summary and last chunk gone
    (folder / "c_not.mcap").write_bytes(b"not a record")
    code, report = replay_json(capsys, str(folder))
    assert code == 0
    files = {Path(m["file"]).name for m in report["missions"]}
    assert "a_good.mcap" in files and "c_not.mcap" not in files
    assert any("b_cut.mcap: ends early" in p for p in report["problems"])
    assert any("c_not.mcap is not a readable MCAP file" in p for p in report["problems"])


def test_nothing_to_replay_exits_2_before_loading_a_model(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    assert main(["replay", str(tmp_path / "absent.mcap")]) == 2
    assert "no flight record to replay" in capsys.readouterr().err
