"""The launch files set only parameters the nodes declare, and remap only names they use.

``launch`` cannot run here, so this reads ``ros/launch_support.py`` as a syntax tree: a
misspelled parameter would otherwise only show up as a rejected parameter on a robot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gemma4_ros
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.planner_config import PlannerNodeConfig

SUPPORT = Path(gemma4_ros.__file__).parent / "ros" / "launch_support.py"
ROS_PARAMETERS = {"use_sim_time"}


def _node_call(function: str) -> ast.Call:
    tree = ast.parse(SUPPORT.read_text(encoding="utf-8"))
    found = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return next(n for n in ast.walk(found) if isinstance(n, ast.Call)
                and getattr(n.func, "id", "") == "LifecycleNode")


def _keyword(call: ast.Call, name: str) -> ast.expr:
    return next(k.value for k in call.keywords if k.arg == name)


@pytest.mark.parametrize("function, model", [("planner_node", PlannerNodeConfig),
                                             ("executor_node", ExecutorNodeConfig)])
def test_launch_parameters_are_declared_by_the_node(function: str, model: type) -> None:
    parameters = _keyword(_node_call(function), "parameters")
    assert isinstance(parameters, ast.List) and isinstance(parameters.elts[0], ast.Dict)
    keys = {k.value for k in parameters.elts[0].keys if isinstance(k, ast.Constant)}
    assert keys and keys <= set(model.model_fields) | ROS_PARAMETERS, keys - set(model.model_fields)


@pytest.mark.parametrize("function, watched", [("planner_node", "executor_status"),
                                               ("executor_node", "planner_heartbeat")])
def test_each_node_hears_the_other_s_heartbeat(function: str, watched: str) -> None:
    remaps = _keyword(_node_call(function), "remappings")
    assert isinstance(remaps, ast.List)
    sources = {e.elts[0].value for e in remaps.elts
               if isinstance(e, ast.Tuple) and isinstance(e.elts[0], ast.Constant)}
    assert watched in sources
