#!/usr/bin/python3
"""Check an interface package's msg/srv/action files the way a ROS 2 build would, without ROS.

Run with Debian's system python, which has the real rosidl parser (`apt-get install -y
python3-rosidl`): ``/usr/bin/python3 .ci/validate_interfaces.py [PACKAGE_DIR] [--deps DIR ...]``.
PACKAGE_DIR defaults to gemma4_ros_msgs/ beside this file's parent.

It catches before a robot build does: files rosidl cannot parse, references to types that do
not exist in this package, references to packages missing from package.xml or from the
DEPENDENCIES of rosidl_generate_interfaces, interface files on disk but not in CMakeLists.txt
(or the reverse), and field names that are keywords in the generated C++ or Python. Types of
other packages are looked up in ``--deps`` directories (``<dir>/<pkg>/msg/<Type>.msg``) and in
``$AMENT_PREFIX_PATH``; packages found in neither are reported as unverified, not as errors.
Exits 1 with one line per problem, each naming the file; prints a one-line summary either way.
"""

from __future__ import annotations

import argparse
import keyword
import os
import re
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

try:
    from rosidl_adapter import parser as rosidl
except ImportError:
    sys.exit(
        "validate_interfaces: rosidl_adapter is not importable by "
        f"{sys.executable}; run it with /usr/bin/python3 after `apt-get install -y python3-rosidl`"
    )

KINDS = ("msg", "srv", "action")
# Keywords of the languages rosidl generates by default; a field named like one breaks the build
# (C++) or the generated class (Python), so catch it here.
CPP_KEYWORDS = frozenset(
    """alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
    char16_t char32_t class compl concept const consteval constexpr constinit const_cast continue
    co_await co_return co_yield decltype default delete do double dynamic_cast else enum explicit
    export extern false float for friend goto if inline int long mutable namespace new noexcept
    not not_eq nullptr operator or or_eq private protected public register reinterpret_cast
    requires return short signed sizeof static static_assert static_cast struct switch template
    this thread_local throw true try typedef typeid typename union unsigned using virtual void
    volatile wchar_t while xor xor_eq""".split()
)
CMAKE_KEYWORDS = ("DEPENDENCIES", "LIBRARY_NAME", "ADD_LINTER_TESTS", "SKIP_INSTALL",
                  "SKIP_GROUP_MEMBERSHIP_CHECK")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in KINDS})
    references: int = 0
    verified: set[str] = field(default_factory=set)
    unverified: set[str] = field(default_factory=set)

    def error(self, path: Path, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")


def read_package_xml(package_dir: Path, report: Report) -> tuple[str, set[str]]:
    """The package name and the packages it may use at build time."""
    path = package_dir / "package.xml"
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        report.error(path, f"cannot read: {error}")
        return package_dir.name, set()
    name = (root.findtext("name") or "").strip()
    tags = ("depend", "build_depend", "buildtool_depend")
    deps = {(node.text or "").strip() for tag in tags for node in root.iter(tag)}
    groups = {(node.text or "").strip() for node in root.iter("member_of_group")}
    exec_deps = {(node.text or "").strip() for node in root.iter("exec_depend")}
    required = [
        ("rosidl_default_generators" in deps, "<buildtool_depend>rosidl_default_generators"),
        ("rosidl_default_runtime" in exec_deps | deps, "<exec_depend>rosidl_default_runtime"),
        ("rosidl_interface_packages" in groups, "<member_of_group>rosidl_interface_packages"),
    ]
    for present, tag in required:
        if not present:
            report.error(path, f"missing {tag}; rosidl_generate_interfaces needs it")
    return name, deps


def read_cmake(package_dir: Path, report: Report) -> tuple[set[str], set[str]]:
    """Interface files listed in rosidl_generate_interfaces(), and its DEPENDENCIES."""
    path = package_dir / "CMakeLists.txt"
    try:
        text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))
    except OSError as error:
        report.error(path, f"cannot read: {error}")
        return set(), set()
    call = re.search(r"rosidl_generate_interfaces\s*\(([^)]*)\)", text)
    if call is None:
        report.error(path, "no rosidl_generate_interfaces(...) call")
        return set(), set()
    tokens = [token.strip('"') for token in call.group(1).split()]
    listed = {token for token in tokens if re.fullmatch(r"(msg|srv|action)/\w+\.\1", token)}
    deps: set[str] = set()
    if "DEPENDENCIES" in tokens:
        for token in tokens[tokens.index("DEPENDENCIES") + 1:]:
            if token in CMAKE_KEYWORDS:
                break
            deps.add(token)
    return listed, deps


def parse(package: str, path: Path, kind: str) -> list[rosidl.Field]:
    """All fields of one interface file (every part of a service or action)."""
    if kind == "msg":
        return list(rosidl.parse_message_file(package, str(path)).fields)
    if kind == "srv":
        spec = rosidl.parse_service_file(package, str(path))
        return [*spec.request.fields, *spec.response.fields]
    spec = rosidl.parse_action_file(package, str(path))
    return [*spec.goal.fields, *spec.result.fields, *spec.feedback.fields]


