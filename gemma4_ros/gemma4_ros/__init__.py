"""gemma4_ros: Gemma 4 as the semantic planning and tool-use layer of a ROS 2 robot.

The package is ROS-free except for :mod:`gemma4_ros.ros`; see the README for the layout.
"""

__version__ = "0.1.0"
