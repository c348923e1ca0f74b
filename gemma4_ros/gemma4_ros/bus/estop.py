"""Wires the e-stop topic to the e-stop latch, on a callback group no other callback can hold.

The latch itself (``safety.estop.EStopLatch``: ``trigger``, ``reset``, ``latched``,
``latched_at``, listeners) belongs to the safety layer, one latch for the gate and the executor.
This module only makes sure a ``True`` on the topic reaches it promptly:

- *Own group, own thread.* The subscription lives in a mutually exclusive group of its own, so
  it is never queued behind a long callback (a model call, a slow sensor handler) of any other
  group, and the latch flips on that thread while the rest of the bus is busy. Readers observe it
  through the latch's flag, which takes no lock a callback could be holding.
- *Not on the publisher's thread.* Flipping the latch inside ``publish()`` would be faster still,
  but ROS cannot do that (the e-stop comes from another process, through an executor), so node
  logic tested that way could rely on a timing ROS never gives.
- *False never resets.* Only an explicit ``latch.reset(operator)`` does. Buttons and watchdogs
  publish their state periodically, so a ``False`` only means "not pressed right now"; letting it
  unlatch would restart the robot by itself as soon as the button is released, or let any node
  that publishes ``False`` (a stale publisher, a replayed bag) undo a stop. After an e-stop
  nothing resumes without an operator.
"""

from __future__ import annotations

from typing import Protocol

from gemma4_ros.bus.bus import Bus
from gemma4_ros.bus.dispatch import CallbackGroup


class Latch(Protocol):
    """What the bridge needs of a latch; ``trigger`` must be cheap and never block."""

    def trigger(self, reason: str) -> None: ...


class EStopBridge:
    """Subscribes to ``topic`` (``bool``) and triggers ``latch`` on every ``True``.

    ``latched=True`` also receives a ``True`` published before the bridge existed, but needs the
    e-stop publisher to be latched too (as in ROS, where the QoS must match).
    """

    def __init__(
        self, bus: Bus, latch: Latch, topic: str = "/estop", *, latched: bool = False
    ) -> None:
        self.topic = bus.resolve(topic)
        self.group: CallbackGroup = bus.callback_group("estop")
        self._latch = latch
        self._subscription = bus.subscribe(
            self.topic, bool, self._on_message, latched=latched, group=self.group
        )

    def _on_message(self, pressed: bool) -> None:
        if pressed:
            self._latch.trigger(f"e-stop message on {self.topic}")

    def close(self) -> None:
        self._subscription.close()
