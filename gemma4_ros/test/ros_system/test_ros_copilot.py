"""``copilot.launch.py`` on real DDS: the planner alone, answering Ask from the manuals that
copilot.yaml names, with the passages it was given as ``Citation`` messages in the response."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import Citation  # noqa: E402
from gemma4_ros_msgs.srv import Ask  # noqa: E402
from ros_harness import NS, Client  # noqa: E402

from gemma4_ros.paths import share_dir  # noqa: E402


def test_ask_cites_the_manual(launch: Callable[..., Any], client: Client,
                              tmp_path: Path) -> None:
    copilot = tmp_path / "copilot.yaml"
    copilot.write_text(f"documents: [{share_dir() / 'examples' / 'manuals'}]\n"
                       f"index: {tmp_path / 'index.sqlite3'}\n", encoding="utf-8")
    launched = launch(file="copilot.launch.py", copilot_file=str(copilot))
    client.wait_state(f"{NS}/planner", "active")
    assert "Ask answers from the manuals in" in launched.log()
    answer = client.call(f"{NS}/planner/ask", Ask,
                         Ask.Request(question="how do I replace the battery?"))
    assert answer.citations, answer.error
    first = answer.citations[0]
    assert first.kind == Citation.KIND_DOCUMENT and first.source == "battery.md"
    assert first.locator.startswith("Battery > Replacing the battery") and first.quote
    assert not answer.plan.plan_id, "no plan unless asked for"


def test_ask_with_want_plan_proposes_the_manuals_procedure(launch: Callable[..., Any],
                                                           client: Client, tmp_path: Path) -> None:
    """A numbered procedure among the passages found becomes the proposed plan, each step
    citing its line; the demo model was never taught these steps, so each goes to the operator
    as a report (and the plan comes back even if the demo model's answer text fails)."""
    copilot = tmp_path / "copilot.yaml"
    copilot.write_text(f"documents: [{share_dir() / 'examples' / 'manuals'}]\n"
                       f"index: {tmp_path / 'index.sqlite3'}\n", encoding="utf-8")
    launch(file="copilot.launch.py", copilot_file=str(copilot))
    client.wait_state(f"{NS}/planner", "active")
    answer = client.call(f"{NS}/planner/ask", Ask,
                         Ask.Request(question="prepare the battery swap procedure",
                                     want_plan=True))
    steps = answer.plan.steps
    assert [s.call.name for s in steps] == ["report"] * 6, answer.error
    assert steps[0].rationale.startswith(
        "step 1 of battery.md > Battery > Replacing the battery (line 38)")
    assert any(c.locator.endswith("line 38") for c in answer.citations)
