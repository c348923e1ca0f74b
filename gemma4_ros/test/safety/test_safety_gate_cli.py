"""`gemma4-ros gate check`: one verdict object per line, per-line errors, exit codes."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.safety import SafetyConfig
from gemma4_ros.cli.gate import add_parser, check_lines
from gemma4_ros.tools import ToolRegistry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "missions"


@pytest.fixture(scope="module")
def loaded() -> tuple[ToolRegistry, SafetyConfig]:
    return ToolRegistry.load(), SafetyConfig.load()


def _run(lines: list[str], loaded: tuple[ToolRegistry, SafetyConfig]) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = check_lines(lines, *loaded, out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_patrol_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["gate", "check", "--input", str(EXAMPLES / "patrol.jsonl")])
    assert args.handler(args) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5, 6, 7]
    decisions = {v["decision"] for r in results for v in r["verdicts"]}
    assert decisions == {"APPROVED", "NEEDS_CONFIRMATION"}
    assert results[6]["verdicts"][0]["rules"] == ["plan.low_confidence"]  # a model unsure of it


def test_unsafe_example_is_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["gate", "check", "--input", str(EXAMPLES / "unsafe.jsonl")])
    assert args.handler(args) == 1
    captured = capsys.readouterr()
    results = [json.loads(line) for line in captured.out.splitlines()]
    fired = [sorted({rule for v in r.get("verdicts", []) for rule in v["rules"]}) for r in results]
    # Their numbers are not in their instructions either ("Go fast." says no distance).
    ungrounded = "plan.ungrounded"
    assert fired[:7] == [["geofence.keep_in", ungrounded], ["bounds.speed", ungrounded],
                         ["provenance.motion"], ["mode.allowlist", ungrounded], ["tool.unknown"],
                         ["geofence.keep_out", ungrounded], ["sequence.forbidden"]]
    assert "NaN" in results[7]["error"]
    assert "7 rejected, 1 malformed" in captured.err


@pytest.mark.parametrize("line, fragment", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"instruction": "x"}', "calls: Field required"),
    ('{"calls": [], "colour": "red"}', "colour: Extra inputs"),
    ('{"calls": [{"arguments": {}}]}', "calls.0.name: Field required"),
    ('{"calls": [{"name": "stop"}], "mode": "party"}', "unknown operating mode 'party'"),
    ('{"calls": [{"name": "stop"}], "source": "dream"}', "source:"),
    ('{"calls": [{"name": "stop"}], "robot": {"place": "moon"}}', "robot.place 'moon'"),
    ('{"calls": [{"name": "move", "arguments": {"distance": Infinity}}]}', "Infinity is not valid"),
    ('{"calls": [{"name": "stop", "confidence": 1.5}]}', "calls.0.confidence: Input should be"),
])
def test_malformed_lines_report_and_continue(loaded: tuple[ToolRegistry, SafetyConfig], line: str,
                                             fragment: str) -> None:
    good = '{"calls": [{"name": "stop", "arguments": {}}]}'
    code, results = _run([good, line, "", good], loaded)
    assert code == 1
    assert [r["line"] for r in results] == [1, 2, 4]
    assert fragment in results[1]["error"]
    assert results[2]["verdicts"][0]["decision"] == "APPROVED"


def test_lines_are_independent(loaded: tuple[ToolRegistry, SafetyConfig]) -> None:
    # Each line starts from a fresh gate: no rate history or dock sequence carries over.
    dock = '{"calls": [{"name": "dock"}]}'
    move = ('{"instruction": "move 1 m", "calls": [{"name": "move", "arguments": {"distance": 1},'
            ' "confidence": 0.99}], "robot": {"place": "dock"}}')
    code, results = _run([dock, move], loaded)
    assert code == 0 and results[1]["verdicts"][0]["decision"] == "APPROVED"


def test_a_call_without_confidence_counts_as_unsure_unless_a_mission(
        loaded: tuple[ToolRegistry, SafetyConfig]) -> None:
    calls = '"calls": [{"name": "navigate_to", "arguments": {"place": "lab"}}]'
    text = '{"instruction": "go to the lab", ' + calls + "}"
    mission = '{"instruction": "go to the lab", "source": "mission", ' + calls + "}"
    code, results = _run([text, mission], loaded)
    assert code == 0
    assert results[0]["verdicts"][0]["rules"] == ["plan.low_confidence"]
    assert results[1]["verdicts"][0]["decision"] == "APPROVED"


def test_missing_input_file_is_an_error(tmp_path: Path) -> None:
    args = _parse(["gate", "check", "--input", str(tmp_path / "none.jsonl")])
    with pytest.raises(Gemma4RosError, match="cannot read"):
        args.handler(args)


def test_wired_into_the_gemma4_ros_command(capsys: pytest.CaptureFixture[str]) -> None:
    from gemma4_ros.cli import main

    assert main(["gate", "check", "--input", str(EXAMPLES / "unsafe.jsonl")]) == 1
    assert main(["gate", "check", "--input", str(EXAMPLES / "patrol.jsonl")]) == 0
    assert main(["gate", "check", "--safety", "/nope/safety.yaml", "--input", "-"]) == 2
    assert "file not found" in capsys.readouterr().err


MOVE = '{"calls": [{"name": "move", "arguments": {"distance": %s}}]}'


@pytest.mark.parametrize("line, fragment", [
    ('{"calls": [{"name": "move", "arguments": {"distance": 1, "distance": 9}}]}',
     "key 'distance' appears twice"),
    ('{"calls": [], "calls": [{"name": "move", "arguments": {"distance": 1}}]}',
     "key 'calls' appears twice"),
    (MOVE % ("1" + "0" * 5000), "an integer of 5001 digits is too long to read"),
    (MOVE % ("[" * 5000 + "]" * 5000), "nested too deeply to read"),
    (MOVE % "NaN", "NaN is not valid JSON"),
    (MOVE % "1e400", "no NaN/inf"),  # a float past range reads as infinity
])
def test_lines_that_cannot_be_read_faithfully_are_malformed(
        loaded: tuple[ToolRegistry, SafetyConfig], line: str, fragment: str) -> None:
    good = '{"calls": [{"name": "stop"}]}'
    code, results = _run([line, good], loaded)
    assert code == 1 and fragment in results[0]["error"]
    assert results[1]["verdicts"][0]["decision"] == "APPROVED"


@pytest.mark.parametrize("value, rule, fragment", [
    ("1" + "0" * 400, "bounds.distance", "move.distance = a 401-digit number is above"),
    ("[" * 900 + "]" * 900, "args.schema", "nested deeper than 32 levels"),
])
def test_hostile_values_are_judged_and_refused_by_name(
        loaded: tuple[ToolRegistry, SafetyConfig], value: str, rule: str, fragment: str) -> None:
    code, results = _run([MOVE % value], loaded)
    verdict = results[0]["verdicts"][0]
    assert code == 1 and verdict["decision"] == "REJECTED" and rule in verdict["rules"]
    assert "gate.internal_error" not in verdict["rules"]
    assert any(fragment in reason for reason in verdict["reasons"]), verdict["reasons"]


def test_lines_that_are_not_utf8_are_malformed_and_the_rest_judged(
        loaded: tuple[ToolRegistry, SafetyConfig]) -> None:
    lines = [b'{"instruction": "caf\xe9", "calls": [{"name": "stop"}]}\n',
             '{"instruction": "café", "calls": [{"name": "stop"}]}\n'.encode(), b"\n",
             b'\xef\xbb\xbf{"calls": [{"name": "stop"}]}\n']  # a BOM is not an error
    code, results = _run(lines, loaded)  # type: ignore[arg-type]
    assert code == 1 and [r["line"] for r in results] == [1, 2, 4]
    assert results[0]["error"] == "not UTF-8 text: byte 0xe9 at column 21; save the file as UTF-8"
    assert results[1]["instruction"] == "café" and "verdicts" in results[2]


def test_lone_surrogate_is_judged_and_printed_as_json(
        loaded: tuple[ToolRegistry, SafetyConfig]) -> None:
    line = '{"instruction": "\\ud800 go", "calls": [{"name": "stop"}]}'
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")  # what stdout is: it cannot encode a surrogate
    assert check_lines([line], *loaded, out) == 0
    out.flush()
    result = json.loads(raw.getvalue().decode("utf-8"))
    assert result["instruction"] == "\ud800 go" and result["verdicts"][0]["decision"] == "APPROVED"


def test_file_with_a_bad_byte_exits_1_and_judges_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gemma4_ros.cli import main

    path = tmp_path / "calls.jsonl"
    path.write_bytes(b'{"calls": [{"name": "stop"}], "instruction": "\xff"}\n'
                     b'{"calls": [{"name": "stop"}]}\n')
    assert main(["gate", "check", "--input", str(path)]) == 1
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "not UTF-8" in results[0]["error"]
    assert results[1]["verdicts"][0]["decision"] == "APPROVED"


def test_input_that_cannot_be_read_at_all_exits_2(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from gemma4_ros.cli import main

    assert main(["gate", "check", "--input", str(tmp_path)]) == 2  # a directory
    assert "cannot read" in capsys.readouterr().err
