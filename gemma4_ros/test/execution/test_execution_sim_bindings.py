"""Every packaged tool runs on the sim robot through the Binding protocol."""

import pytest

from gemma4_ros.execution.binding import BindingPhase, BindingRegistry, UnknownBindingKindError
from gemma4_ros.execution.sim_bindings import UnknownSimActionError, sim_bindings
from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.tools import BindingSpec, ToolRegistry
from gemma4_ros.types import ToolCall


@pytest.fixture
def tools():
    return ToolRegistry.load()


@pytest.fixture
def sim(tools, clock):
    robot = SimRobot(SimConfig.load(), tools.places, clock=clock, stamp_clock=clock)
    return robot, sim_bindings(robot)


def run(clock, binding, name, step=0.25, limit=4000, **arguments):
    binding.start(ToolCall(name=name, arguments=arguments))
    for _ in range(limit):
        progress = binding.poll()
        if progress.finished:
            return progress
        clock.advance(step)
    raise AssertionError(f"{name} did not finish")


def binding_for(tools, bindings, name):
    return bindings.create(tools.get(name))


def test_every_packaged_tool_has_a_sim_binding(tools, sim):
    _, bindings = sim
    for spec in tools.tools:
        assert bindings.create(spec) is not None


def test_navigate_reports_feedback_then_arrives(tools, sim, clock):
    robot, bindings = sim
    nav = binding_for(tools, bindings, "navigate_to")
    nav.start(ToolCall(name="navigate_to", arguments={"place": "kitchen"}))
    first = nav.poll()
    assert first.phase is BindingPhase.RUNNING and first.feedback["remaining"] > 0
    progress = run(clock, nav, "navigate_to", place="kitchen")
    assert progress.phase is BindingPhase.SUCCEEDED
    assert progress.result["place"] == "kitchen"
    assert robot.pose == tools.places["kitchen"]


def test_move_uses_schema_default_speed(tools, sim, clock):
    robot, bindings = sim
    move = binding_for(tools, bindings, "move")
    move.start(ToolCall(name="move", arguments={"distance": 0.6}))
    clock.advance(1.0)  # at 0.3 m/s (the schema default) 0.6 m takes 2.6 s, at 0.5 m/s 1.8 s
    assert move.poll().phase is BindingPhase.RUNNING
    clock.advance(1.65)  # a little over: the fake clock's epoch-sized floats round
    assert move.poll().phase is BindingPhase.SUCCEEDED


def test_cancel_stops_the_robot(tools, sim, clock):
    robot, bindings = sim
    nav = binding_for(tools, bindings, "navigate_to")
    nav.start(ToolCall(name="navigate_to", arguments={"place": "lab"}))
    clock.advance(3.0)
    nav.cancel()
    here = robot.pose
    clock.advance(30.0)
    assert nav.poll().phase is BindingPhase.CANCELED
    assert robot.pose == here != tools.places["lab"]


def test_bad_place_fails_without_raising(tools, sim, clock):
    _, bindings = sim
    progress = run(clock, binding_for(tools, bindings, "navigate_to"), "navigate_to", place="moon")
    assert progress.phase is BindingPhase.FAILED and "moon" in progress.error


def test_wait_runs_on_the_clock(tools, sim, clock):
    _, bindings = sim
    wait = binding_for(tools, bindings, "wait")
    wait.start(ToolCall(name="wait", arguments={"seconds": 2.0}))
    assert wait.poll().phase is BindingPhase.RUNNING
    clock.advance(2.0)
    assert wait.poll().result == {"waited_s": 2.0}


@pytest.mark.parametrize("name, arguments, key", [
    ("speak", {"text": "hello"}, "spoken"),
    ("report", {"text": "all fine"}, "reported"),
    ("capture_image", {}, "width"),
    ("inspect", {"target": "valve", "question": "is it open?"}, "frame"),
    ("stop", {}, "pose"),
])
def test_instant_tools_finish_on_first_poll(tools, sim, name, arguments, key):
    _, bindings = sim
    binding = binding_for(tools, bindings, name)
    binding.start(ToolCall(name=name, arguments=arguments))
    progress = binding.poll()
    assert progress.phase is BindingPhase.SUCCEEDED and key in progress.result


def test_dock_charges(tools, sim, clock):
    robot, bindings = sim
    run(clock, binding_for(tools, bindings, "navigate_to"), "navigate_to", place="office")
    progress = run(clock, binding_for(tools, bindings, "dock"), "dock")
    assert progress.result["docked"] is True
    assert robot.pose == tools.places["dock"]


def test_unknown_kind_and_action_are_named(tools, sim, clock):
    _, bindings = sim
    spec = tools.get("speak")
    empty = BindingRegistry(lambda: None)
    with pytest.raises(UnknownBindingKindError, match="'sim'"):
        empty.create(spec)
    odd = spec.model_copy(update={"binding": BindingSpec(kind="sim", target="juggle")})
    with pytest.raises(UnknownSimActionError, match="juggle"):
        bindings.create(odd)


def test_fields_rename_arguments(tools, sim, clock):
    robot, bindings = sim
    spec = tools.get("speak").model_copy(update={
        "name": "announce",
        "binding": BindingSpec(kind="sim", target="speak", fields={"text": "message"}),
    })
    binding = bindings.create(spec)
    binding.start(ToolCall(name="announce", arguments={"message": "doors closing"}))
    assert binding.poll().phase is BindingPhase.SUCCEEDED
    assert list(robot.speech) == ["doors closing"]
