"""Where gemma4_ros.wire finds the .msg files, and what it says when it cannot use them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import ToolCall
from gemma4_ros.wire import (
    find_interface_dir,
    from_cdr,
    interface_dir_candidates,
    to_cdr,
    typestore,
)

CHECKOUT_MSGS = Path(__file__).resolve().parents[3] / "gemma4_ros_msgs"


def _installed_copy(prefix: Path) -> Path:
    """The layout colcon installs: <prefix>/share/gemma4_ros_msgs/msg/*.msg."""
    share = prefix / "share" / "gemma4_ros_msgs"
    shutil.copytree(CHECKOUT_MSGS / "msg", share / "msg")
    return share


def test_a_source_checkout_finds_its_sibling_package() -> None:
    assert find_interface_dir() == CHECKOUT_MSGS


def test_installed_prefixes_are_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = _installed_copy(tmp_path)
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(tmp_path))
    assert share in interface_dir_candidates()


def test_an_explicit_directory_is_used(tmp_path: Path) -> None:
    share = _installed_copy(tmp_path)
    store = typestore(share)
    call = ToolCall(id="c", name="dock")
    assert from_cdr(to_cdr(call, store), ToolCall, store) == call


def test_missing_interface_directory_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(Gemma4RosError) as caught:
        find_interface_dir(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere" / "msg") in str(caught.value)
    assert "pass the directory" in caught.value.hint


def test_an_unparsable_message_file_is_named(tmp_path: Path) -> None:
    share = _installed_copy(tmp_path)
    broken = share / "msg" / "ToolCall.msg"
    broken.write_text("Foo/Bar/Baz x\n", encoding="utf-8")
    with pytest.raises(Gemma4RosError, match="ToolCall.msg: cannot parse"):
        typestore(share)
