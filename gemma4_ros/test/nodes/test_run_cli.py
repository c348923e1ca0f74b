"""``gemma4-ros run`` and ``gemma4-ros ask`` through ``cli.main``: exit codes and what they print.

Most tests swap the model loader for a scripted planner, so the plans are meaningful and each
command takes milliseconds; one test loads the tiny exported ONNX model from a directory, as a
user would, to prove the real path end to end.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from gemma4_ros.cli import main
from gemma4_ros.paths import default_config
from gemma4_ros.perception.frame import Frame, frame_to_compressed
from gemma4_ros.cli import ask as ask_cli
from gemma4_ros.cli import run as run_cli
from gemma4_ros.planning import Planner
from gemma4_ros.recording import read_recording, topics
from gemma4_ros.runtime import config as runtime_config
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_models import FixtureUnavailable, fixture_model
from gemma4_ros.testing.fixture_tokenizer import (
    FixtureTokenizer,
    build_fixture_tokenizer,
)
from gemma4_ros.testing.scripted_model import Replies, ScriptedModel
from gemma4_ros.types import Plan
from planner_rig import SPEECH_WAV, WAIT, HearingPlanner, call, scripted

SAY_AND_MOVE = call("speak", text="moving") + call("move", distance=0.2) + WAIT


@pytest.fixture(scope="module")
def fixture_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> FixtureTokenizer:
    return build_fixture_tokenizer(tmp_path_factory.mktemp("run-tok"), vocab_size=512)


@pytest.fixture(scope="module")
def tokenizer(fixture_tokenizer: FixtureTokenizer) -> Gemma4Tokenizer:
    return Gemma4Tokenizer.from_file(fixture_tokenizer.path)


@pytest.fixture
def use_model(monkeypatch: pytest.MonkeyPatch, tokenizer: Gemma4Tokenizer
              ) -> Callable[..., Planner]:
    """``use_model(replies)``: the CLI commands load a scripted planner with these replies."""
    def install(replies: Replies, planner_class: type[Planner] = Planner) -> Planner:
        planner = scripted(tokenizer, ScriptedModel(tokenizer, replies), planner_class)
        monkeypatch.setattr(run_cli, "load_cli_planner", lambda *args: planner)
        monkeypatch.setattr(ask_cli, "load_cli_planner", lambda *args: planner)
        return planner
    return install


def json_events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_once_runs_one_command_and_exits_0_when_every_step_succeeded(
        use_model: Callable[..., Planner], capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    code = main(["run", "--once", "say moving and move 20 cm"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "(text) for 'say moving and move 20 cm'" in out and '2. move {"distance": 0.2}' in out
    assert "gate: step 2 move APPROVED" in out
    assert "result: step 2 move SUCCEEDED" in out and "pose x=0.70 y=0.50" in out  # from the dock
    assert out.strip().endswith("done: all 2 steps succeeded")


def test_once_exits_1_when_the_gate_refuses(use_model: Callable[..., Planner],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    code = main(["run", "--mode", "maintenance", "--once", "say moving and move 20 cm"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "gate: step 2 move REJECTED" in out and "step 2 move REJECTED" in out
    assert "pose x=0.50 y=0.50" in out and "done: step" in out


def test_commands_file_in_json_reports_each_plan_and_its_end(
        use_model: Callable[..., Planner], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model([call("speak", text="one") + WAIT, call("dock") + WAIT])
    commands = tmp_path / "commands.txt"
    commands.write_text("# a comment\nsay one\n\ngo and dock\n", encoding="utf-8")
    code = main(["run", "--commands", str(commands), "--json"])
    events = json_events(capsys.readouterr().out)
    assert code == 0, events
    plans = [Plan.model_validate(e["plan"]) for e in events if e["event"] == "plan"]
    assert [p.instruction for p in plans] == ["say one", "go and dock"]
    assert [[s.call.name for s in p.steps] for p in plans] == [["speak"], ["dock"]]
    assert [e["success"] for e in events if e["event"] == "done"] == [True, True]
    results = [e for e in events if e["event"] == "result"]
    assert len(results) == 2 and all("pose" in e for e in results)


def test_commands_file_problems_exit_2_with_the_fix(
        use_model: Callable[..., Planner], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    assert main(["run", "--commands", str(tmp_path / "absent.txt")]) == 2
    assert "cannot read commands file" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    assert main(["run", "--commands", str(empty)]) == 2
    assert "holds no commands" in capsys.readouterr().err


def test_missing_demo_model_names_the_files_and_how_to_get_a_model(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(runtime_config, "demo_model_dir", lambda: tmp_path / "gemma4-ros-demo")
    assert main(["run", "--once", "dock"]) == 2
    error = capsys.readouterr().err
    assert "embedded demo model" in error and "tokenizer.json" in error
    assert "onnx/decoder_model_merged.onnx" in error and "--model DIR" in error


def _safety_file(tmp_path: Path, **sections: Any) -> str:
    data = yaml.safe_load(default_config("safety.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump({**data, **sections}), encoding="utf-8")
    return str(path)


def test_audio_file_becomes_a_voice_plan_that_runs(
        use_model: Callable[..., Planner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # This planner writes the transcript into the instruction, so voice plans can be grounded
    # like typed ones (grounding.sources.voice: check) and need no operator.
    planner = use_model(call("navigate_to", place="dock") + WAIT, HearingPlanner)
    monkeypatch.setattr(run_cli, "require_encoder", lambda engine, kind: None)  # it "hears"
    planner.heard = []
    safety = _safety_file(tmp_path, grounding={"sources": {"voice": "check"}})
    code = main(["run", "--audio", str(SPEECH_WAV), "--safety", safety])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "(voice)" in out and "navigate_to" in out and "SUCCEEDED" in out
    assert len(planner.heard) == 1 and "1 voice plan(s), 0 planning failure(s)" in out


def test_voice_motion_waits_for_an_operator_by_default(
        use_model: Callable[..., Planner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("navigate_to", place="dock") + WAIT, HearingPlanner).heard = []
    monkeypatch.setattr(run_cli, "require_encoder", lambda engine, kind: None)  # it "hears"
    started = time.monotonic()
    code = main(["run", "--audio", str(SPEECH_WAV)])
    out = capsys.readouterr().out
    assert code == 1, out  # no operator to answer (stdin is no terminal): the motion did not run
    assert "NEEDS_CONFIRMATION" in out and "no words to check navigate_to" in out
    assert "denied by nobody (run without a terminal)" in out
    assert time.monotonic() - started < 30.0, "denied at once, not after the confirmation time-out"


def test_an_unsure_step_is_put_to_the_operator_at_a_terminal(
        use_model: Callable[..., Planner], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("move", distance=0.1) + WAIT)  # "10 meters" planned as 0.1: ungrounded
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or "y")
    assert main(["run", "--once", "go forward 10 meters"]) == 0
    out = capsys.readouterr().out
    assert asked == ["run it? [y/N] "]
    assert "needs your confirmation: step 1 of plan" in out and "distance 0.1 is not in" in out
    assert "approved by terminal" in out and "done: all 1 steps succeeded" in out


def test_without_a_terminal_an_unsure_step_is_denied_at_once(
        use_model: Callable[..., Planner], capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("move", distance=0.1) + WAIT)
    assert main(["run", "--once", "go forward 10 meters"]) == 1
    out = capsys.readouterr().out
    assert "denied by nobody (run without a terminal)" in out and "REJECTED" in out


def test_confirm_at_the_prompt_with_nothing_waiting_says_so(
        use_model: Callable[..., Planner], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("speak", text="hi") + WAIT)
    typed = iter(["/confirm", "/deny", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    assert main(["run"]) == 0
    assert capsys.readouterr().out.count("no step is waiting for an operator") == 2


def test_interactive_prompt_runs_commands_estop_reset_and_ask(
        use_model: Callable[..., Planner], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("speak", text="hi") + WAIT)
    typed = iter(["say hi", "/estop", "say hi", "/reset", "/ask what now?", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    first, after_estop = out.split("executor ESTOPPED", 1)
    assert "done: all 1 steps succeeded" in first
    assert "REJECTED" in after_estop and "e-stop released" in after_estop
    assert "copilot:" in after_estop


def test_run_with_an_image_still_plans_when_the_model_cannot_see(use_model: Callable[..., Planner], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        caplog: pytest.LogCaptureFixture) -> None:
    """The scripted model cannot see: the frame is dropped with one warning, the plan runs."""
    use_model(SAY_AND_MOVE)
    image = tmp_path / "scene.png"
    image.write_bytes(frame_to_compressed(Frame(np.zeros((4, 6, 3), np.uint8), 0.0), "png"))
    with caplog.at_level("WARNING"):
        assert main(["run", "--image", str(image), "--once", "say moving and move 20 cm"]) == 0
    # The reader may not have sent the first frame before planning starts; when it had, the
    # planner said why the model did not get it.
    assert all("vision_encoder" in r.getMessage() for r in caplog.records
               if "camera frames are not shown" in r.getMessage())
    assert "plan " in capsys.readouterr().out


def png(path: Path, height: int = 4, width: int = 6) -> Path:
    path.write_bytes(frame_to_compressed(Frame(np.zeros((height, width, 3), np.uint8), 0.0),
                                         "png"))
    return path


def test_run_image_is_what_capture_image_returns(use_model: Callable[..., Planner],
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("capture_image") + WAIT)
    image = png(tmp_path / "site.png", height=24, width=32)
    assert main(["run", "--image", str(image), "--once", "take a picture", "--json"]) == 0
    (result,) = [e["result"] for e in json_events(capsys.readouterr().out)
                 if e["event"] == "result"]
    assert result["status"] == "SUCCEEDED"
    assert (result["result"]["source"], result["result"]["width"],
            result["result"]["height"]) == (str(image), 32, 24)


def test_run_with_a_corrupt_image_exits_2_naming_it(use_model: Callable[..., Planner],
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("capture_image") + WAIT)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert main(["run", "--image", str(corrupt), "--once", "take a picture"]) == 2
    assert "corrupt.png" in capsys.readouterr().err
    folder = tmp_path / "frames"
    folder.mkdir()
    png(folder / "a.png")
    (folder / "b.png").write_bytes(b"not an image")
    assert main(["run", "--image", str(folder), "--once", "take a picture"]) == 2
    assert "b.png" in capsys.readouterr().err


def test_a_declined_command_exits_1(use_model: Callable[..., Planner],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    use_model("sorry, i cannot do that with my tools.")
    assert main(["run", "--once", "make me a coffee"]) == 1
    assert "done: no tool calls (the model declined)" in capsys.readouterr().out


def test_audio_for_a_model_that_cannot_hear_exits_2_before_listening(
        use_model: Callable[..., Planner], capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("navigate_to", place="dock") + WAIT)
    assert main(["run", "--audio", str(SPEECH_WAV)]) == 2
    assert "audio_encoder" in capsys.readouterr().err


def test_audit_file_keeps_every_decision_on_disk(use_model: Callable[..., Planner],
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    audit = tmp_path / "audit.jsonl"
    assert main(["run", "--audit", str(audit), "--once", "say moving and move 20 cm"]) == 0
    records = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds.count("plan") == 1 and kinds.count("step_started") == 2
    assert [r["status"] for r in records if r["kind"] == "step_result"] == ["SUCCEEDED"] * 2
    assert main(["run", "--audit", str(tmp_path), "--once", "say moving"]) == 2
    assert "audit log" in capsys.readouterr().err


def test_record_keeps_the_mission_in_an_mcap_file(use_model: Callable[..., Planner],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    path = tmp_path / "mission.mcap"
    assert main(["run", "--once", "say moving and move 20 cm", "--record", str(path)]) == 0
    assert "flight record: " in capsys.readouterr().out
    record = read_recording(path)
    assert not record.truncated and record.problems == []
    assert record.on(topics.COMMAND) == ["say moving and move 20 cm"]
    (plan,) = record.on(topics.PLAN)
    assert [s.call.name for s in plan.steps] == ["speak", "move"]
    assert {(v.step_index, v.decision.value) for v in record.on(topics.VERDICTS)} == {
        (0, "APPROVED"), (1, "APPROVED")}
    assert [r.status.value for r in record.on(topics.RESULTS)] == ["SUCCEEDED", "SUCCEEDED"]
    assert record.on(topics.STATUS)[-1].state.value == "IDLE"
    assert record.info["config_sha256"] and record.recorder_stats["dropped"] == "0"


def test_record_to_an_unwritable_path_exits_2(use_model: Callable[..., Planner], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    assert main(["run", "--once", "dock", "--record", str(tmp_path / "no" / "x.mcap")]) == 2
    assert "cannot write the flight record" in capsys.readouterr().err


def test_ask_answers_and_refuses_an_image_a_blind_model_cannot_see(
        use_model: Callable[..., Planner], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model("The valve is open.")
    assert main(["ask", "is the valve open?"]) == 0
    assert capsys.readouterr().out.strip() == "The valve is open."
    image = tmp_path / "valve.png"
    image.write_bytes(frame_to_compressed(Frame(np.zeros((4, 6, 3), np.uint8), 0.0), "png"))
    assert main(["ask", "and now?", "--image", str(image)]) == 2
    assert "vision_encoder" in capsys.readouterr().err
    assert main(["ask", "?", "--image", str(tmp_path / "absent.png")]) == 2
    assert "absent.png" in capsys.readouterr().err


def test_once_on_the_exported_tiny_onnx_model(fixture_tokenizer: FixtureTokenizer,
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The real path: model directory → ONNX Runtime → grammar → plan → gate → sim robot. The
    weights are random, so the plan is arbitrary; the exit code must agree with the results."""
    try:
        tiny = fixture_model("tiny")
    except FixtureUnavailable as error:
        pytest.skip(str(error))
    root = tmp_path / "model"
    root.mkdir()
    for item in Path(tiny.onnx_dir).iterdir():
        (root / item.name).symlink_to(item)
    shutil.copy(fixture_tokenizer.path, root / "tokenizer.json")
    runtime = tmp_path / "models.yaml"
    runtime.write_text(yaml.safe_dump({"model_dir": str(root), "providers": ["cpu"],
                                       "intra_op_threads": 1}))
    planner = tmp_path / "planner.yaml"
    planner.write_text(yaml.safe_dump({"system_prompt": "You plan robot tasks.", "max_steps": 2,
                                       "max_tokens": 300, "grammar": {
                                           "max_text_chars": 40, "string_chars_cap": 12}}))
    code = main(["run", "--model", str(root), "--runtime-config", str(runtime),
                 "--planner-config", str(planner), "--once", "go to the dock", "--json"])
    events = json_events(capsys.readouterr().out)
    (done,) = [e for e in events if e["event"] == "done"]
    plans = [Plan.model_validate(e["plan"]) for e in events if e["event"] == "plan"]
    if plans:
        assert plans[0].model == "model (fp32)" and plans[0].instruction == "go to the dock"
        results = [e["result"] for e in events if e["event"] == "result"]
        assert len(results) == len(plans[0].steps)
        assert done["success"] == (bool(results) and all(r["status"] == "SUCCEEDED"
                                                          for r in results))
    else:
        assert not done["success"]  # no plan (e.g. the random text did not parse)
    assert code == (0 if done["success"] else 1)


def test_commands_file_that_is_not_utf8_exits_2_naming_the_byte(
        use_model: Callable[..., Planner], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(SAY_AND_MOVE)
    path = tmp_path / "commands.txt"
    path.write_bytes(b"say hi\n\xff\xfe move\n")
    assert main(["run", "--commands", str(path)]) == 2
    captured = capsys.readouterr()
    assert "is not UTF-8 text: byte 0xff at line 2, column 1" in captured.err
    assert "SUCCEEDED" not in captured.out  # nothing ran: the file is refused whole


def test_interactive_line_that_is_not_utf8_is_refused_and_the_prompt_goes_on(
        use_model: Callable[..., Planner], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_model(call("speak", text="hi") + WAIT)
    typed = iter(["go \udcff", "say hi", "/quit"])  # what a surrogateescape stdin hands over
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "not UTF-8 text: byte 0xff at character 4; type it again" in out
    assert "done: all 1 steps succeeded" in out
