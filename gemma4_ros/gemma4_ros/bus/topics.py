"""Typed topics with ROS's keep-last queues and transient-local (latched) history.

Semantics copied from ROS 2 QoS, so node logic written against the bus behaves the same under
rclpy:

- *Keep last N*: each subscription queues at most ``depth`` undelivered messages; when a slow
  subscriber falls behind, the oldest queued message is dropped (counted in ``dropped``), never
  the publisher blocked.
- *Transient local* (``latched=True``): a latched publisher keeps its last ``depth`` messages and
  hands them to every latched subscription that joins later. As in ROS both sides must ask for
  it; a latched subscription and a volatile publisher are incompatible (ROS silently never
  connects them), which the bus reports as :class:`QosMismatchError` instead.
- Messages are handed over by reference, not copied; publish immutable values (the core types
  are frozen pydantic models).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Callable, Generic, TypeVar, Union

from gemma4_ros.bus.checks import check_instance
from gemma4_ros.bus.dispatch import CallbackGroup, Dispatcher
from gemma4_ros.bus.errors import BusError, MessageTypeError, QosMismatchError

T = TypeVar("T")

logger = logging.getLogger("gemma4_ros.bus")


def check_depth(depth: int, where: str) -> int:
    if depth < 1:
        raise BusError(f"{where}: depth={depth}", "keep-last depth must be >= 1 (ROS default: 10)")
    return depth


class Topic(Generic[T]):
    """One named topic of one message type, its endpoints, and the lock that orders publishing."""

    def __init__(self, name: str, msg_type: type[T]) -> None:
        self.name = name
        self.msg_type = msg_type
        self.lock = threading.Lock()
        self.publishers: list[Publisher[T]] = []
        self.subscriptions: list[Subscription[T]] = []

    def check_type(self, msg_type: type, endpoint: str) -> None:
        if msg_type is not self.msg_type:
            raise MessageTypeError(
                f"{endpoint} on topic {self.name!r}: type disagrees with the topic's endpoints",
                self.msg_type, msg_type,
                "one topic carries one message type: use the same type or another topic name",
            )

    def add_publisher(self, publisher: Publisher[T]) -> None:
        with self.lock:
            if not publisher.latched and any(sub.latched for sub in self.subscriptions):
                raise self._mismatch()
            self.publishers.append(publisher)

    def add_subscription(self, subscription: Subscription[T]) -> None:
        """Connect ``subscription``; a latched one receives the latched publishers' history now."""
        with self.lock:
            if subscription.latched and any(not pub.latched for pub in self.publishers):
                raise self._mismatch()
            self.subscriptions.append(subscription)
            if subscription.latched:
                for publisher in self.publishers:
                    for message in publisher.history:
                        subscription.offer(message)

    def remove(self, endpoint: Union[Publisher[T], Subscription[T]]) -> None:
        with self.lock:
            if isinstance(endpoint, Publisher) and endpoint in self.publishers:
                self.publishers.remove(endpoint)
            elif isinstance(endpoint, Subscription) and endpoint in self.subscriptions:
                self.subscriptions.remove(endpoint)

    def _mismatch(self) -> QosMismatchError:
        return QosMismatchError(
            f"topic {self.name!r}: a latched (transient-local) subscription and a volatile "
            "publisher are incompatible; ROS would never deliver between them",
            "make the publisher latched=True, or subscribe with latched=False",
        )


class Publisher(Generic[T]):
    """Publishes on one topic; ``publish`` only enqueues, so it never waits for a subscriber."""

    def __init__(self, topic: Topic[T], dispatcher: Dispatcher, latched: bool, depth: int) -> None:
        self.topic = topic
        self.latched = latched
        self.depth = check_depth(depth, f"publisher on topic {topic.name!r}")
        # What a late latched subscription receives; a volatile publisher keeps nothing (maxlen 0).
        self.history: deque[T] = deque(maxlen=depth if latched else 0)
        self._dispatcher = dispatcher
        self._closed = False

    @property
    def name(self) -> str:
        return self.topic.name

    def publish(self, message: T) -> None:
        """Queue ``message`` for every subscription; raises on a wrong type or after close."""
        check_instance(message, self.topic.msg_type, f"publish on topic {self.name!r}")
        self._dispatcher.check_open(f"publish on topic {self.name!r}")
        if self._closed:
            raise BusError(f"publish on topic {self.name!r}: publisher closed", "create a new one")
        with self.topic.lock:
            self.history.append(message)
            for subscription in self.topic.subscriptions:
                subscription.offer(message)

    def subscription_count(self) -> int:
        with self.topic.lock:
            return len(self.topic.subscriptions)

    def close(self) -> None:
        """Disconnect; a latched publisher's history goes with it, as in ROS."""
        self._closed = True
        self.topic.remove(self)


class Subscription(Generic[T]):
    """Delivers a topic's messages to ``callback`` on ``group``, keeping the last ``depth``."""

    def __init__(
        self,
        topic: Topic[T],
        callback: Callable[[T], object],
        group: CallbackGroup,
        latched: bool,
        depth: int,
    ) -> None:
        self.topic = topic
        self.group = group
        self.latched = latched
        self.depth = check_depth(depth, f"subscription on topic {topic.name!r}")
        self.dropped = 0
        self._callback = callback
        self._queue: deque[T] = deque()

    @property
    def name(self) -> str:
        return self.topic.name

    def offer(self, message: T) -> None:
        """Enqueue (topic lock held). One work item is queued per message kept, so a message that
        replaces a dropped one reuses the dropped one's pending work item."""
        if len(self._queue) >= self.depth:
            self._queue.popleft()
            self.dropped += 1
            self._queue.append(message)
            return
        self._queue.append(message)
        self.group.submit(self._deliver_one)

    def _deliver_one(self) -> None:
        with self.topic.lock:
            if not self._queue:
                return  # closed since
            message = self._queue.popleft()
        try:
            self._callback(message)
        except Exception:
            logger.exception("callback on topic %r raised; still serving it", self.name)

    def close(self) -> None:
        """Disconnect and drop what is still queued."""
        self.topic.remove(self)
        with self.topic.lock:
            self._queue.clear()
