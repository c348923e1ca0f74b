"""One step of an operator command: a phrasing and the tool call it means, drawn at random.

Each registry tool gets a step maker: the default tools get the hand-written frames of
:mod:`gemma4_ros.demo.phrases` (only when the tool's arguments are the ones those frames fill),
any other tool gets generic frames built from its name and schema, so a custom tools.yaml still
trains. Every step also names its *keys* — the combinations it is made of (frame × place,
tool × number, ...) — which the corpus uses to hold some combinations out of training entirely.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gemma4_ros.demo import phrases
from gemma4_ros.tools import ToolRegistry, ToolSpec


@dataclass(frozen=True)
class Call:
    """A tool call as the corpus knows it: a name and JSON arguments."""

    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """The words for one step, the call they mean (None: nothing can do it), and its keys."""

    text: str
    call: Call | None
    keys: tuple[str, ...]
    group: str


StepMaker = Callable[[random.Random], Step]


def number_text(value: float) -> str:
    """Digits as an operator types them and as the call writes them: 2, 1.5, 0.3."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def number_value(value: float) -> Any:
    """The JSON value of a number: an int when whole, so calls read ``distance:2`` not ``2.0``."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def _frame(rng: random.Random, group: str) -> tuple[int, str]:
    index = rng.randrange(len(phrases.FRAMES[group]))
    return index, phrases.FRAMES[group][index]


def _unit(value: float, singular: str, plurals: Sequence[str], rng: random.Random) -> str:
    return singular if value == 1 else rng.choice(plurals)


class StepMakers:
    """The step makers for one registry; :meth:`for_tool` picks frames or generic phrasing."""

    def __init__(self, registry: ToolRegistry) -> None:
        self.registry = registry
        self.place_words = self._place_words(registry)

    @staticmethod
    def _place_words(registry: ToolRegistry) -> dict[str, tuple[str, ...]]:
        words: dict[str, tuple[str, ...]] = {}
        for place in registry.places:
            spoken = place.replace("_", " ")
            extra = phrases.PLACE_SYNONYMS.get(place, ())
            words[place] = (spoken,) + tuple(w for w in extra if w != spoken)
        return words

    def makers(self) -> dict[str, StepMaker]:
        """One maker per registry tool, in registry order."""
        return {tool.name: self.for_tool(tool) for tool in self.registry.tools}

    def for_tool(self, tool: ToolSpec) -> StepMaker:
        expected = _KNOWN_ARGUMENTS.get(tool.name)
        properties = tuple(tool.parameters.get("properties", {}))
        if expected is not None and properties == expected:
            return lambda rng: getattr(self, "_" + tool.name)(rng, tool)
        if tool.effect.kind == "goto_place" and tool.effect.argument:
            return lambda rng: self._navigate_to(rng, tool)
        return lambda rng: self._generic(rng, tool)

    def place_phrase(self, rng: random.Random) -> tuple[str, str, str]:
        """(words, place name, synonym used) for a random declared place."""
        place = rng.choice(list(self.place_words))
        synonym = rng.choice(self.place_words[place])
        article = rng.choice(("the ", "the ", ""))
        return article + synonym, place, synonym

    def _navigate_to(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, "navigate_to")
        words, place, synonym = self.place_phrase(rng)
        call = Call(tool.name, {tool.effect.argument or "place": place})
        keys = (f"frame:navigate_to:{index}", f"place:{index}:{synonym}")
        return Step(frame.format(place=words), call, keys, f"navigate_to:{index}")

    def _move(self, rng: random.Random, tool: ToolSpec) -> Step:
        backward = rng.random() < 0.35
        group = "move_backward" if backward else "move_forward"
        index, frame = _frame(rng, group)
        value, words, digits = _distance(rng)
        arguments: dict[str, Any] = {"distance": number_value(-value if backward else value)}
        text = frame.format(distance=words)
        keys = [f"frame:{group}:{index}"] + ([f"num:move:{value}"] if digits else [])
        if rng.random() < 0.25:
            speed_text, speed = _speed(rng)
            text = f"{text} {speed_text}"
            arguments["speed"] = number_value(speed)
            keys.append(f"speed:{group}:{index}:{speed_text.split()[0]}")
        return Step(text, Call(tool.name, arguments), tuple(keys), f"{group}:{index}")

    def _rotate(self, rng: random.Random, tool: ToolSpec) -> Step:
        if rng.random() < 0.2:
            index = rng.randrange(len(phrases.ROTATE_FIXED))
            text, angle = phrases.ROTATE_FIXED[index]
            return Step(text, Call(tool.name, {"angle": angle}), (f"frame:rotate_fixed:{index}",),
                        f"rotate_fixed:{index}")
        right = rng.random() < 0.5
        group = "rotate_right" if right else "rotate_left"
        index, frame = _frame(rng, group)
        value, words, digits = _angle(rng)
        keys = [f"frame:{group}:{index}"] + ([f"num:rotate:{value}"] if digits else [])
        call = Call(tool.name, {"angle": -value if right else value})
        return Step(frame.format(angle=words), call, tuple(keys), f"{group}:{index}")

    def _fixed(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, tool.name)
        return Step(frame, Call(tool.name, {}), (f"frame:{tool.name}:{index}",), f"{tool.name}:{index}")

    _stop = _dock = _capture_image = _fixed

    def _inspect(self, rng: random.Random, tool: ToolSpec) -> Step:
        target = rng.choice(phrases.INSPECT_TARGETS)
        if rng.random() < 0.35:
            index, frame = _frame(rng, "inspect_state")
            state = rng.choice(phrases.INSPECT_STATES)
            question = f"is the {target} {state}?"
            text = frame.format(target=target, state=state)
            keys = (f"frame:inspect_state:{index}", f"state:{target}:{state}")
            group = f"inspect_state:{index}"
        else:
            index, frame = _frame(rng, "inspect")
            question = rng.choice(phrases.INSPECT_QUESTIONS)
            text = frame.format(target=target, question=question)
            keys = (f"frame:inspect:{index}", f"question:{target}:{question}")
            group = f"inspect:{index}"
        return Step(text, Call(tool.name, {"target": target, "question": question}), keys, group)

    def _free_text(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, tool.name)
        text = free_text(rng)
        keys = (f"frame:{tool.name}:{index}", f"text:{text}")
        return Step(frame.format(text=text), Call(tool.name, {"text": text}), keys, f"{tool.name}:{index}")

    _speak = _report = _free_text

    def _wait(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, "wait")
        value, words, digits = _seconds(rng)
        keys = [f"frame:wait:{index}"] + ([f"num:wait:{value}"] if digits else [])
        return Step(frame.format(seconds=words), Call(tool.name, {"seconds": value}), tuple(keys),
                    f"wait:{index}")

    def _generic(self, rng: random.Random, tool: ToolSpec) -> Step:
        """``<tool words> with <arg words> <value> and ...`` for a tool without frames."""
        words = tool.name.replace("_", " ")
        properties = tool.parameters.get("properties", {})
        required = set(tool.parameters.get("required", ()))
        arguments: dict[str, Any] = {}
        parts = []
        for name, schema in properties.items():
            if name not in required:
                continue
            value, spoken = _generic_value(rng, schema)
            arguments[name] = value
            parts.append(f"{name.replace('_', ' ')} {spoken}")
        text = words + (" with " + " and ".join(parts) if parts else "")
        return Step(text, Call(tool.name, arguments), (f"generic:{tool.name}",), f"generic:{tool.name}")


_KNOWN_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "move": ("distance", "speed"), "rotate": ("angle",), "stop": (), "dock": (),
    "capture_image": (), "inspect": ("target", "question"), "speak": ("text",),
    "wait": ("seconds",), "report": ("text",),
}


def _distance(rng: random.Random) -> tuple[float, str, bool]:
    """(metres, words, written in digits?) within the default schema's 5 m."""
    roll = rng.random()
    if roll < 0.15:
        value = rng.choice(tuple(phrases.HALF_WORDS))
        unit = "meter" if value == 0.5 else rng.choice(("meters", "metres"))
        return value, f"{phrases.HALF_WORDS[value]} {unit}", False
    if roll < 0.3:
        value = float(rng.randint(1, 5))
        unit = _unit(value, "meter", ("meters", "metres"), rng)
        return value, f"{phrases.NUMBER_WORDS[int(value)]} {unit}", False
    if roll < 0.4:
        centimetres = rng.randrange(10, 100, 10)
        return centimetres / 100, f"{centimetres} {rng.choice(('centimeters', 'cm'))}", False
    value = rng.randint(1, 50) / 10
    unit = _unit(value, "meter", ("meters", "metres", "m"), rng)
    return value, f"{number_text(value)} {unit}", True


