"""Plan execution: the executor state machine, the Binding seam and the simulated robot."""
