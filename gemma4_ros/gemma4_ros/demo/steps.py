"""One step of an operator command: a phrasing and the tool call it means, drawn at random.

Each registry tool gets a step maker: the default tools get the hand-written frames of
:mod:`gemma4_ros.demo.phrases` (only when the tool's arguments are the ones those frames fill),
any other tool gets generic frames built from its name and schema, so a custom tools.yaml still
trains. Numbers come from :mod:`gemma4_ros.demo.quantities`, converted to the tool's unit, with
the sign the direction words give (backwards is a negative distance, right a negative angle).
Every step also names its *keys* — the combinations it is made of (frame × place, tool × number,
...) — which the corpus uses to hold some combinations out of training entirely.

A step whose call no tool can make (:mod:`gemma4_ros.demo.impossible`) has ``call=None`` and a
``reason`` that picks the refusal text.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gemma4_ros.demo import phrases, quantities
from gemma4_ros.demo.quantities import Spoken
from gemma4_ros.tools import ToolRegistry, ToolSpec


@dataclass(frozen=True)
class Call:
    """A tool call as the corpus knows it: a name and JSON arguments."""

    name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """The words for one step, the call they mean (None: nothing can do it), and its keys.

    ``verbatim`` are words the call copies (free text, inspection targets): typos are never put
    into them, since the model must copy them as written. ``reason`` says why a step with no
    call is impossible (a key of :data:`gemma4_ros.demo.refusals.REFUSAL_TEXTS`).
    """

    text: str
    call: Call | None
    keys: tuple[str, ...]
    group: str
    verbatim: frozenset[str] = frozenset()
    reason: str = ""


StepMaker = Callable[[random.Random], Step]


def number_value(value: float) -> Any:
    """The JSON value of a number: an int when whole, so calls read ``distance:2`` not ``2.0``."""
    return int(value) if float(value).is_integer() else quantities.rounded(float(value))


def _frame(rng: random.Random, group: str) -> tuple[int, str]:
    index = rng.randrange(len(phrases.FRAMES[group]))
    return index, phrases.FRAMES[group][index]


def _number_keys(tool: str, spoken: Spoken) -> list[str]:
    """A number said in digits in the tool's unit may be held out (copying generalises)."""
    return [f"num:{tool}:{spoken.value:g}"] if spoken.copied else []


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
            extra = phrases.PLACE_SYNONYMS.get(place, registry.aliases.get(place, ()))
            words[place] = (spoken,) + tuple(w for w in extra if w != spoken)
        return words

    def makers(self) -> dict[str, StepMaker]:
        """One maker per registry tool, in registry order."""
        return {tool.name: self.for_tool(tool) for tool in self.registry.tools}

    def for_tool(self, tool: ToolSpec) -> StepMaker:
        if self.knows(tool):
            return lambda rng: getattr(self, "_" + tool.name)(rng, tool)
        if tool.effect.kind == "goto_place" and tool.effect.argument:
            return lambda rng: self._navigate_to(rng, tool)
        return lambda rng: self._generic(rng, tool)

    @staticmethod
    def knows(tool: ToolSpec) -> bool:
        """Whether ``tool`` is a default tool with the arguments its frames fill."""
        expected = _KNOWN_ARGUMENTS.get(tool.name)
        return expected is not None and tuple(tool.parameters.get("properties", {})) == expected

    def place_phrase(self, rng: random.Random) -> tuple[str, str, str]:
        """(words, place name, synonym used) for a random declared place."""
        place = rng.choice(list(self.place_words))
        synonym = rng.choice(self.place_words[place])
        article = rng.choice(("the ", "the ", "the ", ""))
        return article + synonym, place, synonym

    def _navigate_to(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, "navigate_to")
        words, place, synonym = self.place_phrase(rng)
        call = Call(tool.name, {tool.effect.argument or "place": place})
        keys = (f"frame:navigate_to:{index}", f"place:{index}:{synonym}")
        return Step(frame.format(place=words), call, keys, f"navigate_to:{index}")

    def move_text(self, rng: random.Random, spoken: Spoken) -> tuple[str, int, str, int]:
        """A move phrasing of ``spoken``: (text, sign, frame group, frame index)."""
        roll = rng.random()
        if roll < 0.1:
            index, frame = _frame(rng, "move_unsigned")
            return frame.format(distance=spoken.words), 1, "move_unsigned", index
        backward = roll < 0.45
        group = "move_backward" if backward else "move_forward"
        index, frame = _frame(rng, group)
        side = rng.choice(phrases.BACKWARD_WORDS if backward else phrases.FORWARD_WORDS)
        text = frame.format(distance=spoken.words, dir=side)
        return text, -1 if backward else 1, group, index

    def _move(self, rng: random.Random, tool: ToolSpec) -> Step:
        spoken = quantities.distance(rng)
        text, sign, group, index = self.move_text(rng, spoken)
        arguments: dict[str, Any] = {"distance": number_value(sign * spoken.value)}
        keys = [f"frame:{group}:{index}"] + _number_keys("move", spoken)
        if rng.random() < 0.25:
            speed = quantities.speed(rng)
            text = with_speed(text, speed, rng)
            arguments["speed"] = number_value(speed.value)
            keys.append(f"speed:{group}:{index}:{speed.words.split()[0]}")
        return Step(text, Call(tool.name, arguments), tuple(keys), f"{group}:{index}")

    def rotate_text(self, rng: random.Random, spoken: Spoken) -> tuple[str, int, str, int]:
        """A rotate phrasing of ``spoken``: (text, sign, frame group, frame index)."""
        if rng.random() < 0.15:
            index, frame = _frame(rng, "rotate_unsigned")
            return frame.format(angle=spoken.words), 1, "rotate_unsigned", index
        right = rng.random() < 0.5
        index, frame = _frame(rng, "rotate")
        side = rng.choice(phrases.RIGHT_WORDS if right else phrases.LEFT_WORDS)
        return frame.format(angle=spoken.words, dir=side), -1 if right else 1, "rotate", index

    def _rotate(self, rng: random.Random, tool: ToolSpec) -> Step:
        if rng.random() < 0.2:
            index = rng.randrange(len(phrases.ROTATE_FIXED))
            text, angle = phrases.ROTATE_FIXED[index]
            return Step(text, Call(tool.name, {"angle": angle}), (f"frame:rotate_fixed:{index}",),
                        f"rotate_fixed:{index}")
        spoken = quantities.angle(rng)
        text, sign, group, index = self.rotate_text(rng, spoken)
        keys = (f"frame:{group}:{index}", *_number_keys("rotate", spoken))
        call = Call(tool.name, {"angle": number_value(sign * spoken.value)})
        return Step(text, call, keys, f"{group}:{index}")

    def _fixed(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, tool.name)
        return Step(frame, Call(tool.name, {}), (f"frame:{tool.name}:{index}",), f"{tool.name}:{index}")

    _stop = _capture_image = _fixed

    def _dock(self, rng: random.Random, tool: ToolSpec) -> Step:
        step = self._fixed(rng, tool)
        if rng.random() < 0.2:
            index = rng.randrange(len(phrases.DOCK_CONTEXTS))
            return Step(phrases.DOCK_CONTEXTS[index] + step.text, step.call,
                        (*step.keys, f"context:dock:{index}"), step.group)
        return step

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
        call = Call(tool.name, {"target": target, "question": question})
        return Step(text, call, keys, group, frozenset(phrase_words(f"{target} {question}")))

    def _free_text(self, rng: random.Random, tool: ToolSpec) -> Step:
        index, frame = _frame(rng, tool.name)
        text = free_text(rng)
        keys = (f"frame:{tool.name}:{index}", f"text:{text}")
        return Step(frame.format(text=text), Call(tool.name, {"text": text}), keys,
                    f"{tool.name}:{index}", frozenset(phrase_words(text)))

    _speak = _report = _free_text

    def wait_text(self, rng: random.Random, spoken: Spoken) -> tuple[str, int]:
        index, frame = _frame(rng, "wait")
        return frame.format(seconds=spoken.words), index

    def _wait(self, rng: random.Random, tool: ToolSpec) -> Step:
        spoken = quantities.duration(rng)
        text, index = self.wait_text(rng, spoken)
        keys = (f"frame:wait:{index}", *_number_keys("wait", spoken))
        return Step(text, Call(tool.name, {"seconds": number_value(spoken.value)}), keys,
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


def with_speed(text: str, speed: Spoken, rng: random.Random) -> str:
    """A speed said after the motion, or (a single word) before it: "slowly back up 1 m"."""
    if " " not in speed.words and rng.random() < 0.3:
        return f"{speed.words} {text}"
    return f"{text} {speed.words}"


_KNOWN_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "move": ("distance", "speed"), "rotate": ("angle",), "stop": (), "dock": (),
    "capture_image": (), "inspect": ("target", "question"), "speak": ("text",),
    "wait": ("seconds",), "report": ("text",),
}


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
        return " ".join(rng.sample(text_words(), rng.randint(1, 6)))
    if rng.random() < 0.4:
        sentence = rng.choice(phrases.TEXT_WHOLE)
    else:
        sentence = f"{rng.choice(phrases.TEXT_SUBJECTS)} {rng.choice(phrases.TEXT_PREDICATES)}"
    hour = rng.randint(1, 12)
    time = rng.choice(phrases.TIMES).format(h=hour)
    count = rng.randint(2, 40)
    spoken = quantities.number_words(count, rng) if rng.random() < 0.4 else str(count)
    return sentence.format(time=time, count=spoken)


def _generic_value(rng: random.Random, schema: Mapping[str, Any]) -> tuple[Any, str]:
    if "enum" in schema:
        value = rng.choice(list(schema["enum"]))
        return value, str(value).replace("_", " ")
    kind = schema.get("type")
    if kind in ("number", "integer"):
        low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0)))
        high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 10)))
        value = number_value(rng.randint(int(low) + 1, max(int(low) + 1, int(high) - 1)))
        return value, quantities.digits(value)
    if kind == "boolean":
        return True, "true"
    text = free_text(rng)
    return text, text