def _speed(rng: random.Random) -> tuple[str, float]:
    if rng.random() < 0.5:
        return rng.choice(phrases.SPEED_WORDS)
    value = rng.randint(1, 10) / 10
    unit = rng.choice(("meters per second", "m/s"))
    return f"at {number_text(value)} {unit}", value


def _angle(rng: random.Random) -> tuple[int, str, bool]:
    if rng.random() < 0.2:
        value = rng.choice((15, 30, 45, 60, 90, 120, 180, 270, 360))
        return value, f"{phrases.NUMBER_WORDS[value]} degrees", False
    value = rng.choice((rng.randrange(5, 361, 5), rng.randint(1, 360)))
    unit = _unit(value, "degree", ("degrees", "deg"), rng)
    return value, f"{value} {unit}", True


def _seconds(rng: random.Random) -> tuple[int, str, bool]:
    roll = rng.random()
    if roll < 0.12:
        minutes = rng.choice((1, 2, 3, 5, 10))
        spoken = rng.choice((str(minutes), phrases.NUMBER_WORDS[minutes]))
        words = "a minute" if minutes == 1 and rng.random() < 0.5 else f"{spoken} minute" + (
            "s" if minutes > 1 else "")
        return minutes * 60, words, False
    if roll < 0.15:
        return 30, "half a minute", False
    if roll < 0.3:
        value = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 40, 45, 60))
        unit = _unit(value, "second", ("seconds",), rng)
        return value, f"{phrases.NUMBER_WORDS[value]} {unit}", False
    value = rng.choice((rng.randint(1, 60), rng.randint(1, 600)))
    unit = _unit(value, "second", ("seconds", "secs", "sec"), rng)
    return value, f"{value} {unit}", True


