"""Request/response services: the handler runs on the server's group, the caller gets a future.

As in rclpy, a call never blocks (``call_async``) and the caller chains work with
``add_done_callback`` or waits with ``result(timeout)``. Two things are stricter than ROS, on
purpose: calling a service nobody offers raises :class:`UnknownEndpointError` at once (ROS would
leave the future pending forever), and a handler that raises fails the caller's future with
:class:`CallError` instead of taking the executor down.
"""

from __future__ import annotations

import logging
from typing import Callable, Generic, TypeVar

from gemma4_ros.bus.checks import check_agreement, check_instance, check_types
from gemma4_ros.bus.core import BusCore
from gemma4_ros.bus.dispatch import CallbackGroup
from gemma4_ros.bus.errors import CallError, MessageTypeError
from gemma4_ros.bus.future import BusFuture

Req = TypeVar("Req")
Resp = TypeVar("Resp")

logger = logging.getLogger("gemma4_ros.bus")


class Service(Generic[Req, Resp]):
    """Serves one service name with ``handler(request) -> response``."""

    def __init__(
        self,
        core: BusCore,
        name: str,
        types: tuple[type[Req], type[Resp]],
        handler: Callable[[Req], Resp],
        group: CallbackGroup,
    ) -> None:
        check_types(f"service {name!r}", *types)
        self.name = name
        self.request_type, self.response_type = types
        self.group = group
        self._core = core
        self._handler = handler
        core.register(core.services, "service", name, self)

    def handle(self, request: Req, future: BusFuture[Resp]) -> None:
        """Run the handler for one call (on this service's group) and settle the future."""
        if future.done():
            return  # the caller cancelled it, or the bus shut down
        try:
            response = self._handler(request)
        except Exception as error:
            logger.exception("handler of service %r raised", self.name)
            failure = CallError(
                f"service {self.name!r}: handler raised {type(error).__name__}: {error}",
                "see the server's log for the traceback",
            )
            failure.__cause__ = error
            future.settle(error=failure)
            return
        if isinstance(response, self.response_type):
            future.settle(response)
        else:
            future.settle(error=MessageTypeError(
                f"response of service {self.name!r}", self.response_type, type(response),
                f"make the handler return a {self.response_type.__qualname__}",
            ))

    def close(self) -> None:
        self._core.unregister(self._core.services, self.name, self)


class Client(Generic[Req, Resp]):
    """Calls one service name; may be created before the server exists, as in ROS."""

    def __init__(
        self, core: BusCore, name: str, types: tuple[type[Req], type[Resp]], group: CallbackGroup
    ) -> None:
        check_types(f"client of service {name!r}", *types)
        self.name = name
        self.request_type, self.response_type = types
        self.group = group
        self._core = core

    def service_is_ready(self) -> bool:
        return self.name in self._core.services

    def wait_for_service(self, timeout: float) -> bool:
        """Wait until a server offers this name; False on timeout."""
        return self._core.dispatcher.spin_until(self.service_is_ready, timeout)

    def call_async(self, request: Req) -> BusFuture[Resp]:
        """Send ``request``; the future's done-callbacks run on this client's group."""
        check_instance(request, self.request_type, f"request to service {self.name!r}")
        service: Service[Req, Resp] = self._core.lookup(self._core.services, "service", self.name)
        check_agreement(f"service {self.name!r}", ("request", "response"),
                        (self.request_type, self.response_type),
                        (service.request_type, service.response_type))
        future: BusFuture[Resp] = self._core.future(self.group, f"call to service {self.name!r}")
        service.group.submit(lambda: service.handle(request, future))
        return future
