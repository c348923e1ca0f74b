"""The CLI entry point and the doctor report."""

from __future__ import annotations

import json

import pytest

from gemma4_ros.cli import main


def test_doctor_json_reports_real_state(capsys: pytest.CaptureFixture[str]) -> None:
    import onnxruntime
    import pydantic

    main(["doctor", "--json"])
    findings = {f["check"]: f for f in json.loads(capsys.readouterr().out)}
    assert findings["library pydantic"]["detail"] == pydantic.VERSION
    assert onnxruntime.__version__ in findings["onnxruntime"]["detail"]
    for name in onnxruntime.get_available_providers():
        assert name in findings["onnxruntime"]["detail"]
    assert {f["status"] for f in findings.values()} <= {"ok", "warn", "fail", "info"}


def test_doctor_text_gives_fix_for_non_ok(capsys: pytest.CaptureFixture[str]) -> None:
    main(["doctor"])
    out = capsys.readouterr().out
    for block in out.split("\n["):
        if not block.lstrip("[").startswith("  ok") and "ros" in block:
            assert "fix:" in block


def test_missing_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


def doctor_findings(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["doctor", "--json", *argv])
    return code, {f["check"]: f for f in json.loads(capsys.readouterr().out)}


def test_doctor_checks_the_demo_model_and_says_it_reads_text_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, findings = doctor_findings(capsys)
    assert findings["model files"]["status"] == "ok"
    assert "embedded demo model" in findings["model files"]["detail"]
    inputs = findings["model inputs"]
    assert inputs["status"] == "info" and "takes text only" in inputs["detail"]
    assert "onnx/vision_encoder.onnx" in inputs["detail"] and "--audio" in inputs["detail"]


def test_doctor_names_every_missing_model_file_with_the_fix(
        tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = doctor_findings(capsys, "--model", str(tmp_path))
    files = findings["model files"]
    assert code == 1 and files["status"] == "fail" and "model inputs" not in findings
    assert "tokenizer.json" in files["detail"] and "onnx/decoder_model_merged.onnx" in files["detail"]
    assert "hf download" in files["fix"]


def test_doctor_reports_which_encoders_a_model_has(tmp_path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "onnx").mkdir()
    for name in ("config.json", "tokenizer.json", "onnx/embed_tokens.onnx",
                 "onnx/decoder_model_merged_q4.onnx", "onnx/vision_encoder.onnx"):
        (tmp_path / name).write_text("{}")
    code, findings = doctor_findings(capsys, "--model", str(tmp_path))
    assert findings["model files"]["status"] == "ok"
    assert "takes text and images only" in findings["model inputs"]["detail"]
    assert "--audio/--mic cannot" in findings["model inputs"]["detail"]
    (tmp_path / "onnx" / "audio_encoder.onnx").write_text("{}")
    _, findings = doctor_findings(capsys, "--model", str(tmp_path))
    assert findings["model inputs"] == {"check": "model inputs", "status": "ok",
                                        "detail": "takes text, images and audio", "fix": ""}
