"""What every view of one bus shares: the dispatcher, the name tables and the pending futures.

:class:`~gemma4_ros.bus.bus.Bus` and its node views resolve names and build endpoints; this
object owns the state behind them and the order of shutdown.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any, TypeVar

from gemma4_ros.bus.checks import check_types
from gemma4_ros.bus.dispatch import CallbackGroup, Dispatcher
from gemma4_ros.bus.errors import BusError, BusShutdownError, UnknownEndpointError
from gemma4_ros.bus.future import BusFuture
from gemma4_ros.bus.topics import Topic

if TYPE_CHECKING:
    from gemma4_ros.bus.action_server import ActionServer
    from gemma4_ros.bus.services import Service

T = TypeVar("T")
E = TypeVar("E")


class BusCore:
    """Topics, services and action servers by fully qualified name, plus lifecycle."""

    def __init__(self, threaded: bool, join_timeout_s: float) -> None:
        self.dispatcher = Dispatcher(threaded, join_timeout_s)
        self.join_timeout_s = join_timeout_s
        self.default_group = self.dispatcher.group("default")
        self.topics: dict[str, Topic[Any]] = {}
        self.services: dict[str, Service[Any, Any]] = {}
        self.action_servers: dict[str, ActionServer[Any, Any, Any]] = {}
        self._lock = threading.Lock()
        self._futures: weakref.WeakSet[BusFuture[Any]] = weakref.WeakSet()

    def topic(self, name: str, msg_type: type[T], endpoint: str) -> Topic[T]:
        """The topic ``name``, created on first use; its type is fixed by the first endpoint."""
        check_types(f"{endpoint} on topic {name!r}", msg_type)
        with self._lock:
            self.dispatcher.check_open(f"{endpoint} on topic {name!r}")
            topic = self.topics.setdefault(name, Topic(name, msg_type))
        topic.check_type(msg_type, endpoint)
        return topic

    def register(self, table: dict[str, E], kind: str, name: str, server: E) -> None:
        with self._lock:
            self.dispatcher.check_open(f"{kind} {name!r}")
            if name in table:
                raise BusError(f"{kind} {name!r} already has a server",
                               "close the existing server first, or use another name")
            table[name] = server
        self.dispatcher.notify()  # wakes wait_for_server / spin_until

    def unregister(self, table: dict[str, E], name: str, server: E) -> None:
        with self._lock:
            if table.get(name) is server:
                del table[name]

    def lookup(self, table: dict[str, E], kind: str, name: str) -> E:
        self.dispatcher.check_open(f"call to {kind} {name!r}")
        with self._lock:
            server = table.get(name)
            offered = sorted(table)
        if server is None:
            wait = "wait_for_service" if kind == "service" else "wait_for_server"
            raise UnknownEndpointError(
                f"no server for {kind} {name!r} (offered: {', '.join(offered) or 'none'})",
                f"start the {kind} server first, or wait for it with the client's {wait}(timeout)",
            )
        return server

    def future(self, group: CallbackGroup, what: str) -> BusFuture[T]:
        """A future that :meth:`shutdown` fails if it is still pending then."""
        future: BusFuture[T] = BusFuture(group, what)
        with self._lock:
            self.dispatcher.check_open(what)
            self._futures.add(future)
        return future

    def shutdown(self) -> None:
        """Stop in the order that lets blocked work finish: refuse new work, fail pending futures
        (waking anyone blocked on one), ask running goals to cancel, then join the threads."""
        with self._lock:
            if self.dispatcher.closed:
                return
            self.dispatcher.close()
            servers = list(self.action_servers.values())
            futures = list(self._futures)
        for future in futures:
            future.settle(error=BusShutdownError(future.what))
        for server in servers:
            server.cancel_all()
        self.dispatcher.join()
        for server in servers:
            server.join(self.join_timeout_s)