@functools.cache
def text_words() -> tuple[str, ...]:
    """Words for random free text: the pool of :data:`phrases.TEXT_WORDS` and every word of the
    sentence pools, so a held-out sentence is new as a sentence but none of its words is new; less
    the words of suffixes and joins, which mark where a free text ends."""
    pools = (phrases.TEXT_WORDS + phrases.TEXT_WHOLE + phrases.TEXT_SUBJECTS
             + phrases.TEXT_PREDICATES)
    return tuple(sorted(set().union(*map(phrase_words, pools)) - boundary_words()))


@functools.cache
def boundary_words() -> frozenset[str]:
    """Words of suffixes and joins: after a free text they end it, so no free text contains one."""
    return frozenset().union(*map(phrase_words,
                                  phrases.SUFFIXES + phrases.JOIN_TWO + phrases.JOIN_THREE))


def phrase_words(text: str) -> set[str]:
    """The words of a phrase, without its ``{slots}``."""
    return set(re.findall(r"[a-z]+", re.sub(r"\{[a-z_]+\}", " ", text)))


def free_text(rng: random.Random) -> str:
    """A short text to speak or report (no "and"/"then", which join steps).

    Almost half are runs of random words, which no amount of memorising covers: the model has
    to learn to copy, so a sentence it never saw is still spoken word for word.
    """
    if rng.random() < 0.45:
        return " ".join(rng.sample(text_words(), rng.randint(1, 5)))
    if rng.random() < 0.4:
        sentence = rng.choice(phrases.TEXT_WHOLE)
    else:
        sentence = f"{rng.choice(phrases.TEXT_SUBJECTS)} {rng.choice(phrases.TEXT_PREDICATES)}"
    hour = rng.randint(1, 12)
    time = rng.choice(phrases.TIMES).format(h=hour)
    return sentence.format(time=time, count=rng.randint(2, 40))


def _generic_value(rng: random.Random, schema: Mapping[str, Any]) -> tuple[Any, str]:
    if "enum" in schema:
        value = rng.choice(list(schema["enum"]))
        return value, str(value).replace("_", " ")
    kind = schema.get("type")
    if kind in ("number", "integer"):
        low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0)))
        high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 10)))
        value = number_value(rng.randint(int(low) + 1, max(int(low) + 1, int(high) - 1)))
        return value, number_text(value)
    if kind == "boolean":
        return True, "true"
    text = free_text(rng)
    return text, text
