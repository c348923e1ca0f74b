"""`.ci/validate_interfaces.py` passes our package and fails broken copies, naming the file.

It runs under Debian's /usr/bin/python3, the interpreter that has the real rosidl parser
(python3-rosidl); the test is skipped, saying so, where that interpreter or parser is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / ".ci" / "validate_interfaces.py"
PACKAGE = REPO / "gemma4_ros_msgs"
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _has_rosidl() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = [str(SYSTEM_PYTHON), "-c", "import rosidl_adapter.parser"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


pytestmark = pytest.mark.skipif(
    not _has_rosidl(),
    reason="/usr/bin/python3 cannot import rosidl_adapter; `apt-get install -y python3-rosidl`",
)


def _validate(package_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The validator with only the definitions a test gives it: a sourced ROS workspace's
    AMENT_PREFIX_PATH would add every installed package's."""
    command = [str(SYSTEM_PYTHON), str(SCRIPT), str(package_dir), *extra]
    env = {k: v for k, v in os.environ.items() if k != "AMENT_PREFIX_PATH"}
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60,
                          env=env)


def _definitions(root: Path, types: dict[str, list[str]]) -> Path:
    """A --deps directory holding the named dependency types (content is not read)."""
    for package, names in types.items():
        (root / package / "msg").mkdir(parents=True)
        for name in names:
            (root / package / "msg" / f"{name}.msg").write_text("", encoding="utf-8")
    return root


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    copy = tmp_path / "gemma4_ros_msgs"
    shutil.copytree(PACKAGE, copy)
    return copy


def test_our_package_passes_with_a_one_line_summary(tmp_path: Path) -> None:
    deps = _definitions(tmp_path, {"std_msgs": ["Header"], "sensor_msgs": ["Image"]})
    result = _validate(PACKAGE, "--deps", str(deps))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "8 msg, 2 srv, 2 action parsed" in lines[0]
    assert "dependencies checked: sensor_msgs, std_msgs" in lines[0]


def test_without_definitions_dependencies_are_reported_unchecked() -> None:
    result = _validate(PACKAGE)
    assert result.returncode == 0, result.stderr
    assert "not checked" in result.stdout and "std_msgs" in result.stdout


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        ("msg/ToolCall.msg", "strin g", "invalid message name"),
        ("msg/PlanStep.msg", "Nope extra", "unknown type gemma4_ros_msgs/Nope"),
        ("msg/Plan.msg", "std_msgs/Headr second", "unknown type std_msgs/Headr"),
        ("msg/AudioChunk.msg", "geometry_msgs/Pose pose", "no <depend>geometry_msgs</depend>"),
        ("msg/ExecutorStatus.msg", "bool class", "keyword"),
        ("msg/SafetyVerdict.msg", "int32 LIMIT=abc", "can not be converted to type 'int32'"),
        ("action/Instruct.action", "---\nstring extra", "Action"),
    ],
)
def test_a_broken_file_fails_naming_file_and_problem(
    broken: Path, tmp_path: Path, file: str, line: str, expected: str
) -> None:
    with (broken / file).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")
    deps = _definitions(tmp_path / "deps", {"std_msgs": ["Header"], "sensor_msgs": ["Image"],
                                            "geometry_msgs": ["Pose"]})
    result = _validate(broken, "--deps", str(deps))
    assert result.returncode == 1
    assert any(file in problem and expected in problem for problem in result.stderr.splitlines())
    assert "error(s)" in result.stdout


def test_files_and_cmake_list_must_agree(broken: Path) -> None:
    (broken / "msg" / "Extra.msg").write_text("string text\n", encoding="utf-8")
    (broken / "srv" / "Confirm.srv").unlink()
    result = _validate(broken)
    assert result.returncode == 1
    assert "msg/Extra.msg: not listed in rosidl_generate_interfaces()" in result.stderr
    assert "lists srv/Confirm.srv, which does not exist" in result.stderr
