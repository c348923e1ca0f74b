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
