"""The rclpy layer: the only package that imports rclpy or gemma4_ros_msgs (thin shells over
:mod:`gemma4_ros.nodes`). Import its modules only where ROS 2 is installed."""
