"""Read a flight record back: every message it holds as core values, even from a cut-off file.

Two kinds of record: the MCAP file ``--record`` writes, and a rosbag2 folder (sqlite3 or MCAP
storage) recorded on a robot with the package's own topics.

mcap's stream reader walks the records in file order, so a file whose writer died (no summary,
a chunk cut short) yields everything up to its last complete chunk and says it was truncated.
Messages are decoded by the topic table of :mod:`gemma4_ros.recording.topics`; a topic of another
type, or bytes that do not decode, are reported by topic and skipped — the rest still reads.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcap.exceptions import McapError
from mcap.records import Channel, Message, Metadata, Schema
from mcap.stream_reader import StreamReader
from rosbags.rosbag2 import Reader, ReaderError

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.recording.recorder import METADATA_NAME, STATS_NAME
from gemma4_ros.recording.topics import TOPICS
from gemma4_ros.wire import typestore


@dataclass(frozen=True)
class RecordedMessage:
    """One message of a record, decoded: ``value`` is the core type of its topic."""

    topic: str
    log_time_ns: int
    value: Any


@dataclass
class Recording:
    """A record read back: messages in file order, the metadata records by name, whether the
    file ended early, and one line per message or topic that could not be read."""

    path: Path
    messages: list[RecordedMessage] = field(default_factory=list)
    metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    truncated: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def info(self) -> dict[str, str]:
        """What the recorder wrote first: model, config hash, tools."""
        return self.metadata.get(METADATA_NAME, {})

    @property
    def recorder_stats(self) -> dict[str, str]:
        """The closing counts (absent when the file was cut off)."""
        return self.metadata.get(STATS_NAME, {})

    def on(self, topic: str) -> list[Any]:
        return [m.value for m in self.messages if m.topic == topic]


def is_rosbag2(path: Path) -> bool:
    """A rosbag2 folder: ``metadata.yaml`` beside its storage files (sqlite3 or MCAP)."""
    return path.is_dir() and (path / "metadata.yaml").is_file()


def read_recording(path: str | os.PathLike[str],
                   interface_dir: str | os.PathLike[str] | None = None) -> Recording:
    """Every decodable message of the MCAP file or rosbag2 folder at ``path``; raises only when
    it cannot be opened or is no record at all."""
    source = Path(path).expanduser()
    store = typestore(interface_dir)
    if is_rosbag2(source):
        return _read_rosbag2(source, store)
    record = Recording(source)
    schemas: dict[int, Schema] = {}
    channels: dict[int, Channel] = {}
    refused: set[int] = set()
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise Gemma4RosError(f"cannot read the flight record {source}: {error.strerror}",
                             "check the path") from error
    with stream:
        reader = StreamReader(stream, validate_crcs=True)
        try:
            for item in reader.records:
                if isinstance(item, Schema):
                    schemas[item.id] = item
                elif isinstance(item, Channel):
                    channels[item.id] = item
                elif isinstance(item, Metadata):
                    record.metadata[item.name] = dict(item.metadata)
                elif isinstance(item, Message):
                    _decode(item, channels, schemas, refused, store, record)
        except (McapError, EOFError, ValueError, struct.error) as error:
            if not record.messages and not record.metadata:
                raise Gemma4RosError(f"{source} is not a readable MCAP file: {error}",
                                     "pass a file written by --record or ros2 bag "
                                     "(storage mcap)") from error
            record.truncated = True
            record.problems.append(f"{source}: ends early after {len(record.messages)} "
                                   f"messages ({type(error).__name__}: {error})")
    return record


def _read_rosbag2(source: Path, store: Any) -> Recording:
    """A bag ``ros2 bag record`` wrote on a robot (rosbags reads both storages): the topics of
    the record table, each checked for its type; other topics are not the planner's and are
    left out without a word."""
    record = Recording(source)
    try:
        with Reader(source) as bag:
            wanted = []
            for connection in bag.connections:
                spec = TOPICS.get(connection.topic)
                if spec is None:
                    continue
                if spec.ros_type != connection.msgtype:
                    record.problems.append(f"{source}: topic {connection.topic} holds "
                                           f"{connection.msgtype} ({spec.ros_type} expected); "
                                           "skipped")
                    continue
                wanted.append(connection)
            for connection, stamp, data in bag.messages(connections=wanted):
                try:
                    value = TOPICS[connection.topic].decode(bytes(data), store)
                except Exception as error:  # noqa: BLE001 - one bad message must not hide the rest
                    record.problems.append(f"{source}: topic {connection.topic}, message at "
                                           f"{stamp} ns: {error}")
                    continue
                record.messages.append(RecordedMessage(connection.topic, stamp, value))
    except (ReaderError, OSError, ValueError, KeyError) as error:
        if not record.messages:
            raise Gemma4RosError(f"{source} is not a readable rosbag2 folder: "
                                 f"{type(error).__name__}: {error}",
                                 "pass a bag folder written by ros2 bag record (sqlite3 or "
                                 "mcap storage), with its metadata.yaml") from error
        record.truncated = True
        record.problems.append(f"{source}: ends early after {len(record.messages)} messages "
                               f"({type(error).__name__}: {error})")
    return record


def _decode(message: Message, channels: dict[int, Channel], schemas: dict[int, Schema],
            refused: set[int], store: Any, record: Recording) -> None:
    channel = channels.get(message.channel_id)
    if channel is None or message.channel_id in refused:
        return
    spec = TOPICS.get(channel.topic)
    schema = schemas.get(channel.schema_id)
    type_name = schema.name if schema is not None else "(no schema)"
    if spec is None or spec.ros_type != type_name or channel.message_encoding != "cdr":
        refused.add(message.channel_id)
        expected = f"{spec.ros_type} in cdr" if spec is not None else "not a recorded topic"
        record.problems.append(f"{record.path}: topic {channel.topic} holds {type_name} in "
                               f"{channel.message_encoding} ({expected}); skipped")
        return
    try:
        value = spec.decode(bytes(message.data), store)
    except Exception as error:  # noqa: BLE001 - one bad message must not hide the rest
        record.problems.append(f"{record.path}: topic {channel.topic}, message at "
                               f"{message.log_time} ns: {error}")
        return
    record.messages.append(RecordedMessage(channel.topic, message.log_time, value))
