"""Float seconds as the two integers of a ``builtin_interfaces/Time``, exact to the nanosecond.

Below every layer that stamps a message: the conversions (headers, times) and the nodes (the
heartbeat, published as raw fields) split a stamp the same way without importing each other.
"""

from __future__ import annotations

import math

INT32_MAX = 2**31 - 1
NANOS = 1_000_000_000


def split_stamp(stamp: float) -> tuple[int, int]:
    """``(sec, nanosec)`` of ``stamp``; raises ValueError for a stamp a Time cannot hold.

    From 2**23 s (April 1970) on, so for every wall-clock stamp, the float comes back bit for
    bit: its resolution there is coarser than the nanosecond the wire keeps.
    """
    if not (math.isfinite(stamp) and 0.0 <= stamp < INT32_MAX):
        raise ValueError(f"a stamp must be finite seconds in [0, {INT32_MAX})")
    sec = math.floor(stamp)
    nanosec = round((stamp - sec) * NANOS)
    if nanosec == NANOS:
        sec, nanosec = sec + 1, 0
    return int(sec), int(nanosec)
