"""``gemma4-ros-launch FILE [name:=value ...]``: ``ros2 launch gemma4_ros FILE`` where there is
no ``ros2`` command (ROS 2 from the PyPI wheels has no ros2cli).

It does what ``ros2 launch`` does with a Python launch file: include it with the given launch
arguments in a :class:`launch.LaunchService` and run that until the nodes exit or Ctrl-C. ``FILE``
is a launch file of this package (``gemma4.launch.py``) or a path. A workspace that is not built
is reported before anything starts (:func:`require_built_package`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from launch import LaunchDescription, LaunchService
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.paths import share_dir
from gemma4_ros.ros.launch_support import require_built_package

def launch_file(name: str) -> Path:
    """A path as given, else a file of this package's launch/ folder."""
    given = Path(name)
    if given.is_file():
        return given
    packaged = share_dir() / "launch" / name
    if packaged.is_file():
        return packaged
    known = ", ".join(sorted(p.name for p in (share_dir() / "launch").glob("*.launch.py")))
    raise Gemma4RosError(f"no launch file {name!r}", f"name one of {known} or give a path")


def launch_arguments(pairs: list[str]) -> list[tuple[str, str]]:
    parsed = []
    for pair in pairs:
        name, separator, value = pair.partition(":=")
        if not separator or not name:
            raise Gemma4RosError(f"launch argument {pair!r} is not name:=value",
                                 "write e.g. namespace:=robot1")
        parsed.append((name, value))
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gemma4-ros-launch", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="gemma4.launch.py, copilot.launch.py or a path")
    parser.add_argument("arguments", nargs="*", help="launch arguments as name:=value")
    options = parser.parse_args(argv)
    try:
        require_built_package()
        path = launch_file(options.file)
        arguments = launch_arguments(options.arguments)
    except Gemma4RosError as error:
        print(f"gemma4-ros-launch: {error}", file=sys.stderr)
        return 2
    service = LaunchService(argv=options.arguments)
    service.include_launch_description(LaunchDescription([IncludeLaunchDescription(
        PythonLaunchDescriptionSource(str(path)), launch_arguments=arguments)]))
    return int(service.run())


if __name__ == "__main__":
    sys.exit(main())
