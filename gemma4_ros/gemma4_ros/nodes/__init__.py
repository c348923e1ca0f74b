"""Node logic, written once and run on any transport.

Each node is a ROS-free class (``executor_node.ExecutorNodeLogic``, ...) that owns its part of
the core and talks only through :class:`~gemma4_ros.nodes.transport.Transport`: the in-process
bus (:mod:`~gemma4_ros.nodes.bus_transport`, for ``gemma4-ros run`` and the tests) or rclpy
(``gemma4_ros.ros.transport``, the only rclpy code). ROS bindings of tools
(:mod:`~gemma4_ros.nodes.ros_bindings`, mapping arguments to fields with
:mod:`~gemma4_ros.nodes.field_map`) and robot-state readers use the transport's raw endpoints,
so they are tested here against fake servers on the bus.
"""
