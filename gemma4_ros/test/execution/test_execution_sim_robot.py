"""The sim robot moves in closed form on its clock: exact end poses, limits, battery, camera."""

import math

import numpy as np
import pytest

from gemma4_ros.errors import ConfigError
from gemma4_ros.execution.sim_camera import TEST_PATTERN
from gemma4_ros.execution.sim_config import CameraConfig, SimConfig
from gemma4_ros.execution.sim_robot import MotionState, SimRobot, UnknownPlaceError
from gemma4_ros.types import Pose2D

from execution_world import PLACES


def drive(clock, robot, motion, step=0.1, limit=1000):
    for _ in range(limit):
        robot.update()
        if motion.state is not MotionState.RUNNING:
            return
        clock.advance(step)
    raise AssertionError("motion did not finish")


def test_starts_docked_at_start_place(robot):
    assert robot.pose == PLACES["dock"]
    assert robot.docked


def test_navigate_ends_exactly_at_place_however_often_sampled(clock, robot):
    motion = robot.navigate_to("lab")
    drive(clock, robot, motion, step=0.37)
    assert motion.state is MotionState.DONE
    assert robot.pose == PLACES["lab"]
    assert not robot.docked


def test_move_is_timed_by_speed_limit_and_accel(clock, robot):
    motion = robot.move(2.0, speed=5.0)  # asks for more than the 0.5 m/s limit
    clock.advance(4.95)
    robot.update()
    assert motion.state is MotionState.RUNNING
    clock.advance(0.1)  # trapezoid at 0.5 m/s and 0.5 m/s^2 lasts exactly 5 s
    robot.update()
    assert motion.state is MotionState.DONE
    assert robot.pose.x == pytest.approx(2.0)
    assert robot.pose.y == pytest.approx(0.0)


def test_move_backwards_and_rotate(clock, robot):
    drive(clock, robot, robot.rotate(90))
    drive(clock, robot, robot.move(-1.0, 0.5))
    assert robot.pose.yaw == pytest.approx(math.pi / 2)
    assert robot.pose.y == pytest.approx(-1.0)
    assert robot.pose.x == pytest.approx(0.0, abs=1e-9)


def test_stop_halts_mid_motion_and_marks_it_stopped(clock, robot):
    motion = robot.move(2.0, 0.5)
    clock.advance(2.0)
    robot.stop("operator")
    here = robot.pose
    clock.advance(10.0)
    assert robot.pose == here
    assert 0.0 < here.x < 2.0
    assert motion.state is MotionState.STOPPED and motion.error == "operator"


def test_new_motion_supersedes_old(robot):
    first = robot.move(2.0, 0.5)
    robot.rotate(10)
    assert first.state is MotionState.STOPPED
    assert "superseded" in first.error


def test_battery_drains_with_distance_and_charges_on_dock(clock, robot):
    drive(clock, robot, robot.navigate_to("kitchen"))
    after_trip = robot.battery
    assert after_trip < 1.0
    drive(clock, robot, robot.dock())
    assert robot.docked
    low = robot.battery
    clock.advance(10.0)
    assert robot.battery > low


def test_empty_battery_faults_motion(clock):
    config = SimConfig.model_validate({"battery": {"initial": 0.001, "drain_per_m": 0.01}})
    robot = SimRobot(config, PLACES, clock=clock, stamp_clock=clock, start=Pose2D(x=1.0))
    motion = robot.move(2.0, 0.5)
    drive(clock, robot, motion)
    assert motion.state is MotionState.FAULT
    assert "battery" in motion.error
    assert robot.battery == 0.0
    assert robot.move(1.0, 0.5).state is MotionState.FAULT


def test_unknown_place_names_known_ones(robot):
    with pytest.raises(UnknownPlaceError, match="dock, kitchen, lab"):
        robot.navigate_to("moon")


def test_dock_place_must_exist(clock):
    with pytest.raises(UnknownPlaceError):
        SimRobot(SimConfig(dock_place="garage"), PLACES, clock=clock)


def test_robot_state_reports_pose_battery_gripper(clock, robot):
    robot.set_gripper_holding(True)
    state = robot.robot_state()
    assert state.stamp == clock()
    assert state.gripper_holding
    assert state.pose == PLACES["dock"]


def test_camera_test_pattern_changes_every_frame(robot):
    first, second = robot.capture_image(), robot.capture_image()
    assert first.image.shape == (480, 640, 3) and first.image.dtype == np.uint8
    assert first.source == TEST_PATTERN
    assert not np.array_equal(first.image, second.image)
    assert robot.latest_frame is second


def test_camera_cycles_a_folder_of_images(tmp_path, clock):
    cv2 = pytest.importorskip("cv2")
    for name, value in (("b.png", 200), ("a.png", 100)):
        cv2.imwrite(str(tmp_path / name), np.full((4, 6, 3), value, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    config = SimConfig(camera=CameraConfig(source=tmp_path))
    robot = SimRobot(config, PLACES, clock=clock)
    values = [int(robot.capture_image().image[0, 0, 0]) for _ in range(3)]
    assert values == [100, 200, 100]


def test_camera_source_missing_is_a_config_error(tmp_path, clock):
    config = SimConfig(camera=CameraConfig(source=tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="camera.source"):
        SimRobot(config, PLACES, clock=clock)


def test_speech_goes_to_log_and_callback(clock):
    heard = []
    robot = SimRobot(SimConfig(), PLACES, clock=clock, on_speech=heard.append)
    robot.say("hello")
    assert heard == ["hello"] and list(robot.speech) == ["hello"]


def test_packaged_sim_config_loads():
    config = SimConfig.load()
    assert config.dock_place == "dock"
    assert config.camera.source is None


def test_relative_camera_source_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "frames").mkdir()
    (tmp_path / "sim.yaml").write_text("camera:\n  source: frames\n")
    assert SimConfig.load(tmp_path / "sim.yaml").camera.source == tmp_path / "frames"


def test_misspelt_sim_key_is_a_config_error(tmp_path):
    (tmp_path / "sim.yaml").write_text("limits:\n  max_linear_sped: 1.0\n")
    with pytest.raises(ConfigError, match="limits.max_linear_sped"):
        SimConfig.load(tmp_path / "sim.yaml")
