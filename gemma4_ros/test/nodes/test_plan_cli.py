"""``gemma4-ros plan`` through ``cli.main`` on a scripted planner: a file of commands judged by the
gate, one JSON line each, and exit codes that say whether anything was refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from planner_rig import WAIT, call, scripted

from gemma4_ros.cli import main
from gemma4_ros.perception.frame import Frame, frame_to_compressed
from gemma4_ros.cli import plan as plan_cli
from gemma4_ros.planning import Planner
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import Replies, ScriptedModel
from gemma4_ros.types import Plan

LAB = call("navigate_to", place="lab") + WAIT
TOO_FAR = call("move", distance=5) + WAIT  # the schema allows 5 m, safety.yaml 3 m
DECLINE = "sorry, i cannot do that with my tools."


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Gemma4Tokenizer:
    made = build_fixture_tokenizer(tmp_path_factory.mktemp("plan-tok"), vocab_size=512)
    return Gemma4Tokenizer.from_file(made.path)


@pytest.fixture
def use_model(monkeypatch: pytest.MonkeyPatch, tokenizer: Gemma4Tokenizer
              ) -> Callable[[Replies], Planner]:
    def install(replies: Replies) -> Planner:
        planner = scripted(tokenizer, ScriptedModel(tokenizer, replies))
        monkeypatch.setattr(plan_cli, "load_cli_planner", lambda *args: planner)
        return planner
    return install


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_commands_are_planned_and_judged_one_json_line_each(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_model([LAB, DECLINE, TOO_FAR])
    commands = write(tmp_path / "shift.txt", "go to the lab\n# lunch\nmake a coffee\n\n"
                                             "go forward five meters\n")
    assert main(["plan", "--commands", commands, "--json"]) == 1
    lab, coffee, far = lines(capsys.readouterr().out)
    assert [lab["line"], coffee["line"], far["line"]] == [1, 2, 3]
    assert [lab["command"], coffee["command"]] == ["go to the lab", "make a coffee"]
    assert [lab["outcome"], coffee["outcome"], far["outcome"]] == [
        "approved", "no_calls", "rejected"]
    assert Plan.model_validate(lab["plan"]).steps[0].call.arguments == {"place": "lab"}
    assert lab["verdicts"] == [{"step": 0, "tool": "navigate_to", "decision": "APPROVED",
                                "rules": [], "reasons": []}]
    assert coffee["verdicts"] == [] and coffee["plan"]["summary"] == DECLINE
    assert far["verdicts"][0]["rules"] == ["bounds.distance"]


def test_a_file_that_all_passes_exits_0_and_reads_as_text(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_model([LAB, call("speak", text="hello") + WAIT])
    assert main(["plan", "--commands", write(tmp_path / "c.txt", "lab\nsay hello\n")]) == 0
    out = capsys.readouterr().out
    assert "1: plan " in out and "gate: step 1 navigate_to APPROVED" in out
    assert "2: plan " in out and '1. speak {"text": "hello"}' in out and "=> approved" in out


def test_the_supervised_mode_asks_before_motion_and_that_is_no_failure(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_model([LAB])
    code = main(["plan", "--commands", write(tmp_path / "c.txt", "lab\n"), "--mode",
                 "supervised", "--json"])
    (lab,) = lines(capsys.readouterr().out)
    assert code == 0 and lab["outcome"] == "needs_confirmation"


def test_a_jsonl_file_plans_each_line_s_command(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_model([LAB])
    jsonl = write(tmp_path / "set.jsonl",
                  '{"command": "to the lab", "calls": [], "tag": "place"}\n')
    assert main(["plan", "--commands", jsonl, "--json"]) == 0
    assert lines(capsys.readouterr().out)[0]["command"] == "to the lab"


@pytest.mark.parametrize("content, problem", [
    (b"go to the lab\n\xff\xfe\n", "is not UTF-8 text"),
    (b"# only a comment\n", "holds no commands"),
    (b'{"calls": []}\n', 'no "command"'),
])
def test_an_unusable_commands_file_exits_2_before_the_model_loads(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        problem: str) -> None:
    path = tmp_path / ("c.jsonl" if content.startswith(b"{") else "c.txt")
    path.write_bytes(content)
    assert main(["plan", "--commands", str(path)]) == 2
    assert problem in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["plan"], ["plan", "go", "--commands", "c.txt"]])
def test_an_instruction_or_a_file_but_not_both(argv: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "either an instruction or --commands" in capsys.readouterr().err


def test_a_declined_instruction_exits_1(use_model, capsys: pytest.CaptureFixture[str]) -> None:
    use_model(DECLINE)
    assert main(["plan", "make me a coffee", "--json"]) == 1
    assert Plan.model_validate_json(capsys.readouterr().out).steps == ()


def test_an_image_is_read_first_and_a_blind_model_says_what_it_lacks(
        use_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_model([LAB])
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert main(["plan", "go to the lab", "--image", str(corrupt)]) == 2
    assert "broken.png" in capsys.readouterr().err
    image = tmp_path / "scene.png"
    image.write_bytes(frame_to_compressed(Frame(np.zeros((4, 6, 3), np.uint8), 0.0), "png"))
    assert main(["plan", "go to the lab", "--image", str(image)]) == 2
    assert "vision_encoder" in capsys.readouterr().err