def definition_dirs(extra: list[Path]) -> list[Path]:
    """Directories holding <pkg>/msg/*.msg of dependencies: --deps first, then ROS installs."""
    ament = os.environ.get("AMENT_PREFIX_PATH", "")
    return [*extra, *(Path(p) / "share" for p in ament.split(os.pathsep) if p)]


def check_reference(
    path: Path, ref: rosidl.Type, own: tuple[str, set[str]], deps: tuple[set[str], set[str]],
    search: list[Path], report: Report,
) -> None:
    """One non-primitive field type: it must exist and its package must be declared."""
    package, own_types = own
    xml_deps, cmake_deps = deps
    report.references += 1
    if ref.pkg_name == package:
        if ref.type not in own_types:
            report.error(path, f"unknown type {ref.pkg_name}/{ref.type}: no msg/{ref.type}.msg")
        return
    if ref.pkg_name not in xml_deps:
        report.error(path, f"uses {ref.pkg_name}/{ref.type} but package.xml has no "
                           f"<depend>{ref.pkg_name}</depend>")
    if ref.pkg_name not in cmake_deps:
        report.error(path, f"uses {ref.pkg_name}/{ref.type} but {ref.pkg_name} is not in the "
                           "DEPENDENCIES of rosidl_generate_interfaces in CMakeLists.txt")
    homes = [d / ref.pkg_name for d in search if (d / ref.pkg_name / "msg").is_dir()]
    if not homes:
        report.unverified.add(ref.pkg_name)
        return
    report.verified.add(ref.pkg_name)
    if not any((home / "msg" / f"{ref.type}.{ext}").is_file()
               for home in homes for ext in ("msg", "idl")):
        report.error(path, f"unknown type {ref.pkg_name}/{ref.type}: not in {homes[0] / 'msg'}")


def check_field_name(path: Path, name: str, report: Report) -> None:
    if name in CPP_KEYWORDS or keyword.iskeyword(name):
        report.error(path, f"field {name!r} is a C++ or Python keyword; the generated code breaks")


def validate(package_dir: Path, extra_deps: list[Path]) -> Report:
    report = Report()
    package, xml_deps = read_package_xml(package_dir, report)
    listed, cmake_deps = read_cmake(package_dir, report)
    files = {kind: sorted((package_dir / kind).glob(f"*.{kind}")) for kind in KINDS}
    on_disk = {f"{kind}/{p.name}" for kind in KINDS for p in files[kind]}
    for missing in sorted(listed - on_disk):
        report.error(package_dir / "CMakeLists.txt", f"lists {missing}, which does not exist")
    for unlisted in sorted(on_disk - listed):
        report.error(package_dir / unlisted, "not listed in rosidl_generate_interfaces()")
    if files["action"] and "action_msgs" not in xml_deps:
        report.error(package_dir / "package.xml", "has actions but no <depend>action_msgs</depend>")
    own = (package, {p.stem for p in files["msg"]})
    search = definition_dirs(extra_deps)
    for kind in KINDS:
        for path in files[kind]:
            try:
                fields = parse(package, path, kind)
            except Exception as error:  # rosidl raises many types (InvalidSpecification, ...)
                report.error(path, f"{type(error).__name__}: {error}")
                continue
            report.counts[kind] += 1
            for item in fields:
                check_field_name(path, item.name, report)
                if not item.type.is_primitive_type():
                    check_reference(path, item.type, own, (xml_deps, cmake_deps), search, report)
    return report


def summary(package_dir: Path, report: Report) -> str:
    counts = ", ".join(f"{report.counts[kind]} {kind}" for kind in KINDS)
    verified = ", ".join(sorted(report.verified)) or "none"
    line = (f"validate_interfaces: {package_dir.name}: {counts} parsed, {report.references} type "
            f"references; dependencies checked: {verified}")
    if report.unverified:
        line += (f"; declared but not checked (no definitions found, pass --deps): "
                 f"{', '.join(sorted(report.unverified))}")
    if report.errors:
        line += f"; {len(report.errors)} error(s)"
    return line


def main(argv: list[str] | None = None) -> int:
    default_dir = Path(__file__).resolve().parent.parent / "gemma4_ros_msgs"
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("package_dir", nargs="?", type=Path, default=default_dir)
    arguments.add_argument("--deps", type=Path, action="append", default=[],
                           help="directory holding <pkg>/msg/*.msg of dependencies")
    options = arguments.parse_args(argv)
    package_dir = options.package_dir.resolve()
    report = validate(package_dir, options.deps)
    for problem in report.errors:
        print(problem, file=sys.stderr)
    print(summary(package_dir, report))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
