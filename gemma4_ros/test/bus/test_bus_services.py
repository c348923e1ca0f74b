"""Services: non-blocking calls, errors delivered to the caller's future, never to the bus."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

from gemma4_ros.bus import (
    Bus, BusError, CallError, MessageTypeError, UnknownEndpointError,
)

TIMEOUT = 5.0


def double(value: int) -> int:
    return value * 2


def test_call_returns_the_handlers_response(bus: Bus) -> None:
    bus.service("/double", int, int, double)
    assert bus.client("/double", int, int).call_async(21).result(TIMEOUT) == 42


def test_done_callback_runs_on_the_clients_group(bus: Bus) -> None:
    bus.service("/double", int, int, double)
    client = bus.client("/double", int, int, group=bus.callback_group("caller"))
    where: list[tuple[str, int]] = []
    future = client.call_async(4)
    future.add_done_callback(lambda f: where.append((threading.current_thread().name, f.result())))
    assert bus.spin_until(lambda: bool(where), TIMEOUT)
    assert where == [("bus-caller-0", 8)]


def test_manual_bus_completes_a_call_when_spun(manual: Bus) -> None:
    manual.service("/double", int, int, double)
    future = manual.client("/double", int, int).call_async(5)
    assert not future.done()
    assert manual.spin_until(future.done, TIMEOUT)
    assert future.result(0) == 10


def test_handler_error_fails_the_future_and_the_service_keeps_serving(bus: Bus) -> None:
    def picky(value: int) -> int:
        if value < 0:
            raise ValueError("negative")
        return value

    bus.service("/picky", int, int, picky)
    client = bus.client("/picky", int, int)
    with pytest.raises(CallError, match=r"'/picky'.*ValueError: negative") as error:
        client.call_async(-1).result(TIMEOUT)
    assert isinstance(error.value.__cause__, ValueError)
    assert client.call_async(3).result(TIMEOUT) == 3


def test_wrong_response_type_fails_the_future(bus: Bus) -> None:
    bus.service("/liar", int, int, lambda value: str(value))  # type: ignore[arg-type, return-value]
    with pytest.raises(MessageTypeError, match="response of service '/liar'.*given str"):
        bus.client("/liar", int, int).call_async(1).result(TIMEOUT)


def test_unknown_service_names_what_is_offered(bus: Bus) -> None:
    bus.service("/double", int, int, double)
    client = bus.client("/triple", int, int)
    assert not client.service_is_ready()
    with pytest.raises(UnknownEndpointError, match=r"'/triple'.*offered: /double"):
        client.call_async(1)


def test_wrong_request_type_raises_at_the_call(bus: Bus) -> None:
    bus.service("/double", int, int, double)
    with pytest.raises(MessageTypeError, match="request to service '/double'"):
        bus.client("/double", int, int).call_async("1")  # type: ignore[arg-type]


def test_client_and_server_must_agree_on_types(bus: Bus) -> None:
    bus.service("/double", int, int, double)
    with pytest.raises(MessageTypeError, match="response type of service '/double'"):
        bus.client("/double", int, str).call_async(1)


def test_second_server_for_a_name_is_refused(bus: Bus) -> None:
    first = bus.service("/double", int, int, double)
    with pytest.raises(BusError, match="already has a server"):
        bus.service("/double", int, int, double)
    first.close()
    bus.service("/double", int, int, double)


def test_wait_for_service_wakes_when_the_server_appears(bus: Bus) -> None:
    client = bus.client("/late", int, int)
    assert not client.wait_for_service(timeout=0.05)
    starter = threading.Thread(target=lambda: bus.service("/late", int, int, double))
    starter.start()
    assert client.wait_for_service(TIMEOUT)
    starter.join()
    assert client.call_async(2).result(TIMEOUT) == 4


def test_cancelled_call_is_not_handled(manual: Bus) -> None:
    handled: list[int] = []

    def record(value: int) -> int:
        handled.append(value)
        return value

    manual.service("/record", int, int, record)
    future: Future[int] = manual.client("/record", int, int).call_async(1)
    assert future.cancel()
    assert manual.wait_idle(TIMEOUT)
    assert handled == []
