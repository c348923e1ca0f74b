"""The flight recorder: missions into MCAP files (:mod:`.recorder`) and back (:mod:`.reader`).

ROS-free: the same recorder serves ``gemma4-ros run --record`` and, through the transport, the
nodes; the file is ROS 2's MCAP profile, so Foxglove and ``ros2 bag`` read it too.
"""

from gemma4_ros.recording.reader import RecordedMessage, Recording, read_recording
from gemma4_ros.recording.recorder import FlightRecorder, RecorderStats
from gemma4_ros.recording.topics import TOPICS, RecordedTopic

__all__ = ["TOPICS", "FlightRecorder", "RecordedMessage", "RecordedTopic", "Recording",
           "RecorderStats", "read_recording"]
