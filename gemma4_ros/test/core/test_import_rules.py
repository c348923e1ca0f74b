"""The layering rules of docs/ARCHITECTURE.md, enforced on the source rather than trusted.

Each package imports only what the document's import table allows it (the table is read from the
document, so the two cannot drift apart), no package imports itself through another, rclpy and
gemma4_ros_msgs only in gemma4_ros/ros/, torch and transformers only in the export tools and the
test helpers that build fixture models (lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "gemma4_ros"

ROS_ONLY = {"rclpy", "gemma4_ros_msgs", "launch", "launch_ros"}
# Not installable from the ROS 2 wheels on PyPI, so nothing may need it (ros/interface_fields.py
# does the little the nodes used it for).
NOT_ON_PYPI = {"rosidl_runtime_py", "cv_bridge", "tf2_ros", "rosbag2_py", "ros2cli"}
EXPORT_ONLY = {"torch", "transformers", "onnxscript"}
EXPORT_ALLOWED = ("export/", "testing/fixture_models.py", "demo/train.py")

ARCHITECTURE = PACKAGE_ROOT.parents[1] / "docs" / "ARCHITECTURE.md"
RULES_START, RULES_END = "<!-- import-rules:start -->", "<!-- import-rules:end -->"


def documented_rules(text: str) -> dict[str, set[str]]:
    """package -> the packages it may import, from the table of docs/ARCHITECTURE.md."""
    table = text.split(RULES_START, 1)[1].split(RULES_END, 1)[0]
    rules: dict[str, set[str]] = {}
    for line in table.strip().splitlines()[2:]:  # after the header and its rule
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        package, allowed = cells[0].replace("\\_", "_"), cells[-1].replace("\\_", "_")
        rules[package] = set() if allowed == "—" else {a.strip() for a in allowed.split(",")}
    return rules


RULES = documented_rules(ARCHITECTURE.read_text(encoding="utf-8"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files() -> list[Path]:
    return sorted(PACKAGE_ROOT.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE_ROOT).as_posix()


def test_package_has_sources() -> None:
    assert len(python_files()) >= 5


@pytest.mark.parametrize("path", python_files(), ids=relative)
def test_ros_imports_only_in_ros_layer(path: Path) -> None:
    if relative(path).startswith("ros/"):
        return
    offending = {m for m in imported_modules(path) if m.split(".")[0] in ROS_ONLY}
    assert not offending, f"{relative(path)} imports {sorted(offending)}; only gemma4_ros/ros/ may"


@pytest.mark.parametrize("path", python_files(), ids=relative)
def test_nothing_needs_what_pypi_lacks(path: Path) -> None:
    offending = {m for m in imported_modules(path) if m.split(".")[0] in NOT_ON_PYPI}
    assert not offending, f"{relative(path)} imports {sorted(offending)}, which the ROS 2 wheels lack"


@pytest.mark.parametrize("path", python_files(), ids=relative)
def test_torch_only_in_export_tools(path: Path) -> None:
    if relative(path).startswith(EXPORT_ALLOWED):
        return
    offending = {m for m in imported_modules(path) if m.split(".")[0] in EXPORT_ONLY}
    assert not offending, f"{relative(path)} imports {sorted(offending)}; only export tools may"


@pytest.mark.parametrize("path", python_files(), ids=relative)
def test_imports_are_the_documented_ones(path: Path) -> None:
    package = package_of(path)
    assert package in RULES, (f"{relative(path)}: package {package} is not in the import table "
                              f"of {ARCHITECTURE.name}; add its row (what it owns, what it may "
                              "import)")
    offending = project_imports(path) - RULES[package] - {package}
    assert not offending, (f"{relative(path)} (package {package}) imports {sorted(offending)}; "
                           f"{ARCHITECTURE.name} allows {sorted(RULES[package]) or 'none'}")


def test_every_documented_package_exists() -> None:
    assert set(RULES) == {package_of(path) for path in python_files()}


def test_the_table_is_read_as_written() -> None:
    text = (f"{RULES_START}\n| package | owns | may import |\n| --- | --- | --- |\n"
            f"| a | x, y | — |\n| b | z | a, c |\n{RULES_END}")
    assert documented_rules(text) == {"a": set(), "b": {"a", "c"}}


def test_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import rclpy\nfrom gemma4_ros.planning import planner\n", encoding="utf-8")
    assert imported_modules(bad) == {"rclpy", "gemma4_ros.planning"}


def package_of(path: Path) -> str:
    """The top-level package (or module) of the package a source file belongs to."""
    first = relative(path).split("/")[0]
    return first.removesuffix(".py")


def project_imports(path: Path) -> set[str]:
    """The project's packages a file imports (``__init__`` for ``import gemma4_ros``)."""
    found = set()
    for module in imported_modules(path):
        parts = module.split(".")
        if parts[0] == "gemma4_ros":
            found.add(parts[1] if len(parts) > 1 else "__init__")
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in python_files():
        source = package_of(path)
        graph.setdefault(source, set()).update(project_imports(path) - {source})
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a path that returns to its start, or [] (depth-first search)."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str]:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return []
        for target in sorted(graph.get(node, ())):
            found = visit(target, path + [node])
            if found:
                return found
        done.add(node)
        return []

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return []


def test_no_package_imports_itself_through_another() -> None:
    cycle = find_cycle(package_graph())
    assert not cycle, "package cycle: " + " -> ".join(cycle)


def test_cycle_search_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
