"""The standalone pipeline: ``gemma4-ros run`` and ``gemma4-ros ask`` without ROS, on the
in-process bus with the simulated robot."""
